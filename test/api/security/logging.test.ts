/** The pino logger: redaction, masking, rotation, file permissions, the audit file and the console format. */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  RotatingFileStream,
  createAuditLog,
  createConsoleLogger,
  createGatewayLogger,
  defaultLogDirectory,
  maskIdentifiers,
  redactDeep,
} from '../../../src/logger.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});
const fresh = (): string => (dir = mkdtempSync(join(tmpdir(), 'nhi-logs-')));
const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('redaction', () => {
  it('masks ID numbers and blanks identity keys at any depth', () => {
    expect(maskIdentifiers('id A123456789 and resident A823456789, not A12345678')).toBe('id A1******89 and resident A8******89, not A12345678');
    // Inside identifiers and names too: `_` and letters around it do not hide an ID number.
    expect(maskIdentifiers('Read_A123456789 idB223456782x A123456789_2 9A123456789')).toBe('Read_A1******89 idB2******82x A1******89_2 9A1******89');
    // A longer digit run is another number, left alone.
    expect(maskIdentifiers('A1234567890')).toBe('A1234567890');
    // The test before the replace (src/mask.ts) changes nothing: the same result as the replace alone,
    // for text with and without ID numbers, one after another (no state kept between calls).
    const replaceAlone = (text: string) => text.replace(/([A-Z])([12ABCD89])\d{6}(\d{2})(?![0-9])/g, '$1$2******$3');
    const idLike = fc.tuple(fc.constantFrom('A', 'B', 'Z', 'a', '1'), fc.constantFrom('1', '2', 'A', 'D', '8', '9', '3'), fc.stringMatching(/^\d{6,9}$/));
    const piece = fc.oneof(fc.string(), idLike.map((parts) => parts.join('')));
    fc.assert(
      fc.property(fc.array(fc.array(piece, { maxLength: 4 }).map((parts) => parts.join('')), { maxLength: 4 }), (texts) => {
        for (const text of texts) expect(maskIdentifiers(text)).toBe(replaceAlone(text));
      }),
      { numRuns: 500 },
    );
    const out = redactDeep({ a: { b: [{ name: { text: '王小明' }, note: 'for B223456782' }] }, birthDate: '1980-05-12', error: new Error('bad A123456789') });
    expect(out).toEqual({
      a: { b: [{ name: '[redacted]', note: 'for B2******82' }] },
      birthDate: '[redacted]',
      error: expect.objectContaining({ type: 'Error', message: 'bad A1******89' }),
    });
  });

  it('writes JSON lines with redacted keys and masked messages to gateway.log', async () => {
    const logger = createGatewayLogger({ directory: fresh(), level: 'debug' });
    logger.info('read card of A123456789', { patientId: 'A123456789', deep: { x: { y: { signature: 'S'.repeat(256), idNumber: 'B223456782' } } }, origin: 'https://his.example' });
    logger.debug('details', { name: '林\uE000華', englishName: 'LIN HUA' });
    await logger.close();
    const text = readFileSync(logger.file!, 'utf8');
    for (const raw of ['A123456789', 'B223456782', '林\uE000華', 'LIN HUA', 'S'.repeat(256)]) expect(text).not.toContain(raw);
    const [first, second] = lines(logger.file!);
    expect(first).toMatchObject({ level: 'info', msg: 'read card of A1******89', patientId: '[redacted]', origin: 'https://his.example' });
    expect(first?.['time']).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(second).toMatchObject({ level: 'debug', name: '[redacted]', englishName: '[redacted]' });
    if (process.platform !== 'win32') expect(statSync(logger.file!).mode & 0o777).toBe(0o600);
  });

  it('keeps the console format: time LEVEL message {fields}', () => {
    const seen: string[] = [];
    const logger = createConsoleLogger({ write: (line) => seen.push(line), now: () => new Date('2026-03-01T01:30:00.000Z'), minLevel: 'warn' });
    logger.info('hidden');
    logger.warn('reader slow for A123456789', { ms: 900 });
    expect(seen).toEqual(['2026-03-01T01:30:00.000Z WARN reader slow for A1******89 {"ms":900}']);
  });
});

