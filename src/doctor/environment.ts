/**
 * Everything the doctor asks the operating system, behind one interface, so the checks run on Linux in tests
 * against fake Windows paths, the native test library and a fake PC/SC port. `createNodeEnvironment` is the
 * real one.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { posix, win32 } from 'node:path';
import type { ControlSoftware } from '../ports/control-software.ts';
import type { PcscPort } from '../ports/pcsc.ts';
import { readPeHeaderFromFile, type PeHeaderInfo } from '../adapters/cshis/pe.ts';
import { resolveDataPaths, type GatewayConfig } from '../config.ts';
import { readDiscovery, type DiscoveryState } from '../per-user/discovery.ts';
import { currentUserKey } from '../per-user/port-choice.ts';

export interface ExecResult {
  /** Exit code; null when the program could not be started at all (not installed, not Windows …). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface DoctorFs {
  exists(path: string): boolean;
  isDirectory(path: string): boolean;
  /** File names in a directory (throws when it does not exist). */
  readDir(path: string): string[];
  readFile(path: string): Uint8Array;
  /** The PE header of a DLL, null when the file is not a PE image (throws for I/O errors). */
  peHeader(path: string): PeHeaderInfo | null;
}

export interface DoctorNet {
  /** A TCP connection to host:port within the timeout. */
  tcpConnect(host: string, port: number, timeoutMs: number): Promise<{ ok: true } | { ok: false; error: string }>;
  /** Whether host:port can be listened on right now (the listener is closed again at once). */
  canListen(host: string, port: number): Promise<{ free: true } | { free: false; code: string }>;
  /** GET a JSON document; null when nothing answered or it was not JSON. */
  getJson(url: string, timeoutMs: number): Promise<{ status: number; body: unknown } | null>;
}

/** The OS user the doctor runs as: what a gateway of this user, started now, would use. */
export interface DoctorUser {
  /** The key the gateway's port choice uses (src/per-user/port-choice.ts currentUserKey). */
  readonly key: string;
  /** The data folder a gateway with these options uses (--data-dir, else this user's default). */
  dataDir(config: GatewayConfig): string;
  /** The discovery file in that folder, its pid checked (src/per-user/discovery.ts). */
  discovery(dataDir: string): DiscoveryState;
}

export interface DoctorEnvironment {
  readonly platform: NodeJS.Platform;
  /** `process.arch` of the gateway that would load CSHIS.dll (ia32 for the win-x86 build). */
  readonly arch: string;
  /** C:\Windows (from %SystemRoot%); System32 and SysWOW64 are under it. */
  readonly windowsDir: string;
  readonly fs: DoctorFs;
  exec(command: string, args: readonly string[], timeoutMs: number): Promise<ExecResult>;
  readonly net: DoctorNet;
  now(): Date;
  /**
   * Loads the control software through the ControlSoftware port (the koffi adapter). `readerPort` is the
   * csOpenCom index (0 = COMX1). Rejects with the adapter's typed load errors.
   */
  loadControlSoftware(libraryPath: string, readerPort: number): Promise<ControlSoftware>;
  /** The PC/SC port, or null when this build has none. */
  pcsc(): Promise<PcscPort | null>;
  readonly user: DoctorUser;
}

/**
 * Path functions for paths under `root`: Windows ones on Windows, and for a Windows-looking root anywhere
 * (the default C:\NHI on a Linux developer machine), so the report shows the paths a clinic PC would have.
 */
export function pathsOf(env: Pick<DoctorEnvironment, 'platform'>, root = ''): typeof win32 {
  return env.platform === 'win32' || /^[A-Za-z]:|\\/.test(root) ? win32 : posix;
}

export function createNodeEnvironment(
  options: { readonly systemRoot?: string | undefined; readonly env?: Readonly<Record<string, string | undefined>> } = {},
): DoctorEnvironment {
  const variables = options.env ?? process.env;
  return {
    platform: process.platform,
    arch: process.arch,
    windowsDir: options.systemRoot ?? 'C:\\Windows',
    fs: {
      exists: (path) => existsSync(path),
      isDirectory: (path) => {
        try {
          return statSync(path).isDirectory();
        } catch {
          return false;
        }
      },
      readDir: (path) => readdirSync(path),
      readFile: (path) => readFileSync(path),
      peHeader: (path) => readPeHeaderFromFile(path),
    },
    exec: (command, args, timeoutMs) =>
      new Promise((resolve) => {
        execFile(command, [...args], { timeout: timeoutMs, windowsHide: true, encoding: 'latin1' }, (error, stdout, stderr) => {
          const code = (error as { code?: unknown } | null)?.code;
          if (error && typeof code !== 'number') resolve({ code: null, stdout: String(stdout), stderr: error.message });
          else resolve({ code: typeof code === 'number' ? code : 0, stdout: String(stdout), stderr: String(stderr) });
        });
      }),
    net: {
      tcpConnect: (host, port, timeoutMs) =>
        new Promise((resolve) => {
          const socket = connect({ host, port });
          const done = (result: { ok: true } | { ok: false; error: string }) => {
            socket.destroy();
            resolve(result);
          };
          socket.setTimeout(timeoutMs, () => done({ ok: false, error: `no answer within ${timeoutMs} ms` }));
          socket.once('connect', () => done({ ok: true }));
          socket.once('error', (error: NodeJS.ErrnoException) => done({ ok: false, error: error.code ?? error.message }));
        }),
      canListen: (host, port) =>
        new Promise((resolve) => {
          const server = createServer();
          server.once('error', (error: NodeJS.ErrnoException) => resolve({ free: false, code: error.code ?? error.message }));
          server.listen(port, host, () => server.close(() => resolve({ free: true })));
        }),
      getJson: async (url, timeoutMs) => {
        try {
          const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
          return { status: response.status, body: await response.json() };
        } catch {
          return null;
        }
      },
    },
    now: () => new Date(),
    loadControlSoftware: async (libraryPath, readerPort) => {
      const { createCshisControlSoftware } = await import('../adapters/cshis/cshis-control-software.ts');
      return createCshisControlSoftware({ libraryPath, callTimeoutMs: 10_000, readerPort, openPolicy: 'per-operation' });
    },
    pcsc: async () => {
      const { createNativePcscPort } = await import('../adapters/pcsc/native.ts');
      return createNativePcscPort();
    },
    user: {
      key: currentUserKey(variables),
      dataDir: (config) => resolveDataPaths(config, variables).dataDir,
      discovery: (dataDir) => readDiscovery(dataDir),
    },
  };
}
