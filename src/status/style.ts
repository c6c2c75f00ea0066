/**
 * The status page's stylesheet. Colours of the lights follow the console (white, brown, green/orange, light
 * purple); every light also carries its level number and a text label, so colour is never the only signal.
 */
export const STATUS_CSS = `
:root {
  --bg: #f3f5f7; --card: #ffffff; --ink: #1c2630; --muted: #5b6875; --line: #dde3e8; --accent: #0b7a5a;
  --white: #ffffff; --brown: #8a5a2b; --green: #1e9b52; --orange: #ef8a17; --purple: #c6a4ea;
  --ok: #1e7f4c; --ok-bg: #e4f4ea; --bad: #b42318; --bad-bg: #fdecea; --warn-bg: #fff6e0;
  font-family: "Segoe UI", "Microsoft JhengHei", "PingFang TC", "Noto Sans CJK TC", "Noto Sans TC", system-ui, sans-serif;
  color: var(--ink);
}
* { box-sizing: border-box; }
body { margin: 0; line-height: 1.45; background: var(--bg); }
h1, h2 { margin: 0; font-weight: 600; }
h1 { font-size: 1.3rem; }
h2 { font-size: 1rem; }
.en { color: var(--muted); font-weight: 400; }
.muted { color: var(--muted); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

.top { display: flex; justify-content: space-between; align-items: center; gap: 1rem; padding: 1rem 1.5rem;
  background: var(--card); border-bottom: 1px solid var(--line); }
.brand { display: flex; align-items: center; gap: .8rem; }
.logo { width: 40px; height: 40px; flex: none; }
.sub { margin: .1rem 0 0; color: var(--muted); font-size: .85rem; }
.connection { display: inline-flex; align-items: center; gap: .5rem; padding: .35rem .8rem; border-radius: 999px;
  background: var(--warn-bg); font-size: .85rem; white-space: nowrap; }
.connection .dot { width: .6rem; height: .6rem; border-radius: 50%; background: #c98a00; }
.connection[data-state="live"] { background: var(--ok-bg); }
.connection[data-state="live"] .dot { background: var(--ok); }
.connection[data-state="down"] { background: var(--bad-bg); }
.connection[data-state="down"] .dot { background: var(--bad); }

main { max-width: 980px; margin: 0 auto; padding: 1.25rem 1.5rem 2rem; }
.lights { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(280px, 100%), 1fr)); gap: 1rem; }
.reader { display: flex; align-items: center; gap: 1.1rem; padding: 1.1rem 1.25rem; background: var(--card);
  border: 1px solid var(--line); border-radius: 14px; box-shadow: 0 1px 2px rgba(16, 24, 40, .05); }
.reader-text { min-width: 0; }
.light-text { margin: .3rem 0 0; font-size: 1.02rem; font-weight: 600; }
.light-text .en { font-weight: 400; font-size: .9rem; }
.reader-name { margin: .2rem 0 0; color: var(--muted); font-size: .8rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.card-session { margin: .2rem 0 0; font-size: .8rem; font-family: ui-monospace, monospace; overflow-wrap: anywhere; }

.light { flex: none; width: 76px; height: 76px; border-radius: 50%; display: grid; place-items: center;
  border: 3px solid #c3cad1; background: #eef1f4; color: var(--muted); font-size: 1.6rem; font-weight: 700;
  transition: background-color .25s ease, box-shadow .25s ease, border-color .25s ease; }
.light[data-colour="WHITE"] { background: var(--white); border-color: #b8c0c8; color: #46525e; box-shadow: inset 0 0 0 6px #f1f3f5; }
.light[data-colour="BROWN"] { background: var(--brown); border-color: #6b431f; color: #fff; box-shadow: 0 0 0 6px rgba(138, 90, 43, .16); }
.light[data-colour="GREEN"] { background: var(--green); border-color: #167a40; color: #fff; box-shadow: 0 0 0 6px rgba(30, 155, 82, .18); }
.light[data-colour="ORANGE"] { background: var(--orange); border-color: #c56d0c; color: #1c1206; box-shadow: 0 0 0 6px rgba(239, 138, 23, .2); }
.light[data-colour="PURPLE"] { background: var(--purple); border-color: #9a76c4; color: #2e1748; box-shadow: 0 0 0 6px rgba(198, 164, 234, .3); }

.panels { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1rem; margin-top: 1rem; }
.panel { min-width: 0; overflow-wrap: anywhere; }
.panel { background: var(--card); border: 1px solid var(--line); border-radius: 14px; padding: 1rem 1.25rem; }
.panel h2 { margin-bottom: .6rem; }
.events, .legend, .readers { grid-column: 1 / -1; }
/* Readers wrap onto new rows and long reader names wrap inside their own cell: a HIS embeds this in narrow panels. */
.readers-list { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(min(300px, 100%), 1fr)); gap: .5rem 1.5rem; }
.readers-list li { display: flex; flex-wrap: wrap; align-items: center; gap: .2rem .6rem; font-size: .92rem; min-width: 0; overflow-wrap: anywhere; }
.readers-list li > * { min-width: 0; }
.readers-list .reader-level { color: var(--muted); font-size: .85rem; }
.badge { display: inline-block; padding: .2rem .7rem; border-radius: 999px; font-weight: 600; background: #eef1f4; }
.badge[data-ready="true"] { background: var(--ok-bg); color: var(--ok); }
.badge[data-ready="false"] { background: var(--bad-bg); color: var(--bad); }
.badge .en { color: inherit; opacity: .8; }
.reasons { margin: .5rem 0 0; padding-left: 1.2rem; color: var(--bad); font-size: .9rem; }
#last-error { margin: 0; }
#last-error.has-error { color: var(--bad); }
#last-error time { display: block; color: var(--muted); font-size: .8rem; }

.events-list { list-style: none; margin: 0; padding: 0; max-height: 320px; overflow: auto; }
.events-list li { display: grid; grid-template-columns: 5.5rem 1.2rem minmax(0, 1fr); overflow-wrap: anywhere; align-items: center; gap: .6rem;
  padding: .45rem 0; border-top: 1px solid var(--line); font-size: .92rem; }
.events-list li:first-child { border-top: 0; }
.events-list li.empty { display: block; }
.events-list time { color: var(--muted); font-variant-numeric: tabular-nums; }
.events-list .mini { width: 1rem; height: 1rem; border-radius: 50%; border: 2px solid #b8c0c8; }

.legend ul { list-style: none; margin: 0; padding: 0; display: grid; gap: .45rem; }
.legend li { display: flex; gap: .7rem; align-items: center; font-size: .92rem; }
.swatch, .mini { display: inline-grid; place-items: center; flex: none; width: 1.7rem; height: 1.7rem; border-radius: 50%;
  border: 2px solid #b8c0c8; font-size: .8rem; font-weight: 700; background: #fff; }
.swatch[data-colour="BROWN"], .mini[data-colour="BROWN"] { background: var(--brown); border-color: #6b431f; color: #fff; }
.swatch[data-colour="GREEN"], .mini[data-colour="GREEN"] { background: linear-gradient(90deg, var(--green) 50%, var(--orange) 50%); border-color: #8a7a2a; color: #fff; }
.mini[data-colour="GREEN"] { background: var(--green); border-color: #167a40; }
.mini[data-colour="ORANGE"] { background: var(--orange); border-color: #c56d0c; }
.swatch[data-colour="PURPLE"], .mini[data-colour="PURPLE"] { background: var(--purple); border-color: #9a76c4; color: #2e1748; }
.note { margin: .7rem 0 0; color: var(--muted); font-size: .82rem; }

/* compact layout for an <iframe> (?embed=1) */
body.embed { background: transparent; }
body.embed .top { padding: .35rem .6rem; border: 0; background: transparent; }
body.embed .brand .sub, body.embed .logo { display: none; }
body.embed h1 { font-size: .85rem; }
body.embed h1 .en { display: none; }
body.embed .connection { padding: .15rem .5rem; font-size: .72rem; }
body.embed .connection .en { display: none; }
body.embed main { padding: 0 .6rem .4rem; }
body.embed .lights { grid-template-columns: 1fr 1fr; gap: .5rem; }
body.embed .reader { padding: .45rem .6rem; gap: .55rem; border-radius: 10px; }
body.embed .light { width: 38px; height: 38px; font-size: 1rem; border-width: 2px; }
body.embed .light[data-colour] { box-shadow: none; }
body.embed h2 { font-size: .8rem; }
body.embed h2 .en, body.embed .reader-name { display: none; }
body.embed .light-text { font-size: .76rem; margin-top: .05rem; line-height: 1.3; }
body.embed .light-text .en { display: block; font-size: .68rem; }
body.embed .panels { display: flex; gap: .5rem; margin-top: .4rem; align-items: center; flex-wrap: wrap; font-size: .75rem; }
body.embed .panel { padding: 0; border: 0; background: transparent; }
body.embed .panel h2 { display: none; }
body.embed .reasons, body.embed .readers { display: none; }
body.embed .badge { padding: .05rem .5rem; }
body.embed .last-error:not(:has(.has-error)) { display: none; }
body.embed .embed-line { margin: 0; color: var(--muted); }

@media (max-width: 640px) {
  .panels { grid-template-columns: minmax(0, 1fr); }
  .top { flex-wrap: wrap; padding: .75rem 1rem; }
  main { padding: 1rem .75rem 1.5rem; }
}
@media (max-width: 400px) {
  .reader { padding: .8rem; gap: .8rem; }
  .light { width: 56px; height: 56px; font-size: 1.3rem; }
  .events-list li { grid-template-columns: 4.6rem 1.2rem minmax(0, 1fr); }
  .connection { white-space: normal; }
}
@media (prefers-reduced-motion: reduce) { .light { transition: none; } }
`;
