/**
 * The client kit type-checks with nothing but the dependencies client/package.json declares: client/ is copied
 * to a temporary folder whose node_modules holds only links to those packages (the repository's node_modules is
 * out of reach), and the real TypeScript compiler checks it there. A probe importing a package the kit does not
 * declare must fail in the same run, which proves the copy really cannot see anything else.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLIENT = join(ROOT, 'client');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/**
 * Repository tooling kept in client/ that runs from the repository (code generators, the example's dev server,
 * and the desk day, a Node program that brings the repository's `ws` for Node versions without a global WebSocket).
 */
const TOOLING = ['codegen.ts', 'build-errors.ts', 'examples/registration-desk/serve.ts', 'examples/desk-day.ts'];

const manifest = JSON.parse(readFileSync(join(CLIENT, 'package.json'), 'utf8')) as {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};
const declared = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies });

let dir: string;
let output: string;
let exitCode: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nhi-client-kit-'));
  const kit = join(dir, 'client');
  cpSync(CLIENT, kit, { recursive: true, filter: (source) => !source.includes('node_modules') });
  for (const name of declared) {
    const link = join(kit, 'node_modules', ...name.split('/'));
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', ...name.split('/')), link, 'dir');
  }
  writeFileSync(join(kit, 'probe-undeclared.ts'), "import type { TypedDocumentNode } from '@graphql-typed-document-node/core';\nexport type Probe = TypedDocumentNode;\n");
  // Standalone on purpose: not extending the repository's tsconfig, no @types packages.
  writeFileSync(
    join(kit, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noUncheckedIndexedAccess: true,
        noImplicitOverride: true,
        allowImportingTsExtensions: true,
        noEmit: true,
        skipLibCheck: true,
        types: [],
        lib: ['ES2023', 'DOM', 'DOM.Iterable'],
      },
      include: ['**/*.ts'],
      exclude: ['node_modules', ...TOOLING],
    }),
  );
  const run = promisify(execFile);
  try {
    const { stdout } = await run(process.execPath, [TSC, '-p', 'tsconfig.json', '--pretty', 'false', '--listFiles'], { cwd: kit });
    output = stdout;
    exitCode = 0;
  } catch (error) {
    const failed = error as { stdout?: string; code?: number };
    output = failed.stdout ?? String(error);
    exitCode = failed.code ?? -1;
  }
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('client kit with only its declared dependencies', () => {
  it('declares graphql and graphql-ws, and no longer @graphql-typed-document-node/core', () => {
    expect(declared.sort()).toEqual(['graphql', 'graphql-ws']);
  });

  it('generated operations take TypedDocumentNode from the kit itself', () => {
    const generated = readFileSync(join(CLIENT, 'generated', 'graphql.ts'), 'utf8');
    expect(generated).toContain("import type { TypedDocumentNode as DocumentNode } from '../src/typed-document.ts';");
    expect(generated).not.toContain('@graphql-typed-document-node');
  });

  it('type-checks: the only error is the probe importing an undeclared package', () => {
    const errors = output.split('\n').filter((line) => /error TS\d+/.test(line));
    expect(exitCode, output).not.toBe(0);
    expect(errors, output).toHaveLength(1);
    expect(errors[0]).toMatch(/^probe-undeclared\.ts\(1,\d+\): error TS2307: Cannot find module '@graphql-typed-document-node\/core'/);
  });

  it('checked the whole kit, reading nothing from the repository but the declared packages and TypeScript’s libs', () => {
    const files = output.split('\n').filter((line) => line.startsWith('/'));
    const kit = join(dir, 'client');
    const kitFiles = files.filter((f) => f.startsWith(kit)).map((f) => relative(kit, f));
    expect(kitFiles).toEqual(expect.arrayContaining(['index.ts', 'src/client.ts', 'src/transports/ws.ts', 'src/transports/sse.ts', 'generated/graphql.ts', 'examples/registration-desk/app.ts']));
    const outside = files.filter((f) => !f.startsWith(kit));
    // node_modules may itself be a link (worktrees share one install): compare real paths.
    const real = (...parts: string[]) => realpathSync(join(ROOT, 'node_modules', ...parts)) + '/';
    const allowed = [...declared.map((name) => real(name)), real('typescript', 'lib')];
    expect(outside.filter((f) => !allowed.some((prefix) => f.startsWith(prefix)))).toEqual([]);
  });
});
