/**
 * Every relative link in README.md and docs/ points at a file (or folder) that exists, and every `#anchor`
 * into a Markdown file names one of its headings, so "where to go next" never leads nowhere.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentationFiles, fencedBlocks } from '../helpers/doc-blocks.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** GitHub's heading anchors: lower-case, punctuation dropped, spaces → hyphens. */
function anchors(markdown: string): Set<string> {
  return new Set(
    [...markdown.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) =>
      m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-'),
    ),
  );
}

/** The text outside fenced code blocks (links in code are not links). */
function prose(file: string, text: string): string {
  let out = text;
  for (const block of fencedBlocks(file, text)) out = out.replace(block.body, '');
  return out;
}

describe('documentation links', () => {
  it.each(documentationFiles(ROOT))('%s links only to what exists', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const broken: string[] = [];
    for (const [, target] of prose(file, text).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target!)) continue; // http:, https:, mailto:
      const [path, anchor] = target!.split('#') as [string, string | undefined];
      const resolved = path ? join(dirname(join(ROOT, file)), path) : join(ROOT, file);
      if (!existsSync(resolved)) broken.push(`${target} (no such file)`);
      else if (anchor && resolved.endsWith('.md') && !anchors(readFileSync(resolved, 'utf8')).has(anchor)) broken.push(`${target} (no such heading)`);
    }
    expect(broken).toEqual([]);
  });
});
