/**
 * Finding this user's gateway (docs/terminal-server.md). On a shared workstation or terminal server each OS
 * user runs their own gateway on their own port in 8737–8768 (8737 when it is free). A page or program asks
 * every port of that range on 127.0.0.1, at once, whether it knows the credential it holds
 * (`POST /credential`), and takes the first in port order that says yes. Another user's gateway does not know
 * this user's token or pairing token (each gateway keeps its own), and on Linux refuses another user's
 * programs outright, so the answer is this user's gateway or none.
 *
 * Browsers: the HIS origin must be on each gateway's allow-list (`--allowed-origin`); ports where no gateway
 * listens, or whose gateway refuses the origin, fail as network errors and are skipped.
 */

/** The first port of the per-user range: the gateway's documented default. */
export const GATEWAY_BASE_PORT = 8737;
/** How many ports the range has (the gateway's src/per-user/port-choice.ts USER_PORT_RANGE). */
export const GATEWAY_PORT_RANGE = 32;
/** 8737 … 8768. */
export const GATEWAY_PORTS: readonly number[] = Array.from({ length: GATEWAY_PORT_RANGE }, (_, i) => GATEWAY_BASE_PORT + i);

export interface FindGatewayOptions {
  /** A pairing token (`nhp_…`, a HIS page's) or the access token (a program's): the credential to recognise. */
  readonly pairingToken?: string;
  /** The access token, for programs that read the token file (used when `pairingToken` is not given). */
  readonly token?: string;
  /** Ports to try, in order of preference. @default GATEWAY_PORTS */
  readonly ports?: readonly number[];
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Gives up on a port that has not answered in this time (a hung program on it). @default 2000 */
  readonly probeTimeoutMs?: number;
  /** Extra headers (a Node program standing in for a page may set `origin`; browsers send it themselves). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface FoundGateway {
  /** e.g. `http://127.0.0.1:8741` */
  readonly baseUrl: string;
  /** The GraphQL endpoint, for `createGatewayClient({ url })`. */
  readonly url: string;
  readonly port: number;
}

/**
 * What each port said, for the error when no gateway knows the credential. `wrong-origin`: the gateway knows
 * this pairing token but it was sent without (or with another) page's Origin, so pairing again would not help.
 */
export type ProbeOutcome = 'no-answer' | 'refused' | 'wrong-origin' | 'rate-limited' | 'accepted';

export class GatewayNotFoundError extends Error {
  override readonly name = 'GatewayNotFoundError';
  readonly code = 'GATEWAY_NOT_FOUND';
  constructor(
    /** Per port: `refused` is a gateway that does not know the credential (another user's, or revoked). */
    readonly probes: Readonly<Record<number, ProbeOutcome>>,
    message?: string,
  ) {
    const refused = Object.values(probes).filter((p) => p === 'refused' || p === 'rate-limited').length;
    const wrongOrigin = Object.values(probes).includes('wrong-origin');
    super(
      message ??
      (wrongOrigin
        ? 'a gateway knows this pairing token, but only from the page that paired: send that page\'s Origin (a Node program: headers: { origin })'
        : refused > 0
        ? `no gateway on this computer knows this credential (${refused} other gateway(s) answered): pair again, or start your own gateway`
        : 'no NHI Card Gateway answers on this computer: start it (nhi-gateway), then try again'),
    );
  }
}

