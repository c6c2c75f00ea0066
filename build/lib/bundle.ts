/**
 * The esbuild bundle of the gateway for the single executable: src/bin.ts → one CommonJS file (SEA runs
 * CommonJS only in Node 22).
 *
 * - `--external:@koromix/*`: koffi's native packages hold `.node` files that cannot be bundled; koffi's own
 *   loader then finds koffi.node under `process.resourcesPath` (src/sea-setup.ts puts it there).
 * - `process.env.NODE_ENV` is "production", so yoga and its dependencies leave their development behaviour off.
 * - `@graphql-yoga/render-graphiql/graphiql` (9 MB of strings) is replaced by a module that throws: the
 *   executable serves the pre-gzipped copies embedded as SEA assets instead (src/bin.ts), so this keeps
 *   9 MB out of the bundle and makes any path that would still reach the package fail loudly.
 * - No keepNames. It wraps every function expression created at run time in a call that defines its `name`
 *   — dependencies included, several per request in yoga, envelop and @whatwg-node — and cost the bundled
 *   gateway ~40 % more CPU per request (`npm run bench -- gateway-bundle`, BENCHMARKS.md). Nothing depends on
 *   a function's or class's name: no code of ours reads `fn.name` or `constructor.name` (error names are
 *   Error's default or set explicitly), GraphQL type names are spelled out (schema/errors.ts), graphql-js'
 *   GraphQLError sets its own, and identifiers are not minified, so names change only where two modules'
 *   top-level names collide (esbuild appends a digit: seen in stack traces at most).
 * - ASCII only (build/lib/ascii-source.ts): one non-ASCII character would make V8 hold the whole source at
 *   two bytes a character.
 * - Minified for whitespace and syntax only, never identifiers: names in stack traces stay readable (their
 *   line and column point into the one-line bundle).
 */
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { asciiBundle } from './ascii-source.ts';

export const GRAPHIQL_PACKAGE_MODULE = '@graphql-yoga/render-graphiql/graphiql';

const embeddedGraphiQLOnly: Plugin = {
  name: 'embedded-graphiql-only',
  setup(b) {
    const filter = new RegExp(`^${GRAPHIQL_PACKAGE_MODULE.replace(/[/.-]/g, '\\$&')}$`);
    b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'embedded-graphiql-only' }));
    b.onLoad({ filter: /.*/, namespace: 'embedded-graphiql-only' }, () => ({
      contents:
        `throw new Error(${JSON.stringify(
          `${GRAPHIQL_PACKAGE_MODULE} is not in the executable: GraphiQL is served from the embedded assets (src/bin.ts)`,
        )});`,
      loader: 'js',
    }));
  },
};

/**
 * One graphql-js in the bundle: the ES modules, which esbuild can hoist and tree-shake (the CommonJS build is
 * evaluated whole at start). A deep CommonJS import such as graphql-armor-max-tokens'
 * `require('graphql/language/parser')` would otherwise pull in a second copy of the parser and GraphQLError
 * from the `.js` files, whose errors the ESM copy's `instanceof` would not recognise.
 */
const oneGraphqlJs: Plugin = {
  name: 'one-graphql-js',
  setup(b) {
    b.onResolve({ filter: /^graphql\/.+/ }, async (args) => {
      if (args.pluginData === 'one-graphql-js') return undefined;
      const resolved = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'one-graphql-js' });
      if (resolved.errors.length > 0 || !resolved.path.endsWith('.js')) return resolved;
      const esm = resolved.path.replace(/\.js$/, '.mjs');
      return existsSync(esm) ? { path: esm } : resolved;
    });
  },
};

/**
 * iconv-lite's tables of the East Asian encodings the gateway never decodes (Japanese, Simplified Chinese,
 * Korean): about 300 KB of the bundle's source, parsed and held by every start. iconv-lite requires a table
 * only when its encoding is first used, so the stand-in throws then, naming the table; the Big5/CP950 tables
 * (src/codecs/big5.ts) stay.
 */
export const UNUSED_ICONV_TABLES = ['shiftjis', 'eucjp', 'cp936', 'gbk-added', 'gb18030-ranges', 'cp949'] as const;

