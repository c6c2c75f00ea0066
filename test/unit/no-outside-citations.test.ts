/**
 * Comments, schema descriptions and docs cite files in this repository (e.g. `docs/reference/buffers.md (1.10)`),
 * never sections of a document a reader cannot open. A section sign is allowed only right after the path of a
 * file that exists here (`docs/security.md <section sign>4`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SECTION = '\u00a7'; // written as an escape so this file does not cite anything itself
const SCANNED = ['src', 'schema', 'resolvers', 'client', 'build', 'bench', 'test', 'docs', 'README.md'];
const TEXT_FILE = /\.(?:ts|mts|cts|js|mjs|cjs|c|h|py|sh|md|graphql|json)$/;
const SKIPPED_DIRECTORIES = new Set(['node_modules', 'out', 'dist', 'test-output']);

function filesUnder(path: string): string[] {
  const absolute = join(ROOT, path);
  if (!existsSync(absolute)) return [];
  if (!readdirSync(join(absolute, '..'), { withFileTypes: true }).find((e) => e.name === path.split('/').pop())?.isDirectory()) {
    return TEXT_FILE.test(path) ? [path] : [];
  }
  return readdirSync(absolute, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return SKIPPED_DIRECTORIES.has(entry.name) ? [] : filesUnder(`${path}/${entry.name}`);
    return TEXT_FILE.test(entry.name) ? [`${path}/${entry.name}`] : [];
  });
}

/** `file:line: text` for every section sign not preceded by the path of a file in this repository. */
export function outsideCitations(file: string, text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, index) => {
    for (let at = line.indexOf(SECTION); at >= 0; at = line.indexOf(SECTION, at + 1)) {
      const cited = /([\w./-]+\.[a-z]+)\s*$/.exec(line.slice(0, at))?.[1];
      if (!cited || !existsSync(join(ROOT, cited))) found.push(`${file}:${index + 1}: ${line.trim()}`);
    }
  });
  return found;
}

/** Headings of a docs/reference file, and for open-questions.md its numbered items. */
function citable(file: string): string[] {
  const text = readFileSync(join(ROOT, 'docs/reference', file), 'utf8');
  return [...text.matchAll(/^(?:#{1,6}\s+(.+)|(\d+)\.\s)/gm)].map((m) => (m[1] ?? `item ${m[2]}`).toLowerCase());
}

/** `file:line: citation` for every `docs/reference/<file>.md (<what>)` whose function number or heading is not there. */
export function danglingReferenceCitations(file: string, text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, index) => {
    for (const [citation, target, what] of line.matchAll(/docs\/reference\/([\w-]+\.md) \(([^()]+)\)/g)) {
      if (!existsSync(join(ROOT, 'docs/reference', target!))) {
        found.push(`${file}:${index + 1}: ${citation} (no such file)`);
        continue;
      }
      const headings = citable(target!);
      const parts = what!.split(/[;,]\s*/).flatMap((part) => (/^\d/.test(part) ? part.split(/\s*[\/–-]\s*/) : [part]));
      const missing = parts.filter((part) => {
        const wanted = part.trim().toLowerCase();
        if (/^\d+$/.test(wanted)) return !headings.includes(`item ${wanted}`);
        if (/^\d\.\d+$/.test(wanted)) return !headings.some((h) => new RegExp(`(^|[^\\d.])${wanted.replace('.', '\\.')}(?![\\d])`).test(h));
        return !headings.some((h) => h.includes(wanted));
      });
      if (missing.length) found.push(`${file}:${index + 1}: ${citation} (not in ${target}: ${missing.join(', ')})`);
    }
  });
  return found;
}

/** The fact sheets the project was started from live outside the repository: nothing here may send a reader there. */
const OUTSIDE_DOCUMENTS = /\b(?:cshis-api\.md|anchors\.md|toolchain\.md|graphql-notes(?:\.md)?|nhi-briefing-2022-11\.txt)|\/work\/shared\//;

describe('citations', () => {
  it('never name the outside fact sheets', () => {
    const self = relative(ROOT, new URL(import.meta.url).pathname);
    const naming = SCANNED.flatMap(filesUnder)
      .filter((file) => file !== self)
      .flatMap((file) =>
        readFileSync(join(ROOT, file), 'utf8')
          .split('\n')
          .flatMap((line, i) => (OUTSIDE_DOCUMENTS.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(naming, 'cite docs/reference/<file>.md instead').toEqual([]);
  });

  it('of docs/reference name a function number or heading that is there', () => {
    const self = relative(ROOT, new URL(import.meta.url).pathname);
    const dangling = SCANNED.flatMap(filesUnder)
      .filter((file) => file !== self)
      .flatMap((file) => danglingReferenceCitations(file, readFileSync(join(ROOT, file), 'utf8')));
    expect(dangling).toEqual([]);
  });

  it('name files in this repository, never sections of an outside document', () => {
    const self = relative(ROOT, new URL(import.meta.url).pathname);
    const offending = SCANNED.flatMap(filesUnder)
      .filter((file) => file !== self)
      .flatMap((file) => outsideCitations(file, readFileSync(join(ROOT, file), 'utf8')));
    expect(offending, 'cite docs/reference/<file>.md (function number or heading) instead').toEqual([]);
  });

  it('knows the reference\'s function numbers and headings', () => {
    expect(danglingReferenceCitations('x.ts', '// docs/reference/buffers.md (1.37) and docs/reference/abi.md (Dates, Big5)')).toEqual([]);
    expect(danglingReferenceCitations('x.ts', '// docs/reference/functions.md (4.5–4.8), docs/reference/open-questions.md (7)')).toEqual([]);
    expect(danglingReferenceCitations('x.ts', '// docs/reference/buffers.md (1.99)')).toHaveLength(1);
    expect(danglingReferenceCitations('x.ts', '// docs/reference/abi.md (Nothing like this)')).toHaveLength(1);
  });

  it('accepts a section of a repository file and refuses one of an outside file', () => {
    expect(outsideCitations('x.ts', `// see docs/security.md ${SECTION}4`)).toEqual([]);
    expect(outsideCitations('x.ts', `// see cshis-api.md ${SECTION}4.1`)).toHaveLength(1);
    expect(outsideCitations('x.ts', `// layout ${SECTION}4.1`)).toHaveLength(1);
  });
});
