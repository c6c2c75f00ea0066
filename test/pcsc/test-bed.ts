/**
 * A PC/SC test bed the tests start themselves (issue 4 item 5; docs/pcsc.md (The native layer and its ABI)): pcscd in the foreground with
 * only the vsmartcard `vpcd` reader driver configured (its own reader.conf.d, its own TCP port), and virtual NHI
 * cards (test/pcsc/nhi_card.py on Debian's python3-virtualsmartcard) inserted by starting a process and removed by
 * stopping it.
 *
 * pcscd always listens on /run/pcscd/pcscd.comm (compiled in; libpcsclite honours PCSCLITE_CSOCK_NAME but pcscd
 * 1.9.9 does not), so only one bed can exist on a machine at a time: {@link acquireTestBed} takes an exclusive
 * lock file first and waits for another holder (another test file, a benchmark) to finish. Debian 12's pcscd
 * 1.9.9 has no polkit support compiled in, so it needs no `--disable-polkit` (Debian 13's 2.3 does).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const PCSCD = '/usr/sbin/pcscd';
const VPCD_DRIVER = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so';
const VIRTUALSMARTCARD = '/usr/lib/python3/site-packages/virtualsmartcard/virtualsmartcard/VirtualSmartcard.py';
const CRYPTODOME = '/usr/lib/python3/dist-packages/Cryptodome/__init__.py';
const LIBPCSCLITE = ['/usr/lib/x86_64-linux-gnu/libpcsclite.so.1', '/usr/lib/aarch64-linux-gnu/libpcsclite.so.1'];
/** Debian's python3 (the one python3-virtualsmartcard is installed for), not a pyenv one on PATH (docs/pcsc.md (The native layer and its ABI) gotchas). */
const SYSTEM_PYTHON = '/usr/bin/python3';
const CARD_SCRIPT = fileURLToPath(new URL('./nhi_card.py', import.meta.url));
const PCSCD_RUN_DIR = '/run/pcscd';
const LOCK_FILE = join(tmpdir(), 'nhi-gateway-pcsc-testbed.lock');

/** The Debian packages the bed needs (what .ci/run must install). */
export const REQUIRED_PACKAGES = ['pcscd', 'libpcsclite1', 'vsmartcard-vpcd', 'python3-virtualsmartcard', 'python3-pycryptodome', 'pcsc-tools'];

/** vpcd's TCP port for reader slot 0; slot 1 is the next port. Not the package's 35963, so a stray vicc stays out. */
export const VPCD_PORT = 0x9c5b; // 40027
export const READER_BASE_NAME = 'NHI Test PCD';
/** vpcd creates two slots per configured reader. */
export const READERS = [`${READER_BASE_NAME} 00 00`, `${READER_BASE_NAME} 00 01`] as const;

/** The ATRs nhi_card.py presents, uppercase hex. */
export const ATR = {
  T1: '3B8F0154574E48492D46414B452D30303031CA',
  T0: '3B0F54574E48492D46414B452D54303030',
  OTHER: '3B8F014F544845522D434152442D30303031DF',
} as const;

export interface Patient {
  readonly cardNumber: string;
  /** The 20-byte Big5 name field's bytes (NUL padding is added by the card), uppercase hex. */
  readonly nameBig5Hex: string;
  readonly idNumber: string;
  /** ROC yyyMMdd. */
  readonly birthDate: string;
  readonly sex: 'M' | 'F';
  readonly issueDate: string;
}

/** 王 + the first character of Big5's user-defined area (0xFA40 → U+E000) + 明: a 造字 name (docs/reference/abi.md (Dates, Big5)). A test patient. */
export const RARE_NAME_PATIENT: Patient = {
  cardNumber: '000012345678',
  nameBig5Hex: 'A4FDFA40A9FA',
  idNumber: 'A123456789',
  birthDate: '0690512',
  sex: 'M',
  issueDate: '1140101',
};

