/**
 * The doctor's port row, as the gateway chooses its port (docs/terminal-server.md):
 *
 * - with `--port`: that port must be free, or held by this user's own gateway;
 * - without it: this user's running gateway, from the discovery file in the data folder
 *   (src/per-user/discovery.ts), and otherwise the port a gateway started now would take — the first free
 *   one of the same candidates the gateway tries (src/per-user/port-choice.ts userPortCandidates).
 *
 * A gateway that answers /ready is "this user's" only when this user's discovery file names its port: on a
 * terminal server 8737 is often another user's gateway, which must never be reported as yours.
 */
import { userPortCandidates } from '../per-user/port-choice.ts';
import { discoveryPath, type GatewayDiscovery } from '../per-user/discovery.ts';
import type { Bilingual, CheckResult, DoctorState } from './checks.ts';
import { urlHost } from '../early-server.ts';

const ID = 'gateway-port';
const TITLE: Bilingual = { zh: '閘道連接埠', en: 'Gateway port' };

const row = (status: CheckResult['status'], detail: string, fix?: Bilingual, code?: string): CheckResult => ({
  id: ID,
  title: TITLE,
  status,
  detail,
  ...(fix ? { fix } : {}),
  ...(code ? { code } : {}),
});


type ReadyAnswer = { readonly ready: boolean; readonly reasons: string } | null;

/** What a gateway's /ready says at this address; null when nothing there speaks it (another program). */
async function readyAt(s: DoctorState, baseUrl: string): Promise<ReadyAnswer> {
  const reply = await s.env.net.getJson(`${baseUrl}/ready`, 3_000);
  const body = reply?.body as { ready?: unknown; reasons?: unknown } | undefined;
  if (!body || typeof body.ready !== 'boolean') return null;
  return { ready: body.ready, reasons: Array.isArray(body.reasons) ? body.reasons.map(String).join('; ') : '' };
}

/** This user's own gateway, running: its /ready decides pass or warn. */
async function ownGateway(s: DoctorState, info: GatewayDiscovery, file: string): Promise<CheckResult> {
  const where = `this user's gateway (pid ${info.pid}, ${file}) at ${info.url}`;
  const ready = await readyAt(s, info.url);
  if (ready === null) {
    return row(
      'warn',
      `${where}: its /ready does not answer`,
      { zh: '閘道程序仍在執行但沒有回應，請重新啟動閘道。', en: 'The gateway process runs but does not answer: restart the gateway.' },
    );
  }
  if (ready.ready) return row('pass', `${where}: ready`);
  return row('warn', `${where}: not ready (${ready.reasons})`, { zh: '請依上方原因處理，或重新啟動閘道。', en: 'Deal with the reasons above, or restart the gateway.' });
}

/** Who holds a port in use that is not this user's gateway. */
async function occupant(s: DoctorState, port: number): Promise<string> {
  const ready = await readyAt(s, `http://${urlHost(s.config.host)}:${port}`);
  return ready === null ? 'in use by another program' : "in use by another gateway (not this user's)";
}

/** With --port: that port or a start failure, as the gateway does. */
async function givenPort(s: DoctorState, running: GatewayDiscovery | undefined, file: string): Promise<CheckResult> {
  const { host, port } = s.config;
  if (running?.port === port) return ownGateway(s, running, file);
  const listen = await s.env.net.canListen(host, port);
  if (listen.free) return row('pass', `${host}:${port} free`);
  if (listen.code !== 'EADDRINUSE') {
    return row('fail', `${host}:${port}: ${listen.code}`, { zh: '請改用 --host 127.0.0.1 或其他 --port。', en: 'Use --host 127.0.0.1 or another --port.' }, listen.code);
  }
  return row(
    'fail',
    `${host}:${port} ${await occupant(s, port)}`,
    {
      zh: `請關閉占用 ${port} 埠的程式，或以 --port 改用其他連接埠；不指定 --port 時閘道會自動使用此使用者的連接埠。`,
      en: `Close the program using port ${port}, or pick another with --port; without --port the gateway takes this user's own port.`,
    },
    'EADDRINUSE',
  );
}

/** Without --port: the first free candidate, as listenOnFirstFree would find it. */
async function choosablePort(s: DoctorState, stale: string): Promise<CheckResult> {
  const { host } = s.config;
  const candidates = userPortCandidates(s.config.port, s.env.user.key);
  const taken: string[] = [];
  for (const port of candidates) {
    const listen = await s.env.net.canListen(host, port);
    if (listen.free) {
      const before = taken.length > 0 ? `; ${taken.join(', ')}` : '';
      return row('pass', `no gateway of this user running${stale}; started now it would take ${host}:${port} (free)${before}`);
    }
    if (listen.code !== 'EADDRINUSE') {
      return row('fail', `${host}:${port}: ${listen.code}`, { zh: '請改用 --host 127.0.0.1。', en: 'Use --host 127.0.0.1.' }, listen.code);
    }
    // Only the first few are named: on a full terminal server the row must stay readable.
    if (taken.length < 3) taken.push(`${port} ${await occupant(s, port)}`);
  }
  return row(
    'fail',
    `no gateway of this user running${stale}; every port ${candidates[0]}–${Math.max(...candidates)} is in use`,
    {
      zh: '此電腦的每個閘道連接埠都已被使用：請結束不用的閘道或程式，或以 --port 指定其他連接埠。',
      en: 'Every gateway port on this PC is taken: stop a gateway or program nobody uses, or pick another port with --port.',
    },
    'EADDRINUSE',
  );
}

export async function gatewayPort(s: DoctorState): Promise<CheckResult> {
  const dataDir = s.env.user.dataDir(s.config);
  const file = discoveryPath(dataDir);
  const found = s.env.user.discovery(dataDir);
  const running = found.state === 'running' ? found.info : undefined;
  if (s.config.portGiven) return givenPort(s, running, file);
  if (running) return ownGateway(s, running, file);
  const stale =
    found.state === 'stale'
      ? ` (${file} is left from pid ${found.info.pid}, which has ended)`
      : found.state === 'unreadable'
        ? ` (cannot read ${file}: ${found.reason})`
        : '';
  return choosablePort(s, stale);
}
