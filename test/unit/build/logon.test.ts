/**
 * `nhi-gateway install` / `uninstall`: the exact reg.exe commands issued (through an injected runner), the
 * Windows command-line quoting of the Run entry, and the refusals that issue no command at all.
 */
import { describe, expect, it } from 'vitest';
import {
  installAtLogon,
  logonCommandLine,
  parseRegQuery,
  quoteWindowsArg,
  regExePath,
  RUN_KEY,
  RUN_VALUE,
  uninstallFromLogon,
  type CommandResult,
  type LogonDeps,
} from '../../../src/install/logon.ts';
import { parseArgs } from '../../../src/config.ts';

const EXE = 'C:\\Program Files\\NHI Gateway\\nhi-gateway-win-x86.exe';
const REG = 'C:\\Windows\\System32\\reg.exe';

interface Fake extends LogonDeps {
  readonly calls: Array<[string, readonly string[]]>;
  readonly stdout: string[];
  readonly stderr: string[];
}

/** reg.exe as Windows answers: `answers` are matched in order by the reg subcommand (add/query/delete). */
function fake(answers: Partial<Record<'add' | 'query' | 'delete', CommandResult[]>>, overrides: Partial<LogonDeps> = {}): Fake {
  const calls: Array<[string, readonly string[]]> = [];
  const stdout: string[] = [];
  const stderr: string[] = [];
  const queues = { add: [...(answers.add ?? [])], query: [...(answers.query ?? [])], delete: [...(answers.delete ?? [])] };
  return {
    calls,
    stdout,
    stderr,
    run: async (file, args) => {
      calls.push([file, args]);
      const next = queues[args[0] as 'add' | 'query' | 'delete'].shift();
      if (!next) throw new Error(`unexpected command ${file} ${args.join(' ')}`);
      return next;
    },
    platform: 'win32',
    execPath: EXE,
    executable: true,
    env: { SystemRoot: 'C:\\Windows', USERNAME: 'clinic' },
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    ...overrides,
  };
}

const ok = (stdout = ''): CommandResult => ({ code: 0, stdout, stderr: '' });
const queryOutput = (data: string) =>
  `\r\nHKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\r\n    ${RUN_VALUE}    REG_SZ    ${data}\r\n\r\n`;
const NOT_FOUND: CommandResult = { code: 1, stdout: '', stderr: 'ERROR: The system was unable to find the specified registry key or value.' };

describe('Windows command-line quoting (CommandLineToArgvW rules)', () => {
  it.each([
    ['--port', '--port'],
    ['C:\\NHI\\LIB\\CSHIS.dll', 'C:\\NHI\\LIB\\CSHIS.dll'],
    ['C:\\Program Files\\x.exe', '"C:\\Program Files\\x.exe"'],
    ['', '""'],
    ['a"b', '"a\\"b"'],
    ['C:\\dir with space\\', '"C:\\dir with space\\\\"'],
    ['a\\\\"b c', '"a\\\\\\\\\\"b c"'],
  ])('%j → %s', (arg, quoted) => {
    expect(quoteWindowsArg(arg)).toBe(quoted);
  });

  it('quotes the executable and every option of the Run entry', () => {
    expect(logonCommandLine(EXE, ['--cshis-path', 'C:\\NHI\\LIB\\CSHIS.dll', '--config', 'C:\\My Config\\gw.json'])).toBe(
      '"C:\\Program Files\\NHI Gateway\\nhi-gateway-win-x86.exe" --cshis-path C:\\NHI\\LIB\\CSHIS.dll --config "C:\\My Config\\gw.json"',
    );
  });
});

describe('install', () => {
  const command = `"${EXE}" --port 8737 --backend cshis`;

  it('adds the HKCU Run value with reg.exe (full path), then reads it back', async () => {
    const deps = fake({ add: [ok('The operation completed successfully.')], query: [ok(queryOutput(command))] });
    expect(await installAtLogon(['--port', '8737', '--backend', 'cshis'], deps)).toBe(0);
    expect(deps.calls).toEqual([
      [REG, ['add', RUN_KEY, '/v', RUN_VALUE, '/t', 'REG_SZ', '/d', command, '/f']],
      [REG, ['query', RUN_KEY, '/v', RUN_VALUE]],
    ]);
    expect(RUN_KEY).toBe('HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run');
    expect(deps.stdout.join('\n')).toContain('NHI Card Gateway will start when clinic logs on');
    expect(deps.stdout).toContain(`  ${command}`);
    expect(deps.stderr).toEqual([]);
  });

  it('fails when reg.exe add fails, with its message', async () => {
    const deps = fake({ add: [{ code: 1, stdout: '', stderr: 'ERROR: Access is denied.' }] });
    expect(await installAtLogon([], deps)).toBe(1);
    expect(deps.calls).toHaveLength(1);
    expect(deps.stderr.join('\n')).toMatch(/reg\.exe add exited with 1\. ERROR: Access is denied\./);
  });

  it('fails when the value reads back differently', async () => {
    const deps = fake({ add: [ok()], query: [ok(queryOutput('"C:\\other.exe"'))] });
    expect(await installAtLogon([], deps)).toBe(1);
    expect(deps.stderr.join('\n')).toMatch(/reads back as "C:\\other\.exe"/);
  });

  it('refuses a command line Windows would ignore (over 260 characters) without touching the registry', async () => {
    const deps = fake({});
    expect(await installAtLogon(['--cshis-path', `C:\\${'x'.repeat(260)}\\CSHIS.dll`], deps)).toBe(1);
    expect(deps.calls).toEqual([]);
    expect(deps.stderr.join('\n')).toMatch(/Windows ignores Run entries longer than 260.*--config/);
  });

  it('refuses outside Windows and outside the single executable, issuing no command', async () => {
    const linux = fake({}, { platform: 'linux', execPath: '/opt/nhi-gateway-linux-x64' });
    expect(await installAtLogon([], linux)).toBe(1);
    expect(linux.stderr.join('\n')).toMatch(/install is for Windows.*systemd --user/);
    const npmStart = fake({}, { executable: false, execPath: 'C:\\Program Files\\nodejs\\node.exe' });
    expect(await installAtLogon([], npmStart)).toBe(1);
    expect(npmStart.stderr.join('\n')).toMatch(/registers the single executable/);
    expect([...linux.calls, ...npmStart.calls]).toEqual([]);
  });

  it('warns when the executable sits in Downloads, and still registers it', async () => {
    const exe = 'C:\\Users\\clinic\\Downloads\\nhi-gateway-win-x86.exe';
    const deps = fake({ add: [ok()], query: [ok(queryOutput(exe))] }, { execPath: exe });
    expect(await installAtLogon([], deps)).toBe(0);
    expect(deps.stderr.join('\n')).toMatch(/looks like a download or temporary folder/);
  });
});

