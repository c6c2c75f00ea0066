/**
 * Offline GraphiQL (docs/windows.md (Inside the executable), option B): a small HTML page plus the GraphiQL bundle, CSS and
 * Monaco workers served from this process under a content-hashed path, so the browser caches them for
 * good and nothing is fetched from the internet.
 *
 * Where the files come from is a {@link GraphiQLAssetSource}. By default (npm start, tests, Deno) the 9 MB of
 * asset strings are imported from `@graphql-yoga/render-graphiql/graphiql` on first use (not when the gateway
 * is built), and each asset is gzipped once, the first time it is asked for. The single executable embeds
 * them already gzipped (`npm run build` → src/sea-setup.ts) and sets that source instead; the package is
 * then not in its bundle at all. Either way the URLs carry the same content hash.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip as gunzipCallback, gzip as gzipCallback } from 'node:zlib';
import type { GraphiQLOptions, Plugin } from 'graphql-yoga';
import { useRoutes, type Route, type RouteRequest } from './use-routes.ts';

const gzip = promisify(gzipCallback);
const gunzip = promisify(gunzipCallback);

/** Assets live under `${GRAPHIQL_ASSETS_PATH}<content hash>/`. */
export const GRAPHIQL_ASSETS_PATH = '/graphiql-assets/';

const CARD_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
  '<rect x="2" y="6" width="28" height="20" rx="3" fill="#0b7a5a"/>' +
  '<rect x="6" y="12" width="8" height="7" rx="1.5" fill="#f4c542"/>' +
  '<rect x="17" y="13" width="9" height="2" fill="#fff"/><rect x="17" y="17" width="6" height="2" fill="#fff"/></svg>';

/** A small inline SVG favicon (a green card with a chip). */
export const GRAPHIQL_FAVICON = `data:image/svg+xml,${CARD_SVG.replace(/"/g, "'").replace(/</g, '%3C').replace(/>/g, '%3E').replace(/#/g, '%23')}`;
/** Logo markup for GraphiQL's top-right corner (replaces the Yoga logo). */
export const GRAPHIQL_LOGO = CARD_SVG;

/** One GraphiQL file as a source provides it: at least one of `raw` and `gzipped`. */
export interface GraphiQLAssetFile {
  /** e.g. `graphiql.js` */
  readonly name: string;
  readonly contentType: string;
  readonly raw?: Uint8Array<ArrayBuffer>;
  readonly gzipped?: Uint8Array<ArrayBuffer>;
  /**
   * Throws (with a message for the person at the browser) when the bytes are not what was built; called
   * before the file is first served. The single executable checks its embedded files' SHA-256 here rather
   * than at start (src/sea-setup.ts).
   */
  readonly verify?: () => void;
}

export interface GraphiQLAssetSet {
  /** Content hash for the URL path (see {@link graphiqlContentHash}). */
  readonly hash: string;
  readonly files: readonly GraphiQLAssetFile[];
}

/** Where the GraphiQL files come from; called once, on first use. */
export type GraphiQLAssetSource = () => Promise<GraphiQLAssetSet>;

/** The GraphiQL files as the package exports them: `[name, content, content type]`, in URL-hash order. */
export async function graphiqlPackageFiles(): Promise<Array<[name: string, content: string, contentType: string]>> {
  const gi = await import('@graphql-yoga/render-graphiql/graphiql');
  return [
    ['graphiql.js', gi.js, 'text/javascript; charset=utf-8'],
    ['graphiql.css', gi.css, 'text/css; charset=utf-8'],
    ['editor.worker.js', gi.editorWorkerService, 'text/javascript; charset=utf-8'],
    ['json.worker.js', gi.jsonWorker, 'text/javascript; charset=utf-8'],
    ['graphql.worker.js', gi.graphqlWorker, 'text/javascript; charset=utf-8'],
  ];
}

/** The 12-hex-digit hash in the asset URLs: SHA-256 over the files' contents, in order. */
export function graphiqlContentHash(contents: ReadonlyArray<string | Uint8Array>): string {
  const hash = createHash('sha256');
  for (const content of contents) hash.update(content);
  return hash.digest('hex').slice(0, 12);
}

/** The default source: the package's strings, imported on first use. */
export const packageGraphiQLAssets: GraphiQLAssetSource = async () => {
  const files = await graphiqlPackageFiles();
  const encoder = new TextEncoder();
  return {
    hash: graphiqlContentHash(files.map(([, content]) => content)),
    files: files.map(([name, content, contentType]) => ({ name, contentType, raw: encoder.encode(content) })),
  };
};

let source: GraphiQLAssetSource = packageGraphiQLAssets;

/** Replaces where the GraphiQL files come from (the single executable's embedded, pre-gzipped copies). */
export function setGraphiQLAssetSource(next: GraphiQLAssetSource): void {
  source = next;
  assets = undefined;
}