export interface CardOptions {
  /** Reader slot (0 or 1). @default 0 */
  readonly slot?: 0 | 1;
  readonly patient?: Patient;
  /** T=0 ATR; READ answers `61 39` and the data needs GET RESPONSE (docs/reference/pcsc.md). */
  readonly t0?: boolean;
  /** Not an NHI card: SELECT answers 6A 82. */
  readonly unknown?: boolean;
  /** The card process exits on READ: a card pulled out in the middle of a read. */
  readonly exitOnRead?: boolean;
  /** A card that stops answering: its first APDU is never answered. */
  readonly frozen?: boolean;
  /** The card process exits when the reader powers the card up again after it answered a command. */
  readonly vanishWhenPoweredAgain?: boolean;
  /** Another patient the card switches to on {@link VirtualCard.switchPatient}, without leaving the reader. */
  readonly nextPatient?: Patient;
}

/** What reached the card, as nhi_card.py reports it: `POWER_UP`, `POWER_DOWN`, `RESET`, `APDU <INS>`. */
export type CardReport = string;

export interface VirtualCard {
  readonly slot: 0 | 1;
  readonly reader: string;
  /** Stops the card process (removes the card) and waits for it to exit. Idempotent. */
  remove(): Promise<void>;
  /** Resolves when the process exited on its own (e.g. pcscd went away, or exitOnRead). */
  readonly exited: Promise<number | null>;
  /** Everything that reached the card so far, in order. */
  reports(): readonly CardReport[];
  /** Makes the card answer as `nextPatient` from now on (same ATR, no removal: a swap the reader did not see). */
  switchPatient(): Promise<void>;
  /** How many APDUs reached the card so far. */
  apdus(): number;
  /**
   * Resolves once the card has reported `line` (e.g. `APDU A4`) — with `after`, a `line` that follows the first
   * `after` — or rejects after `ms` (default 15 s).
   */
  whenReported(line: CardReport, options?: { readonly after?: CardReport; readonly ms?: number }): Promise<void>;
}

/** Why the bed cannot run here, or null when it can. Only a missing pcscd makes the tests pending (issue 4). */
export function pcscdMissing(): string | null {
  return existsSync(PCSCD) ? null : `pcscd is not installed (${PCSCD}); .ci/run installs ${REQUIRED_PACKAGES.join(' ')}`;
}

/** Everything else the bed needs; a missing piece with pcscd present is a failure, not a skip. */
export function missingPieces(): string[] {
  const missing: string[] = [];
  if (!existsSync(VPCD_DRIVER)) missing.push(`vsmartcard-vpcd (${VPCD_DRIVER})`);
  if (!existsSync(VIRTUALSMARTCARD)) missing.push('python3-virtualsmartcard');
  if (!existsSync(CRYPTODOME)) missing.push('python3-pycryptodome');
  if (!existsSync(SYSTEM_PYTHON)) missing.push(`python3 (${SYSTEM_PYTHON})`);
  if (!LIBPCSCLITE.some((p) => existsSync(p))) missing.push('libpcsclite1');
  return missing;
}

