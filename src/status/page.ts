/**
 * The status page's HTML. Assets are TypeScript string modules (not files read at run time) so the single
 * executable embeds them with the rest of the bundle. Everything is served by the gateway itself: no CDN,
 * no web font, no framework.
 */
import { STATUS_LEVELS, STATUS_SLOTS } from './labels.ts';

export interface StatusPageOptions {
  /** Compact layout for an <iframe> (two lights and one status line). */
  readonly embed: boolean;
  /** Base path of the page's assets, e.g. `/status/`. */
  readonly assetBase: string;
  /** Pairing codes waiting for a HIS page (full page only; docs/security.md, "Pairing"). */
  readonly pairing?: ReadonlyArray<{ readonly origin: string; readonly code: string; readonly expiresAt: string }>;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A code the user types into the HIS page that asked to pair; shown on this machine only. */
function pairingPanel(pending: NonNullable<StatusPageOptions['pairing']>): string {
  if (pending.length === 0) return '';
  const rows = pending
    .map(
      (p) =>
        `<li><b>${escapeHtml(p.origin)}</b>: <code class="pairing-code" data-testid="pairing-code" data-origin="${escapeHtml(p.origin)}">${escapeHtml(p.code)}</code>` +
        ` <span class="muted">(${escapeHtml(p.expiresAt)})</span></li>`,
    )
    .join('\n');
  return `<section class="panel pairing" aria-labelledby="pairing-title">
  <h2 id="pairing-title">網頁配對碼 <span class="en" lang="en">Pairing codes</span></h2>
  <p>只在您自己要求配對時，才在該網頁輸入此碼。<span class="en" lang="en">Type a code into the page only if you asked that page to pair.</span></p>
  <ul>${rows}</ul>
</section>`;
}

const LOGO =
  '<svg class="logo" viewBox="0 0 32 32" aria-hidden="true" focusable="false">' +
  '<rect x="2" y="6" width="28" height="20" rx="3" fill="#0b7a5a"/>' +
  '<rect x="6" y="12" width="8" height="7" rx="1.5" fill="#f4c542"/>' +
  '<rect x="17" y="13" width="9" height="2" fill="#fff"/><rect x="17" y="17" width="6" height="2" fill="#fff"/></svg>';

function readerCard(slot: keyof typeof STATUS_SLOTS): string {
  const { zh, en } = STATUS_SLOTS[slot];
  return `<article class="reader" data-slot="${slot}" aria-labelledby="title-${slot}">
  <div class="light" id="light-${slot}" data-testid="light-${slot}" data-level="" data-colour="" role="img" aria-label="${zh} ${en}: …">
    <span class="light-level" aria-hidden="true">–</span>
  </div>
  <div class="reader-text">
    <h2 id="title-${slot}">${zh} <span class="en" lang="en">${en}</span></h2>
    <p class="light-text" id="light-text-${slot}" data-testid="light-text-${slot}">連線中… <span class="en" lang="en">Connecting…</span></p>
    <p class="reader-name" id="reader-name-${slot}"></p>
    <p class="card-session" id="card-session-${slot}" data-testid="card-session-${slot}" data-session=""></p>
  </div>
</article>`;
}

function legend(): string {
  const rows = STATUS_LEVELS.map(
    (l) =>
      `<li><span class="swatch" data-colour="${l.colour}" aria-hidden="true">${l.level}</span>` +
      `<span><b>${l.level} · ${l.colourZh}</b> <span class="en" lang="en">${l.colourEn}</span> — ${l.zh} <span class="en" lang="en">${l.en}</span></span></li>`,
  ).join('\n');
  return `<section class="panel legend" aria-labelledby="legend-title">
  <h2 id="legend-title">燈號說明 <span class="en" lang="en">What the lights mean</span></h2>
  <ul>${rows}</ul>
  <p class="note">與健保署雲端安全模組主控台 (CSWATCH) 的燈號顏色相同。<span class="en" lang="en">Same colours as the NHI console’s light window (CSWATCH).</span></p>
</section>`;
}

/** The page. Scripts and styles are separate files so the CSP can forbid inline code. */
export function renderStatusPage(options: StatusPageOptions): string {
  const base = options.assetBase;
  const full = !options.embed;
  return `<!doctype html>
<html lang="zh-Hant-TW">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>讀卡機狀態 · Card reader status — NHI Card Gateway</title>
<link rel="icon" href="${base}favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${base}status.css">
<script src="${base}status.js" defer></script>
</head>
<body class="${options.embed ? 'embed' : 'full'}">
<header class="top">
  <div class="brand">${LOGO}
    <div>
      <h1>讀卡機狀態 <span class="en" lang="en">Card reader status</span></h1>
      <p class="sub">NHI Card Gateway <span id="gateway-version"></span> · <span id="gateway-backend">…</span></p>
    </div>
  </div>
  <div class="connection" id="connection" data-state="connecting" role="status">
    <span class="dot" aria-hidden="true"></span><span id="connection-text">連線中… <span class="en" lang="en">Connecting…</span></span>
  </div>
</header>
<main>
${full ? pairingPanel(options.pairing ?? []) : ''}
<section class="lights" aria-label="燈號 Lights">
${readerCard('HEALTH_CARD')}
${readerCard('PROFESSIONAL_CARD')}
</section>
<section class="panels">
  <section class="panel backend" aria-labelledby="backend-title">
    <h2 id="backend-title">後端狀態 <span class="en" lang="en">Backend</span></h2>
    <p><span class="badge" id="ready-state" data-testid="ready-state" data-ready="">檢查中… <span class="en" lang="en">Checking…</span></span></p>
    <ul class="reasons" id="ready-reasons"></ul>
  </section>
  <section class="panel last-error" aria-labelledby="error-title">
    <h2 id="error-title">最近錯誤 <span class="en" lang="en">Last error</span></h2>
    <p id="last-error" data-testid="last-error" class="muted">無 <span class="en" lang="en">None</span></p>
  </section>
  <section class="panel readers" aria-labelledby="readers-title">
    <h2 id="readers-title">讀卡機 <span class="en" lang="en">Readers</span></h2>
    <ul id="readers" data-testid="readers" class="readers-list"><li class="muted">…</li></ul>
  </section>
${
  full
    ? `  <section class="panel events" aria-labelledby="events-title">
    <h2 id="events-title">讀卡機與卡片事件 <span class="en" lang="en">Reader and card events</span></h2>
    <ol id="events" data-testid="events" class="events-list"><li class="muted empty">尚無事件 <span class="en" lang="en">No events yet</span></li></ol>
  </section>
${legend()}`
    : `  <p class="embed-line" id="embed-line"><span id="last-event">尚無事件 <span class="en" lang="en">No events yet</span></span></p>`
}
</section>
</main>
<div class="visually-hidden" aria-live="polite" id="announcer"></div>
<noscript><p class="panel">此頁需要 JavaScript。This page needs JavaScript.</p></noscript>
</body>
</html>
`;
}

export const STATUS_FAVICON = LOGO.replace('class="logo" ', 'xmlns="http://www.w3.org/2000/svg" ').replace(' aria-hidden="true" focusable="false"', '');