interface Asset {
  readonly contentType: string;
  verify: (() => void) | undefined;
  raw: Promise<Uint8Array<ArrayBuffer>> | undefined;
  gzipped: Promise<Uint8Array<ArrayBuffer>> | undefined;
}

interface Assets {
  /** e.g. `/graphiql-assets/3be78f1cdd9f/` */
  readonly base: string;
  readonly files: ReadonlyMap<string, Asset>;
}

let assets: Promise<Assets> | undefined;

function loadAssets(): Promise<Assets> {
  assets ??= source().then(({ hash, files }) => ({
    base: `${GRAPHIQL_ASSETS_PATH}${hash}/`,
    files: new Map(
      files.map((file) => [
        file.name,
        {
          contentType: file.contentType,
          verify: file.verify,
          raw: file.raw && Promise.resolve(file.raw),
          gzipped: file.gzipped && Promise.resolve(file.gzipped),
        },
      ]),
    ),
  }));
  return assets;
}

/** The asset's bytes in the wanted coding, derived once from the other coding when needed. */
function bytesOf(asset: Asset, coding: 'raw' | 'gzipped'): Promise<Uint8Array<ArrayBuffer>> {
  if (coding === 'gzipped') {
    asset.gzipped ??= asset.raw!.then((raw) => gzip(raw)).then((buffer) => new Uint8Array(buffer));
    return asset.gzipped;
  }
  asset.raw ??= asset.gzipped!.then((gzipped) => gunzip(gzipped)).then((buffer) => new Uint8Array(buffer));
  return asset.raw;
}

function acceptsGzip(request: Request): boolean {
  // Enough for browsers and fetch clients; a `gzip;q=0` opt-out is honoured too.
  const header = request.headers.get('accept-encoding') ?? '';
  return header.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') return false;
    return !params.some((p) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(p));
  });
}

/**
 * Serves the GraphiQL assets under {@link GRAPHIQL_ASSETS_PATH}; unknown names under it get 404. A route for
 * src/plugins/use-routes.ts.
 */
export function graphiqlAssetsRoute(): Route {
  const serve = async ({ url, request, endResponse, fetchAPI }: RouteRequest): Promise<void> => {
    const { base, files } = await loadAssets();
    const asset = url.pathname.startsWith(base) ? files.get(url.pathname.slice(base.length)) : undefined;
    if (!asset || (request.method !== 'GET' && request.method !== 'HEAD')) {
      endResponse(new fetchAPI.Response(null, { status: asset ? 405 : 404 }));
      return;
    }
    try {
      asset.verify?.();
      asset.verify = undefined; // checked once
    } catch (error) {
      // A damaged file is refused, never served: 500 with the reason (it names the file and what to do).
      const text = `${error instanceof Error ? error.message : String(error)}\n`;
      endResponse(new fetchAPI.Response(text, { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' } }));
      return;
    }
    const headers: Record<string, string> = {
      'content-type': asset.contentType,
      'cache-control': 'public, max-age=31536000, immutable',
      vary: 'accept-encoding',
      'x-content-type-options': 'nosniff',
    };
    const gzipped = acceptsGzip(request);
    const body = await bytesOf(asset, gzipped ? 'gzipped' : 'raw');
    if (gzipped) headers['content-encoding'] = 'gzip';
    headers['content-length'] = String(body.byteLength);
    endResponse(new fetchAPI.Response(request.method === 'HEAD' ? null : body, { status: 200, headers }));
  };
  return { prefixes: [GRAPHIQL_ASSETS_PATH], handle: serve };
}

/** {@link graphiqlAssetsRoute} as a plugin of its own (for a yoga without the gateway's router). */
export function useGraphiQLAssets(): Plugin {
  return useRoutes([graphiqlAssetsRoute()]);
}

/** JSON for an inline <script>: `<` escaped so no string can close the script element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  // Enough for text and double-quoted attributes.
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * `renderGraphiQL` for yoga: about 1 KB of HTML that loads the assets from this process. The options are
 * passed to `YogaGraphiQL.renderYogaGraphiQL` as given (title and favicon also go into the page head).
 */
export async function renderOfflineGraphiQL(options: GraphiQLOptions): Promise<string> {
  const { base } = await loadAssets();
  const { favicon = GRAPHIQL_FAVICON, ...rest } = options;
  const title = options.title ?? 'GraphiQL';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="${escapeHtml(favicon)}">
<link rel="stylesheet" href="${base}graphiql.css">
</head>
<body id="body" class="no-focus-outline">
<noscript>GraphiQL needs JavaScript.</noscript>
<div id="root"></div>
<script>
self.MonacoEnvironment = {
  globalAPI: false,
  getWorkerUrl: function (_moduleId, label) {
    return ${scriptJson(base)} + ({ json: 'json.worker.js', graphql: 'graphql.worker.js' }[label] || 'editor.worker.js');
  },
};
</script>
<script src="${base}graphiql.js"></script>
<script>
YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), ${scriptJson(rest)});
</script>
</body>
</html>
`;
}
