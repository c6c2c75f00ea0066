/**
 * A V8 heap snapshot summarized by constructor: count and shallow (self) size of the objects of each
 * constructor name. Taken after a full GC at the start and the end of the load run, the difference shows
 * which kinds of object a growing heap is made of (retained sizes would need the dominator tree; shallow
 * sizes of what survives a full GC already name the culprit).
 */
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';

export type HeapClasses = Record<string, { count: number; bytes: number }>;

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Writes a snapshot to a temporary file (blocks the process for its duration), summarizes it, deletes it. */
export function heapClasses(): HeapClasses {
  const file = writeHeapSnapshot(join(tmpdir(), `nhi-load-${process.pid}-${Date.now()}.heapsnapshot`));
  try {
    const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
    const fields = snap.snapshot.meta.node_fields;
    const width = fields.length;
    const typeAt = fields.indexOf('type');
    const nameAt = fields.indexOf('name');
    const sizeAt = fields.indexOf('self_size');
    const types = snap.snapshot.meta.node_types[0];
    const out: HeapClasses = {};
    for (let i = 0; i < snap.nodes.length; i += width) {
      const type = types[snap.nodes[i + typeAt]!]!;
      // Objects by constructor; strings, code, arrays etc. by their kind.
      const key = type === 'object' ? snap.strings[snap.nodes[i + nameAt]!]! : `(${type})`;
      const entry = (out[key] ??= { count: 0, bytes: 0 });
      entry.count++;
      entry.bytes += snap.nodes[i + sizeAt]!;
    }
    return out;
  } finally {
    rmSync(file, { force: true });
  }
}

/** The constructors whose shallow size grew most from `before` to `after`. */
export function heapGrowth(before: HeapClasses, after: HeapClasses, top = 8): Array<{ name: string; bytes: number; count: number }> {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names]
    .map((name) => ({
      name,
      bytes: (after[name]?.bytes ?? 0) - (before[name]?.bytes ?? 0),
      count: (after[name]?.count ?? 0) - (before[name]?.count ?? 0),
    }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top);
}