/** Asks the per-user port range which gateway knows `pairingToken` (or `token`); rejects with {@link GatewayNotFoundError}. */
export async function findGateway(options: FindGatewayOptions): Promise<FoundGateway> {
  const credential = options.pairingToken ?? options.token;
  if (!credential) throw new TypeError('findGateway needs pairingToken or token: only a credential tells this user’s gateway from another’s');
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const host = options.host ?? '127.0.0.1';
  const ports = options.ports ?? GATEWAY_PORTS;
  const timeoutMs = options.probeTimeoutMs ?? 2000;
  const hostPart = host.includes(':') ? `[${host}]` : host;

  const probe = async (port: number): Promise<ProbeOutcome> => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const response = await doFetch(`http://${hostPart}:${port}/credential`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers, authorization: `Bearer ${credential}` },
        body: '{}',
        signal: controller.signal,
      });
      if (response.status === 429) return 'rate-limited';
      if (response.status !== 200) return (await errorCode(response)) === 'PAIRING_ORIGIN_MISMATCH' ? 'wrong-origin' : 'refused';
      const body = (await response.json().catch(() => null)) as { valid?: unknown } | null;
      return body?.valid === true ? 'accepted' : 'refused';
    } catch {
      return 'no-answer';
    } finally {
      clearTimeout(timer);
    }
  };

  const outcomes = await Promise.all(ports.map(probe));
  const probes: Record<number, ProbeOutcome> = {};
  ports.forEach((port, i) => (probes[port] = outcomes[i]!));
  const index = outcomes.indexOf('accepted');
  if (index < 0) throw new GatewayNotFoundError(probes);
  const port = ports[index]!;
  const baseUrl = `http://${hostPart}:${port}`;
  return { baseUrl, url: `${baseUrl}/graphql`, port };
}

/** The first error's `extensions.code` of a refusal, if its body has one. */
async function errorCode(response: Response): Promise<string | undefined> {
  const body = (await response.json().catch(() => null)) as { errors?: Array<{ extensions?: { code?: unknown } }> } | null;
  const code = body?.errors?.[0]?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}

export interface PairGatewayOptions {
  /** Asks the user for the 6-digit code their gateway shows (console, /status); called once. */
  readonly askCode: () => Promise<string>;
  /** @default GATEWAY_PORTS */
  readonly ports?: readonly number[];
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default globalThis.fetch (a browser sends the page's Origin itself) */
  readonly fetch?: typeof fetch;
  /** Extra headers (a Node program standing in for a page may set `origin`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** @default 2000 */
  readonly probeTimeoutMs?: number;
}

export interface PairedGateway extends FoundGateway {
  /** Keep it (e.g. localStorage) and send it as `Authorization: Bearer …`; later visits use findGateway. */
  readonly pairingToken: string;
}

/**
 * The first pairing when several users' gateways may run (docs/terminal-server.md, section 4): asks every
 * gateway of the range to pair; only the user's own shows its code to this user, who types it in; the code
 * is then offered to the same gateways and the one that accepts it gives the pairing token. Rejects with
 * {@link GatewayNotFoundError} when no gateway takes the request or the code.
 */
export async function pairGateway(options: PairGatewayOptions): Promise<PairedGateway> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const host = options.host ?? '127.0.0.1';
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const ports = options.ports ?? GATEWAY_PORTS;
  const timeoutMs = options.probeTimeoutMs ?? 2000;
  const post = async (port: number, path: string, body: unknown): Promise<Response | undefined> => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      return await doFetch(`http://${hostPart}:${port}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  };
  const probes: Record<number, ProbeOutcome> = {};
  const requested = await Promise.all(ports.map((port) => post(port, '/pair', {})));
  const asked = ports.filter((port, i) => {
    const status = requested[i]?.status;
    probes[port] = status === undefined ? 'no-answer' : status === 202 ? 'accepted' : status === 429 ? 'rate-limited' : 'refused';
    return status === 202;
  });
  if (asked.length === 0) throw new GatewayNotFoundError(probes);
  const code = (await options.askCode()).trim();
  const confirmed = await Promise.all(asked.map((port) => post(port, '/pair/confirm', { code })));
  for (const [i, response] of confirmed.entries()) {
    if (response?.status !== 200) {
      probes[asked[i]!] = 'refused';
      continue;
    }
    const body = (await response.json().catch(() => null)) as { token?: unknown } | null;
    if (typeof body?.token !== 'string') continue;
    const port = asked[i]!;
    const baseUrl = `http://${hostPart}:${port}`;
    return { baseUrl, url: `${baseUrl}/graphql`, port, pairingToken: body.token };
  }
  throw new GatewayNotFoundError(probes, 'no gateway accepted this pairing code: ask again and type the code your gateway shows');
}