export interface TestBed {
  readonly readers: readonly string[];
  /** Starts pcscd and waits until it accepts clients. */
  startPcscd(): Promise<void>;
  /** Stops pcscd: SIGTERM (clean) or SIGKILL (a crash: its socket and pid files stay behind). */
  stopPcscd(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  readonly pcscdRunning: boolean;
  /** Starts a card process and waits until vpcd accepted it (pcscd notices it at its next presence poll). */
  insertCard(options?: CardOptions): Promise<VirtualCard>;
  /** pcscd's log so far (for failure messages). APDUs are not logged (no --apdu): it holds no card data. */
  pcscdLog(): string;
  /** Removes every card, stops pcscd, deletes the config, releases the lock. */
  dispose(): Promise<void>;
}

/**
 * Takes the machine-wide bed lock (waiting up to `waitMs` for another holder) and prepares the configuration.
 * pcscd is not started: call startPcscd (the "no pcscd at start" test starts the gateway first).
 */
export async function acquireTestBed(waitMs = 120_000): Promise<TestBed> {
  const missing = missingPieces();
  if (missing.length > 0) {
    throw new Error(`PC/SC test bed: pcscd is installed but these are missing: ${missing.join(', ')} (apt-get install ${REQUIRED_PACKAGES.join(' ')})`);
  }
  await takeLock(waitMs);
  const configDir = mkdtempSync(join(tmpdir(), 'nhi-pcscd-'));
  try {
    const readerConfDir = join(configDir, 'reader.conf.d');
    spawnSync('mkdir', ['-p', readerConfDir]);
    // The vpcd driver takes its TCP port from DEVICENAME (docs/pcsc.md (The native layer and its ABI): /etc/reader.conf.d/vpcd is the same shape).
    const hexPort = `0x${VPCD_PORT.toString(16).toUpperCase()}`;
    writeFileSync(
      join(readerConfDir, 'vpcd'),
      `FRIENDLYNAME "${READER_BASE_NAME}"\nDEVICENAME   /dev/null:${hexPort}\nLIBPATH      ${VPCD_DRIVER}\nCHANNELID    ${hexPort}\n`,
    );
    assertNoForeignPcscd();
    return createBed(configDir, readerConfDir);
  } catch (error) {
    rmSync(configDir, { recursive: true, force: true });
    releaseLock();
    throw error;
  }
}

function createBed(configDir: string, readerConfDir: string): TestBed {
  let pcscd: ChildProcess | null = null;
  let pcscdExit: Promise<void> | null = null;
  let log = '';
  const cards = new Set<VirtualCard>();

  const bed: TestBed = {
    readers: READERS,
    get pcscdRunning() {
      return pcscd !== null;
    },
    pcscdLog: () => log,

    async startPcscd() {
      if (pcscd) return;
      cleanStaleRunFiles();
      const child = spawn(PCSCD, ['--foreground', '--debug', '--config', readerConfDir], { stdio: ['ignore', 'pipe', 'pipe'] });
      pcscd = child;
      pcscdExit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const ready = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`pcscd did not become ready in 10 s:\n${log.slice(-2000)}`)), 10_000);
        const onLine = (line: string) => {
          if (log.length < 1_000_000) log += `${line}\n`;
          if (line.includes('daemon ready')) {
            clearTimeout(timer);
            resolve();
          }
        };
        createInterface({ input: child.stdout! }).on('line', onLine);
        createInterface({ input: child.stderr! }).on('line', onLine);
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          if (pcscd === child) pcscd = null;
          reject(new Error(`pcscd exited (${code ?? signal}) before it was ready:\n${log.slice(-2000)}`));
        });
      });
      await ready;
    },

    async stopPcscd(signal = 'SIGTERM') {
      const child = pcscd;
      if (!child) return;
      child.kill(signal);
      await pcscdExit;
      pcscd = null;
      // Cards are TCP clients of vpcd inside pcscd: they lose their socket and exit.
      await Promise.all([...cards].map((c) => c.exited));
    },

    async insertCard(options = {}) {
      const slot = options.slot ?? 0;
      const args = [CARD_SCRIPT, '--port', String(VPCD_PORT + slot), '--patient', JSON.stringify(options.patient ?? RARE_NAME_PATIENT)];
      if (options.t0) args.push('--t0');
      if (options.unknown) args.push('--unknown');
      if (options.exitOnRead) args.push('--exit-on-read');
      if (options.frozen) args.push('--frozen');
      if (options.vanishWhenPoweredAgain) args.push('--vanish-when-powered-again');
      if (options.nextPatient) args.push('--next-patient', JSON.stringify(options.nextPatient));
      const child = spawn(SYSTEM_PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        if (stderr.length < 10_000) stderr += chunk;
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const reports: CardReport[] = [];
      const waiters = new Set<() => void>();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`virtual card did not connect to vpcd in 10 s: ${stderr}`)), 10_000);
        createInterface({ input: child.stdout! }).on('line', (line) => {
          if (line === 'CONNECTED') {
            clearTimeout(timer);
            resolve();
            return;
          }
          reports.push(line);
          for (const wake of [...waiters]) wake();
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`virtual card exited (${code}) before connecting: ${stderr}`));
        });
      });
      const card: VirtualCard = {
        slot,
        reader: READERS[slot],
        exited,
        reports: () => [...reports],
        apdus: () => reports.filter((r) => r.startsWith('APDU')).length,
        async switchPatient() {
          if (!options.nextPatient) throw new Error('switchPatient needs the card inserted with nextPatient');
          const switched = reports.filter((r) => r === 'SWITCHED').length;
          child.kill('SIGUSR1');
          const deadline = Date.now() + 10_000;
          while (reports.filter((r) => r === 'SWITCHED').length === switched) {
            if (Date.now() > deadline) throw new Error('the virtual card did not switch patients in 10 s');
            await new Promise<void>((resolve) => {
              waiters.add(function once() {
                waiters.delete(once);
                resolve();
              });
              setTimeout(resolve, 200).unref();
            });
          }
        },
        whenReported(line, { after, ms = 15_000 } = {}) {
          return new Promise<void>((resolve, reject) => {
            const check = () => {
              const from = after === undefined ? 0 : reports.indexOf(after) + 1;
              if ((after !== undefined && from === 0) || !reports.slice(from).includes(line)) return;
              waiters.delete(check);
              clearTimeout(timer);
              resolve();
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              reject(new Error(`the virtual card did not report ${line}${after ? ` after ${after}` : ''} in ${ms} ms (it reported: ${reports.join(', ')})`));
            }, ms);
            waiters.add(check);
            check();
          });
        },
        async remove() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
          cards.delete(card);
        },
      };
      cards.add(card);
      void exited.then(() => cards.delete(card));
      return card;
    },

    async dispose() {
      try {
        await Promise.all([...cards].map((c) => c.remove()));
        await bed.stopPcscd('SIGTERM');
      } finally {
        rmSync(configDir, { recursive: true, force: true });
        releaseLock();
      }
    },
  };
  return bed;
}

