/**
 * Offline GraphiQL (graphql-notes §4, option B): a small HTML page plus the GraphiQL bundle, CSS and
 * Monaco workers served from this process under a content-hashed path, so the browser caches them for
 * good and nothing is fetched from the internet.
 *
 * The 9 MB of asset strings are imported on first use (not when the gateway is built), and each asset is
 * gzipped once, the first time it is asked for.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { GraphiQLOptions, Plugin } from 'graphql-yoga';

const gzip = promisify(gzipCallback);

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

interface Asset {
  readonly contentType: string;
  readonly raw: Uint8Array<ArrayBuffer>;
  gzipped?: Promise<Uint8Array<ArrayBuffer>>;
}

interface Assets {
  /** e.g. `/graphiql-assets/3be78f1cdd9f/` */
  readonly base: string;
  readonly files: ReadonlyMap<string, Asset>;
}

let assets: Promise<Assets> | undefined;

function loadAssets(): Promise<Assets> {
  assets ??= import('@graphql-yoga/render-graphiql/graphiql').then((gi) => {
    const sources: Array<[string, string, string]> = [
      ['graphiql.js', gi.js, 'text/javascript; charset=utf-8'],
      ['graphiql.css', gi.css, 'text/css; charset=utf-8'],
      ['editor.worker.js', gi.editorWorkerService, 'text/javascript; charset=utf-8'],
      ['json.worker.js', gi.jsonWorker, 'text/javascript; charset=utf-8'],
      ['graphql.worker.js', gi.graphqlWorker, 'text/javascript; charset=utf-8'],
    ];
    const hash = createHash('sha256');
    for (const [, content] of sources) hash.update(content);
    const encoder = new TextEncoder();
    return {
      base: `${GRAPHIQL_ASSETS_PATH}${hash.digest('hex').slice(0, 12)}/`,
      files: new Map(sources.map(([name, content, contentType]) => [name, { contentType, raw: encoder.encode(content) }])),
    };
  });
  return assets;
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

/** Serves the GraphiQL assets under {@link GRAPHIQL_ASSETS_PATH}; unknown names under it get 404. */
export function useGraphiQLAssets(): Plugin {
  return {
    async onRequest({ url, request, endResponse, fetchAPI }) {
      if (!url.pathname.startsWith(GRAPHIQL_ASSETS_PATH)) return;
      const { base, files } = await loadAssets();
      const asset = url.pathname.startsWith(base) ? files.get(url.pathname.slice(base.length)) : undefined;
      if (!asset || (request.method !== 'GET' && request.method !== 'HEAD')) {
        endResponse(new fetchAPI.Response(null, { status: asset ? 405 : 404 }));
        return;
      }
      const headers: Record<string, string> = {
        'content-type': asset.contentType,
        'cache-control': 'public, max-age=31536000, immutable',
        vary: 'accept-encoding',
        'x-content-type-options': 'nosniff',
      };
      let body = asset.raw;
      if (acceptsGzip(request)) {
        asset.gzipped ??= gzip(asset.raw).then((buffer) => new Uint8Array(buffer));
        body = await asset.gzipped;
        headers['content-encoding'] = 'gzip';
      }
      headers['content-length'] = String(body.byteLength);
      endResponse(new fetchAPI.Response(request.method === 'HEAD' ? null : body, { status: 200, headers }));
    },
  };
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
