import os from 'node:os';
import { readFileSync } from 'node:fs';

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

export function describeMachine(m: MachineInfo): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, Node ${m.node}, ${m.os}`;
}

/** Machine-wide busy CPU time from /proc/stat, in ms (all cores summed); null off Linux. */
export function machineBusyMs(): number | null {
  let text: string;
  try {
    text = readFileSync('/proc/stat', 'utf8');
  } catch {
    return null;
  }
  const fields = text.split('\n', 1)[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  // user nice system idle iowait irq softirq steal …
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  const hz = 100; // USER_HZ on every Linux build Node supports
  return ((user + nice + system + irq + softirq + steal) * 1000) / hz;
}

/**
 * Tracks CPU used by processes other than the benchmark's own: machine busy time minus what the benchmark
 * reports as its own (client + servers). On a shared machine this says whether the numbers can be trusted.
 */
export class ForeignCpu {
  private readonly startBusy = machineBusyMs();
  private readonly startWall = performance.now();
  private own = 0;

  /** Adds CPU time (ms) used by the benchmark's processes. */
  addOwn(ms: number): void {
    this.own += ms;
  }

  /** Other processes' CPU as a share of one core over the tracked time; null when unknown. */
  share(): number | null {
    const busy = machineBusyMs();
    if (busy === null || this.startBusy === null) return null;
    const wall = performance.now() - this.startWall;
    return Math.max(0, busy - this.startBusy - this.own) / wall;
  }
}

/**
 * Waits until the whole machine used less than `maxShare` of a core over `windowMs` (nothing of ours runs
 * meanwhile), for at most `timeoutMs`. Resolves true when it found such a window; at once off Linux.
 */
export async function waitForQuiet(opts: { windowMs?: number; maxShare?: number; timeoutMs?: number } = {}): Promise<boolean> {
  const windowMs = opts.windowMs ?? 3000;
  const maxShare = opts.maxShare ?? 0.1;
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  while (Date.now() < deadline) {
    const before = machineBusyMs();
    if (before === null) return true;
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const after = machineBusyMs();
    if (after !== null && (after - before) / windowMs < maxShare) return true;
  }
  return false;
}