// ---- the machine-wide lock ----

function takeLockOnce(): boolean {
  try {
    const fd = openSync(LOCK_FILE, 'wx');
    writeFileSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // A holder that died without releasing: take over.
    const holder = Number(readFileSync(LOCK_FILE, 'utf8').trim());
    if (!Number.isInteger(holder) || !isAlive(holder)) {
      try {
        unlinkSync(LOCK_FILE);
      } catch {
        // someone else took it over first
      }
    }
    return false;
  }
}

async function takeLock(waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (!takeLockOnce()) {
    if (Date.now() > deadline) throw new Error(`PC/SC test bed: ${LOCK_FILE} is held by another process for more than ${waitMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function releaseLock(): void {
  try {
    if (Number(readFileSync(LOCK_FILE, 'utf8').trim()) === process.pid) unlinkSync(LOCK_FILE);
  } catch {
    // already gone
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0) but is dead; /proc says so.
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

function runningPcscdPid(): number | null {
  try {
    const pid = Number(readFileSync(join(PCSCD_RUN_DIR, 'pcscd.pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** A pcscd we did not start (a system service) owns the socket: say so rather than fight it. */
function assertNoForeignPcscd(): void {
  const pid = runningPcscdPid();
  if (pid !== null) {
    throw new Error(`PC/SC test bed: a pcscd (pid ${pid}) is already running on ${PCSCD_RUN_DIR}; stop it to run these tests`);
  }
}

/** pcscd killed with SIGKILL leaves its socket and pid file; a dead pid's files are safe to remove. */
function cleanStaleRunFiles(): void {
  if (runningPcscdPid() !== null) assertNoForeignPcscd();
  for (const file of ['pcscd.comm', 'pcscd.pid']) {
    try {
      unlinkSync(join(PCSCD_RUN_DIR, file));
    } catch {
      // not there
    }
  }
}
