/**
 * Shared helpers for the CSHIS tests: building the native fixture on demand and hand-built card buffers
 * (docs/reference/buffers.md (1.1 / 1.2) layouts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SIMULATED_PATIENTS, type SimulatedPatient } from '../../../src/adapters/simulator/patients.ts';
import type { FixtureControls } from '../../../src/adapters/cshis/native.ts';
import { encodeBasicData, encodeRegisterBasic } from '../../../src/codecs/layouts.ts';
import { dateToRocDateTime } from '../../../src/codecs/roc-date.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const BUILD_SCRIPT = resolve(ROOT, 'build/native-fixture.sh');
export const NATIVE_DIR = resolve(ROOT, 'test/native');
export const FIXTURE_SOURCE = resolve(NATIVE_DIR, 'cshis_fixture.c');
export const MINIMAL_SOURCE = resolve(NATIVE_DIR, 'cshis_minimal.c');
export const FIXTURE_SO = resolve(NATIVE_DIR, 'out/linux-x64/libcshis_fixture.so');
export const MINIMAL_SO = resolve(NATIVE_DIR, 'out/linux-x64/libcshis_minimal.so');
export const WIN_IA32_DLL = resolve(NATIVE_DIR, 'out/win-ia32/CSHIS.dll');
export const WIN_X64_DLL = resolve(NATIVE_DIR, 'out/win-x64/CSHIS.dll');

const mtime = (path: string): number => (existsSync(path) ? statSync(path).mtimeMs : -1);

function onPath(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const mingwInstalled = (): boolean =>
  onPath('i686-w64-mingw32-gcc') && onPath('x86_64-w64-mingw32-gcc');

/**
 * Runs build/native-fixture.sh when an output is missing or older than the sources (or the script).
 * The Windows DLLs count only when mingw-w64 is installed. Throws with the compiler output on failure.
 */
export function ensureFixtureBuilt(): void {
  const newestSource = Math.max(mtime(FIXTURE_SOURCE), mtime(MINIMAL_SOURCE), mtime(BUILD_SCRIPT));
  const outputs = [FIXTURE_SO, MINIMAL_SO, ...(mingwInstalled() ? [WIN_IA32_DLL, WIN_X64_DLL] : [])];
  if (outputs.every((out) => mtime(out) >= newestSource)) return;
  try {
    execFileSync('bash', [BUILD_SCRIPT], { stdio: 'pipe', encoding: 'utf8' });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`build/native-fixture.sh failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
}

/** A test patient. Name is 測試人 in Big5 (B4FA B8D5 A448). */
export const PATIENT = {
  cardNo: '000012345678',
  nameBig5: Uint8Array.from([0xb4, 0xfa, 0xb8, 0xd5, 0xa4, 0x48]),
  id: 'A123456789',
  birth: '0800101',
  sex: 'M',
  issued: '1140101',
  phone: '0912345678',
  insurer: '01',
  validUntil: '1191231',
} as const;

function field(value: string | Uint8Array, width: number): Uint8Array {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
  if (bytes.length > width) throw new Error(`field too long: ${bytes.length} > ${width}`);
  const out = new Uint8Array(width).fill(0x20);
  out.set(bytes);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface CardOptions {
  /** '1' normal, '2' cancelled (docs/reference/buffers.md (1.1 / 1.2) byte 58). */
  readonly cancelFlag?: string;
  /** Remaining visits, 0–99 (docs/reference/buffers.md (1.1 / 1.2) bytes 69–70). */
  readonly remainingVisits?: number;
  readonly id?: string;
  readonly sex?: 'M' | 'F';
}

/** Bytes 1–58 shared by 1.1 and 1.2. */
function common(o: CardOptions): Uint8Array {
  return concat([
    field(PATIENT.cardNo, 12),
    field(PATIENT.nameBig5, 20),
    field(o.id ?? PATIENT.id, 10),
    field(PATIENT.birth, 7),
    field(o.sex ?? PATIENT.sex, 1),
    field(PATIENT.issued, 7),
    field(o.cancelFlag ?? '1', 1),
  ]);
}

/** docs/reference/buffers.md (1.1 / 1.2) basic data, 72 bytes. */
export function basicData(o: CardOptions = {}): Uint8Array {
  const b = concat([common(o), field(PATIENT.phone, 14)]);
  if (b.length !== 72) throw new Error(`basic data is ${b.length} bytes`);
  return b;
}

/** docs/reference/buffers.md (1.1 / 1.2) register data, 78 bytes. */
export function registerData(o: CardOptions = {}): Uint8Array {
  const visits = String(o.remainingVisits ?? 6).padStart(2, '0');
  const r = concat([
    common(o),
    field(PATIENT.insurer, 2),
    field(' ', 1),
    field(PATIENT.validUntil, 7),
    field(visits, 2),
    field('', 7),
    field('', 1),
  ]);
  if (r.length !== 78) throw new Error(`register data is ${r.length} bytes`);
  return r;
}

export const ascii = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---- the simulator's test patients on the native fixture (one behaviour model for both backends) ----

/** ROC date `days` from today (negative: in the past). */
export const rocDateDaysFromNow = (days: number): string =>
  dateToRocDateTime(new Date(Date.now() + days * 86_400_000)).slice(0, 7);

/**
 * A SIMULATED_PATIENTS record ready for the docs/reference/buffers.md (1.1 / 1.2) encoders (its "one year from today" validity and newborn
 * date resolved), optionally with fields overridden (e.g. `remainingVisits: 99` for a benchmark).
 */
export function simulatedPatientRecord(key: string, overrides: Partial<SimulatedPatient> = {}) {
  const p = SIMULATED_PATIENTS.find((x) => x.key === key);
  if (!p) throw new Error(`unknown simulated patient ${key}`);
  const merged = { ...p, ...overrides };
  return {
    ...merged,
    cardValidUntilRoc: merged.cardValidUntilRoc ?? rocDateDaysFromNow(365),
    newbornBirthDateRoc: merged.newbornAgeDays === null ? null : rocDateDaysFromNow(-merged.newbornAgeDays),
  };
}

/** Inserts a simulated patient's card into the fixture, encoded with the same encoders the simulator uses. */
export function insertSimulatedPatient(fx: FixtureControls, key: string, overrides: Partial<SimulatedPatient> = {}): SimulatedPatient {
  const record = simulatedPatientRecord(key, overrides);
  fx.insertHealthCard(encodeBasicData(record), encodeRegisterBasic(record), record.lastSeqNumber);
  return record;
}