describe('uninstall', () => {
  it('deletes the value after finding it', async () => {
    const deps = fake({ query: [ok(queryOutput(`"${EXE}"`))], delete: [ok()] });
    expect(await uninstallFromLogon(deps)).toBe(0);
    expect(deps.calls).toEqual([
      [REG, ['query', RUN_KEY, '/v', RUN_VALUE]],
      [REG, ['delete', RUN_KEY, '/v', RUN_VALUE, '/f']],
    ]);
    expect(deps.stdout.join('\n')).toMatch(/no longer starts at logon/);
  });

  it('does nothing (exit 0) when it was not registered', async () => {
    const deps = fake({ query: [NOT_FOUND] });
    expect(await uninstallFromLogon(deps)).toBe(0);
    expect(deps.calls).toHaveLength(1);
    expect(deps.stdout.join('\n')).toMatch(/not registered.*nothing to remove/);
  });

  it('fails when reg.exe query itself fails (not "value not found")', async () => {
    const deps = fake({ query: [{ code: 127, stdout: '', stderr: 'spawn C:\\Windows\\System32\\reg.exe ENOENT' }] });
    expect(await uninstallFromLogon(deps)).toBe(1);
    expect(deps.calls).toHaveLength(1);
    expect(deps.stderr.join('\n')).toMatch(/reg\.exe query exited with 127\. spawn .*ENOENT/);
  });

  it('fails when reg.exe delete fails', async () => {
    const deps = fake({ query: [ok(queryOutput('x'))], delete: [{ code: 1, stdout: '', stderr: 'ERROR: Access is denied.' }] });
    expect(await uninstallFromLogon(deps)).toBe(1);
    expect(deps.stderr.join('\n')).toMatch(/reg\.exe delete exited with 1/);
  });
});

describe('reg.exe helpers', () => {
  it('runs reg.exe from %SystemRoot%\\System32, never from PATH', () => {
    expect(regExePath({ SystemRoot: 'D:\\WINDOWS\\' })).toBe('D:\\WINDOWS\\System32\\reg.exe');
    expect(regExePath({})).toBe('C:\\Windows\\System32\\reg.exe');
  });

  it('reads our value from reg query output (CRLF, other values around it)', () => {
    const output = `\r\nHKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\r\n    OneDrive    REG_SZ    "C:\\od.exe" /background\r\n    ${RUN_VALUE}    REG_SZ    "C:\\gw\\nhi-gateway-win-x86.exe" --port 8737\r\n`;
    expect(parseRegQuery(output)).toBe('"C:\\gw\\nhi-gateway-win-x86.exe" --port 8737');
    expect(parseRegQuery('')).toBeNull();
  });
});

describe('command line: install / uninstall', () => {
  const linux = { platform: 'linux' as const, fileExists: () => false };

  it('install validates the options it will register and keeps them as given', () => {
    const result = parseArgs(['install', '--port', '8745', '--visit-strategy', 'seq256-treatnum'], {}, linux);
    expect(result).toMatchObject({ kind: 'install', runArgs: ['--port', '8745', '--visit-strategy', 'seq256-treatnum'] });
    if (result.kind === 'install') expect(result.config.port).toBe(8745);
    expect(parseArgs(['install', '--port', '0'], {}, linux)).toMatchObject({ kind: 'error', message: expect.stringMatching(/--port must be/) });
  });

  it('uninstall takes no options; commands come first', () => {
    expect(parseArgs(['uninstall'], {}, linux)).toEqual({ kind: 'uninstall' });
    expect(parseArgs(['uninstall', '--port', '1'], {}, linux)).toMatchObject({ kind: 'error', message: expect.stringMatching(/uninstall takes no options/) });
    expect(parseArgs(['--port', '8745', 'install'], {}, linux)).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/Unexpected argument 'install'.*commands go first: install, uninstall/),
    });
  });
});
