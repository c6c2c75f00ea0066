/**
 * schema/ and resolvers/ import ports (src/ports, src/domain), never adapters, and do no I/O themselves
 * (docs/api-conventions.md; the architecture rule "ports in the middle, adapters at the edge").
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const sources = ['schema', 'resolvers'].flatMap((dir) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ file: `${dir}/${f}`, text: readFileSync(join(ROOT, dir, f), 'utf8') })),
);
const imports = (text: string) => [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1] as string);

describe('schema/ and resolvers/', () => {
  it('have modules to check', () => {
    expect(sources.length).toBeGreaterThan(8);
  });

  it.each(sources)('$file imports no adapter', ({ text }) => {
    expect(imports(text).filter((i) => i.includes('adapters/'))).toEqual([]);
  });

  it.each(sources)('$file does no I/O (no node:fs, net, child_process)', ({ text }) => {
    expect(imports(text).filter((i) => /^(node:)?(fs|fs\/promises|net|http|https|child_process)$/.test(i))).toEqual([]);
  });
});