const onlyBig5Tables: Plugin = {
  name: 'only-big5-tables',
  setup(b) {
    const filter = new RegExp(`[\\\\/]iconv-lite[\\\\/]encodings[\\\\/]tables[\\\\/](${UNUSED_ICONV_TABLES.join('|')})\\.json$`);
    b.onLoad({ filter }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`iconv-lite table ${args.path.split(/[\\/]/).pop()} is not in the executable (build/lib/bundle.ts)`)});`,
      loader: 'js',
    }));
  },
};

/**
 * @whatwg-node/server decides whether to make its own abort signals by comparing yoga's `Request` with
 * `globalThis.Request`. Reading that global makes Node load its internal undici (fetch), ~3 MiB of memory at
 * start (docs/performance.md, "Idle and peak memory") that the gateway never uses: yoga's fetch API on Node is
 * @whatwg-node/node-fetch's (`DefaultFetchAPI` there), whose `Request` is never the native one. So when yoga's
 * `Request` is that default, the comparison's answer (different) is given without reading the global; any other
 * `Request` is still compared. The build fails if the source no longer has the expression.
 */
export const UNDICI_PROBE = {
  file: /[\\/]@whatwg-node[\\/]server[\\/]esm[\\/]createServerAdapter\.js$/,
  from: 'fetchAPI.Request !== globalThis.Request',
  to: '(fetchAPI.Request === DefaultFetchAPI.Request || fetchAPI.Request !== globalThis.Request)',
} as const;

const noUndiciProbe: Plugin = {
  name: 'no-undici-probe',
  setup(b) {
    b.onLoad({ filter: UNDICI_PROBE.file }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes(UNDICI_PROBE.from) || !source.includes('import * as DefaultFetchAPI from')) {
        return { errors: [{ text: `${args.path} no longer compares "${UNDICI_PROBE.from}": review build/lib/bundle.ts (no-undici-probe)` }] };
      }
      return { contents: source.replace(UNDICI_PROBE.from, UNDICI_PROBE.to), loader: 'js' };
    });
  },
};

/**
 * Node's `https` and `tls` modules, which dependencies require at load only to use them later for outgoing TLS
 * connections the gateway does not make at start (or ever: a pushgateway, a WebSocket client, curl): loading
 * them (and with `tls` OpenSSL's TLS state; with NODE_EXTRA_CA_CERTS set, those certificates too) cost ~2.5 MiB
 * of resident memory for as long as the gateway runs (docs/performance.md, "Idle and peak memory"). Each of
 * these `require`s becomes an object whose getters load the module when a property is first read; only the
 * properties each file reads are forwarded, and the build fails if a file no longer has the expected line.
 * src/adapters/webapi/https-transport.ts loads them at its first request the same way.
 */
export const LAZY_TLS_REQUIRES: ReadonlyArray<{ readonly file: RegExp; readonly line: string; readonly module: string; readonly props: readonly string[] }> = [
  { file: /[\\/]prom-client[\\/]lib[\\/]pushgateway\.js$/, line: "const https = require('https');", module: 'https', props: ['request'] },
  { file: /[\\/]@whatwg-node[\\/]node-fetch[\\/]cjs[\\/]fetchNodeHttp\.js$/, line: 'const node_https_1 = require("node:https");', module: 'node:https', props: ['request'] },
  { file: /[\\/]@whatwg-node[\\/]node-fetch[\\/]cjs[\\/]Request\.js$/, line: 'const node_https_1 = require("node:https");', module: 'node:https', props: ['Agent'] },
  { file: /[\\/]@whatwg-node[\\/]node-fetch[\\/]cjs[\\/]fetchCurl\.js$/, line: 'const node_tls_1 = require("node:tls");', module: 'node:tls', props: ['rootCertificates'] },
  { file: /[\\/]ws[\\/]lib[\\/]websocket\.js$/, line: "const https = require('https');", module: 'https', props: ['request'] },
  { file: /[\\/]ws[\\/]lib[\\/]websocket\.js$/, line: "const tls = require('tls');", module: 'tls', props: ['connect'] },
];

/** `const x = require('m');` → `const x = { get p() { return require('m').p; } };` (Node caches the module). */
export function lazyRequireLine(line: string, module: string, props: readonly string[]): string {
  const name = /^const (\w+) = /.exec(line)?.[1];
  if (!name) throw new Error(`not a require line: ${line}`);
  const getters = props.map((p) => `get ${p}() { return require(${JSON.stringify(module)}).${p}; }`).join(', ');
  return `const ${name} = { ${getters} };`;
}

const lazyTlsRequires: Plugin = {
  name: 'lazy-tls-requires',
  setup(b) {
    const files = new RegExp(LAZY_TLS_REQUIRES.map((r) => r.file.source).join('|'));
    b.onLoad({ filter: files }, (args) => {
      let source = readFileSync(args.path, 'utf8');
      for (const r of LAZY_TLS_REQUIRES.filter((entry) => entry.file.test(args.path))) {
        if (source.split(r.line).length !== 2) {
          return { errors: [{ text: `${args.path} no longer has exactly one "${r.line}": review build/lib/bundle.ts (lazy-tls-requires)` }] };
        }
        source = source.replace(r.line, lazyRequireLine(r.line, r.module, r.props));
      }
      return { contents: source, loader: 'js' };
    });
  },
};

/**
 * koffi's own bundle imports `node:util` through esbuild's ES-module wrapper, which reads every property
 * descriptor of the module: in Node 22 that loads each of util's lazily loaded parts (parseArgs, streams,
 * worker_threads, the SIGINT tracer, diff …), ~30 built-in modules, before the port is bound (koffi is loaded
 * then: src/sea-setup.ts). koffi uses only `.default` of it (`util.deprecate`), so the wrapper is replaced
 * by an object holding that default. The build fails if the line changes (docs/performance.md, "Start-up").
 */
export const KOFFI_UTIL_IMPORT = {
  file: /[\\/]koffi[\\/]src[\\/]koffi[\\/]index\.cjs$/,
  line: 'import_node_util = __toESM(require("node:util"));',
  to: 'import_node_util = { default: require("node:util") };',
} as const;

const koffiPlainUtil: Plugin = {
  name: 'koffi-plain-util',
  setup(b) {
    b.onLoad({ filter: KOFFI_UTIL_IMPORT.file }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const uses = source.match(/import_node_util\.\w+/g) ?? [];
      if (source.split(KOFFI_UTIL_IMPORT.line).length !== 2 || uses.some((use) => use !== 'import_node_util.default')) {
        return { errors: [{ text: `${args.path} no longer imports node:util as "${KOFFI_UTIL_IMPORT.line}" and uses only its default: review build/lib/bundle.ts (koffi-plain-util)` }] };
      }
      return { contents: source.replace(KOFFI_UTIL_IMPORT.line, KOFFI_UTIL_IMPORT.to), loader: 'js' };
    });
  },
};

export interface BundleResult {
  readonly path: string;
  readonly bytes: number;
  readonly warnings: readonly string[];
}

/**
 * The esbuild options of the executable's bundle, for any entry point: bench/gateway-bundle.ts bundles the
 * benchmark's server with exactly these, to measure what the executable runs.
 */
export function gatewayBundleOptions(root: string, entry: string, outfile: string): BuildOptions {
  return {
    absWorkingDir: root,
    entryPoints: [join(root, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['@koromix/*'],
    mainFields: ['module', 'main'],
    define: { 'process.env.NODE_ENV': '"production"' },
    keepNames: false,
    // Whitespace and syntax only (identifiers keep their names, as stack traces need): 30 % less source for
    // V8 to hold and lazily compile; ~3 MiB lower peak at start (docs/performance.md). NHI_BUILD_MINIFY=0: off.
    minifyWhitespace: process.env['NHI_BUILD_MINIFY'] !== '0',
    minifySyntax: process.env['NHI_BUILD_MINIFY'] !== '0',
    legalComments: 'none',
    logLevel: 'silent',
    // `import.meta` is empty in CommonJS; the modules that use it check for that (src/main.ts,
    // src/adapters/cshis/native.ts), so esbuild's warning about it is expected.
    logOverride: { 'empty-import-meta': 'silent' },
    plugins: [embeddedGraphiQLOnly, oneGraphqlJs, onlyBig5Tables, noUndiciProbe, lazyTlsRequires, koffiPlainUtil],
  };
}

export async function bundleGateway(root: string, outfile: string): Promise<BundleResult> {
  const result = await build(gatewayBundleOptions(root, 'src/bin.ts', outfile));
  const warnings = result.warnings.map((w) => `${w.location?.file ?? ''}:${w.location?.line ?? ''} ${w.text}`);
  // ASCII only, or V8 holds the source at two bytes a character (build/lib/ascii-source.ts).
  writeFileSync(outfile, asciiBundle(readFileSync(outfile, 'utf8'), 'the bundle'));
  return { path: outfile, bytes: readFileSync(outfile).byteLength, warnings };
}
