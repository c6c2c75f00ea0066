/**
 * Parent side of a benchmark server: runs a `bench/servers/*.ts` script in its own Node process (so the
 * load generator and the server do not share a CPU), waits for `LISTENING <port>`, and can ask it for its
 * CPU time. Protocol on the child's stdin: `cpu` → `CPU <userµs> <systemµs>`; `stop` (or EOF) → exit.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CpuTime {
  /** Microseconds. */
  readonly user: number;
  readonly system: number;
}

export interface ChildServer {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  cpu(): Promise<CpuTime>;
  /** Asks the child to exit (so `--cpu-prof` is written); kills it after `graceMs`. Returns its stderr. */
  stop(graceMs?: number): Promise<{ code: number | null; stderr: string }>;
}

export interface ChildServerOptions {
  readonly name: string;
  /**
   * Path of the script, relative to the repository root or absolute (e.g. `bench/servers/bare-yoga.ts`);
   * `.ts` runs through tsx, `.js`/`.cjs`/`.mjs` with plain Node.
   */
  readonly script: string;
  readonly args?: readonly string[];
  /** Extra Node flags, e.g. `--cpu-prof`. */
  readonly nodeArgs?: readonly string[];
  /**
   * A program the Node process runs under, with its arguments, e.g. `['valgrind', '--tool=callgrind']`
   * (bench/tools/callgrind-http.ts). The pid reported is then the wrapper's (valgrind runs the program in
   * its own process).
   */
  readonly wrapper?: readonly string[];
  readonly startTimeoutMs?: number;
  /** The Node executable to run. @default process.execPath (bench/lib/server-node.ts picks the shipped one) */
  readonly node?: string;
}

const tsxLoader = import.meta.resolve('tsx');

export async function startChildServer(opts: ChildServerOptions): Promise<ChildServer> {
  // TypeScript goes through tsx; JavaScript (e.g. a bundle made as the executable's is) runs as it is, so
  // that no loader transforms it again.
  const loader = /\.[cm]?js$/.test(opts.script) ? [] : ['--import', tsxLoader];
  const [command, ...wrapperArgs] = [...(opts.wrapper ?? []), opts.node ?? process.execPath];
  const child: ChildProcessWithoutNullStreams = spawn(
    command!,
    [...wrapperArgs, ...(opts.nodeArgs ?? []), ...loader, opts.script, ...(opts.args ?? [])],
    { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: process.env },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    if (stderr.length < 64_000) stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout });
  const waiting: Array<(line: string) => void> = [];
  const nextLine = (): Promise<string> => new Promise((resolve) => waiting.push(resolve));
  lines.on('line', (line) => {
    const waiter = waiting.shift();
    if (waiter) waiter(line);
  });

  const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const port = await Promise.race([
    (async () => {
      for (;;) {
        const line = await nextLine();
        const match = /^LISTENING (\d+)$/.exec(line);
        if (match) return Number(match[1]);
      }
    })(),
    exited.then((code) => {
      throw new Error(`${opts.name}: server exited (code ${code}) before listening\n${stderr}`);
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${opts.name}: server did not listen within ${startTimeoutMs} ms\n${stderr}`));
      }, startTimeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));

  let stopping: Promise<{ code: number | null; stderr: string }> | undefined;
  return {
    name: opts.name,
    pid: child.pid ?? -1,
    port,
    async cpu() {
      const reply = nextLine();
      child.stdin.write('cpu\n');
      const match = /^CPU (\d+) (\d+)$/.exec(await reply);
      if (!match) throw new Error(`${opts.name}: bad reply to cpu`);
      return { user: Number(match[1]), system: Number(match[2]) };
    },
    stop(graceMs = 10_000) {
      stopping ??= (async () => {
        child.stdin.end('stop\n');
        let killTimer: NodeJS.Timeout | undefined;
        const code = await Promise.race([
          exited,
          new Promise<number | null>((resolve) => {
            killTimer = setTimeout(() => {
              child.kill('SIGKILL');
              resolve(null);
            }, graceMs);
          }),
        ]);
        clearTimeout(killTimer);
        lines.close();
        return { code, stderr };
      })();
      return stopping;
    },
  };
}
