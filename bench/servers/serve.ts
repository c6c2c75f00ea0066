/**
 * Child side of bench/lib/child-server.ts: prints `LISTENING <port>` once the server listens, answers
 * `cpu` with this process's CPU time, and exits cleanly on `stop` or when the parent goes away (stdin
 * EOF), so `--cpu-prof` profiles get written.
 */
import { createInterface } from 'node:readline';

export interface Listening {
  readonly port: number;
  close(): Promise<void>;
}

export async function serveForBench(start: () => Promise<Listening>): Promise<void> {
  const server = await start();
  let closing = false;
  const shutdown = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    const forced = setTimeout(() => process.exit(0), 5000);
    forced.unref();
    try {
      await server.close();
    } finally {
      process.exit(0);
    }
  };
  const input = createInterface({ input: process.stdin });
  input.on('line', (line) => {
    if (line === 'cpu') {
      const usage = process.cpuUsage();
      process.stdout.write(`CPU ${usage.user} ${usage.system}\n`);
    } else if (line === 'stop') void shutdown();
  });
  input.on('close', () => void shutdown());
  process.stdout.write(`LISTENING ${server.port}\n`);
}

/** `--name=value` arguments. */
export function argValue(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}
