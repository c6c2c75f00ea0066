/**
 * `nhi-gateway install` / `uninstall`: start the gateway in the user's own session at logon.
 *
 * Why the HKCU Run key and not a Windows service: CSHIS.dll shows its PIN dialogs (and the cloud-SAM console
 * its windows) on the interactive desktop, and a service runs in session 0, which has no desktop the user
 * sees. A per-user Run entry starts the executable in the user's session after every logon, needs no
 * administrator rights and is removed with one command. `reg.exe` is the tool used (always present, and the
 * exact commands are visible to an IT person in the docs and in the tests).
 *
 * Only the single executable is registered: an `npm start` checkout depends on Node, tsx and the source
 * folder staying put, which is not something to start at every logon.
 */
import { execFile } from 'node:child_process';

export const RUN_KEY = 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run';
export const RUN_VALUE = 'NHI Card Gateway';
/** Windows ignores Run entries whose command line is longer than this. */
export const RUN_COMMAND_MAX = 260;

export interface CommandResult {
  /** Exit status (non-zero when the command failed or could not be started). */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program with arguments (no shell) and reports how it ended. Injected so tests see every command. */
export type CommandRunner = (file: string, args: readonly string[]) => Promise<CommandResult>;

export interface LogonDeps {
  readonly run: CommandRunner;
  readonly platform: NodeJS.Platform;
  /** The file to register: the executable itself. */
  readonly execPath: string;
  /** True when running as the single executable (Node SEA). */
  readonly executable: boolean;
  /** The environment (for `SystemRoot` and `USERNAME`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** `%SystemRoot%\System32\reg.exe` by full path, so a `reg.exe` elsewhere on PATH is never the one run. */
export function regExePath(env: Readonly<Record<string, string | undefined>>): string {
  const systemRoot = (env['SystemRoot'] ?? env['SYSTEMROOT'] ?? 'C:\\Windows').replace(/\\+$/, '');
  return `${systemRoot}\\System32\\reg.exe`;
}

/**
 * Quotes one argument for a Windows command line the way the C runtime (and Node on Windows) splits it
 * again: wrapped in quotes when it has a space, tab or quote; `"` becomes `\"`, and backslashes are doubled
 * only where they precede a quote (including the closing one).
 */
export function quoteWindowsArg(arg: string): string {
  if (arg !== '' && !/[ \t"]/.test(arg)) return arg;
  let quoted = '"';
  let backslashes = 0;
  for (const char of arg) {
    if (char === '\\') {
      backslashes++;
      continue;
    }
    if (char === '"') {
      quoted += '\\'.repeat(backslashes * 2 + 1) + '"';
    } else {
      quoted += '\\'.repeat(backslashes) + char;
    }
    backslashes = 0;
  }
  return `${quoted}${'\\'.repeat(backslashes * 2)}"`;
}

/** The command line the Run entry holds: the executable and the options given after `install`. */
export function logonCommandLine(execPath: string, runArgs: readonly string[]): string {
  return [execPath, ...runArgs].map(quoteWindowsArg).join(' ');
}

/** The data of our value in `reg.exe query` output, or null when the value is not in it. */
export function parseRegQuery(stdout: string, valueName: string = RUN_VALUE): string | null {
  const escaped = valueName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // e.g. "    NHI Card Gateway    REG_SZ    C:\gw\nhi-gateway-win-x86.exe --port 8737"
  const line = new RegExp(`^\\s*${escaped}\\s+REG_(?:EXPAND_)?SZ\\s+(.*)$`);
  for (const text of stdout.split(/\r?\n/)) {
    const match = line.exec(text);
    if (match) return match[1] ?? '';
  }
  return null;
}

function refuseOffWindows(deps: LogonDeps, what: string): number {
  deps.err(
    `${what} is for Windows: it registers the gateway under ${RUN_KEY}. On ${deps.platform}, start ` +
      `${deps.execPath} from your session's autostart instead (e.g. a systemd --user unit).`,
  );
  return 1;
}

export async function installAtLogon(runArgs: readonly string[], deps: LogonDeps): Promise<number> {
  if (deps.platform !== 'win32') return refuseOffWindows(deps, 'install');
  if (!deps.executable) {
    deps.err(
      'install registers the single executable (nhi-gateway-win-x86.exe or nhi-gateway-win-x64.exe): ' +
        'copy it to the folder it will stay in and run "nhi-gateway-win-x86.exe install" there.',
    );
    return 1;
  }
  const command = logonCommandLine(deps.execPath, runArgs);
  if (command.length > RUN_COMMAND_MAX) {
    deps.err(
      `the logon command would be ${command.length} characters; Windows ignores Run entries longer than ` +
        `${RUN_COMMAND_MAX}. Put the options in a JSON file and install with --config <file>.`,
    );
    return 1;
  }
  if (/\\(downloads|temp|tmp)\\/i.test(deps.execPath)) {
    deps.err(`warning: ${deps.execPath} looks like a download or temporary folder; the logon entry points at this file.`);
  }
  const reg = regExePath(deps.env);
  const added = await deps.run(reg, ['add', RUN_KEY, '/v', RUN_VALUE, '/t', 'REG_SZ', '/d', command, '/f']);
  if (added.code !== 0) {
    deps.err(`could not register the gateway: reg.exe add exited with ${added.code}. ${added.stderr.trim()}`);
    return 1;
  }
  const queried = await deps.run(reg, ['query', RUN_KEY, '/v', RUN_VALUE]);
  const stored = queried.code === 0 ? parseRegQuery(queried.stdout) : null;
  if (stored === null) {
    deps.err(`reg.exe add reported success but ${RUN_KEY}\\${RUN_VALUE} cannot be read back: ${queried.stderr.trim()}`);
    return 1;
  }
  // reg.exe prints in the console code page: only an all-ASCII command can be compared byte for byte.
  if (stored !== command && /^[\x20-\x7e]*$/.test(command)) {
    deps.err(`${RUN_KEY}\\${RUN_VALUE} reads back as ${stored}, not ${command}`);
    return 1;
  }
  const user = deps.env['USERNAME'] ?? 'this user';
  deps.out(`NHI Card Gateway will start when ${user} logs on (${RUN_KEY}, value "${RUN_VALUE}"):`);
  deps.out(`  ${command}`);
  deps.out('It is not started now: run that command (or log off and on) to start it. Undo with "uninstall".');
  return 0;
}

export async function uninstallFromLogon(deps: LogonDeps): Promise<number> {
  if (deps.platform !== 'win32') return refuseOffWindows(deps, 'uninstall');
  const reg = regExePath(deps.env);
  const queried = await deps.run(reg, ['query', RUN_KEY, '/v', RUN_VALUE]);
  // reg.exe query exits with 1 when the value does not exist; anything else is a failure to look.
  if (queried.code !== 0 && queried.code !== 1) {
    deps.err(`could not read ${RUN_KEY}: reg.exe query exited with ${queried.code}. ${queried.stderr.trim()}`);
    return 1;
  }
  if (queried.code === 1 || parseRegQuery(queried.stdout) === null) {
    deps.out(`NHI Card Gateway is not registered to start at logon (${RUN_KEY}); nothing to remove.`);
    return 0;
  }
  const deleted = await deps.run(reg, ['delete', RUN_KEY, '/v', RUN_VALUE, '/f']);
  if (deleted.code !== 0) {
    deps.err(`could not remove the logon entry: reg.exe delete exited with ${deleted.code}. ${deleted.stderr.trim()}`);
    return 1;
  }
  deps.out(`Removed: NHI Card Gateway no longer starts at logon. A gateway running now keeps running until closed.`);
  return 0;
}

/** The real runner: `execFile` without a shell; a program that cannot start reports code 127-like failure. */
export const nodeCommandRunner: CommandRunner = (file, args) =>
  new Promise((resolve) => {
    execFile(file, [...args], { windowsHide: true, encoding: 'utf8', timeout: 30_000 }, (error, stdout, stderr) => {
      if (!error) {
        resolve({ code: 0, stdout, stderr });
        return;
      }
      const code = typeof error.code === 'number' ? error.code : 127;
      resolve({ code, stdout, stderr: stderr || error.message });
    });
  });