describe('rotation and folders', () => {
  it('rotates by size and keeps maxFiles old files', async () => {
    const stream = new RotatingFileStream(join(fresh(), 'x.log'), { maxBytes: 100, maxFiles: 2 });
    for (let i = 0; i < 20; i++) stream.write(`${JSON.stringify({ i, pad: 'p'.repeat(30) })}\n`);
    await stream.close();
    expect(readdirSync(dir!).sort()).toEqual(['x.log', 'x.log.1', 'x.log.2']);
    for (const name of readdirSync(dir!)) expect(statSync(join(dir!, name)).size).toBeLessThanOrEqual(100);
    // The newest lines are in x.log, the ones before in x.log.1.
    expect(lines(join(dir!, 'x.log')).at(-1)).toMatchObject({ i: 19 });
    expect((lines(join(dir!, 'x.log.1')).at(-1)?.['i'] as number) + 1).toBe(lines(join(dir!, 'x.log'))[0]?.['i']);
  });

  it('drops a line it cannot write instead of throwing into the gateway', async () => {
    const stream = new RotatingFileStream(join(fresh(), 'x.log'));
    await stream.close();
    rmSync(dir!, { recursive: true, force: true });
    expect(() => stream.write('{"a":1}\n')).not.toThrow();
    await stream.flush();
    expect(stream.dropped).toBe(1);
  });

  it('writes the audit log to its own file', async () => {
    const audit = createAuditLog({ directory: fresh() });
    audit.record({ event: 'operation', transport: 'ws', origin: 'https://his.example', remoteAddress: '127.0.0.1', auth: 'origin', operationType: 'query', operationName: 'Card', fields: [{ field: 'HealthCard.basicData', outcome: 'OK' }], outcome: 'OK' });
    await audit.close();
    expect(lines(audit.file)).toEqual([
      expect.objectContaining({ msg: 'audit', event: 'operation', origin: 'https://his.example', fields: [{ field: 'HealthCard.basicData', outcome: 'OK' }] }),
    ]);
    expect(audit.file.endsWith('audit.log')).toBe(true);
  });

  it('redacts and masks the audit log like the gateway log, should an entry ever carry identity data', async () => {
    const audit = createAuditLog({ directory: fresh() });
    const leaky = {
      event: 'operation',
      transport: 'http',
      origin: null,
      remoteAddress: '127.0.0.1',
      auth: 'token',
      operationName: 'Read_A123456789',
      outcome: 'OK',
      idNumber: 'A123456789',
      fields: [{ field: 'HealthCard.basicData', outcome: 'OK', name: '王小明' }],
    } as unknown as Parameters<typeof audit.record>[0];
    audit.record(leaky);
    await audit.close();
    const text = readFileSync(audit.file, 'utf8');
    for (const raw of ['A123456789', '王小明']) expect(text).not.toContain(raw);
    expect(lines(audit.file)[0]).toMatchObject({
      idNumber: '[redacted]',
      operationName: 'Read_A1******89',
      fields: [{ field: 'HealthCard.basicData', outcome: 'OK', name: '[redacted]' }],
    });
  });

  it('documents the default folders', () => {
    expect(defaultLogDirectory({ LOCALAPPDATA: 'C:\\Users\\desk1\\AppData\\Local' }, 'win32')).toMatch(/AppData.Local.nhi-gateway.logs$/);
    expect(defaultLogDirectory({ XDG_STATE_HOME: '/home/desk1/.state' }, 'linux')).toBe('/home/desk1/.state/nhi-gateway/logs');
    expect(defaultLogDirectory({}, 'linux')).toMatch(/\.local\/state\/nhi-gateway\/logs$/);
  });
});
