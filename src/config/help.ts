/** `--help` and docs/options.md, generated from the option table (src/config/options.ts). */
import { DEFAULT_HOST, DEFAULT_PORT, OPTION_KEYS, optionRow, type OptionRow } from './options.ts';

const WIDTH = 100;
const COLUMN = 29;

function flagText(option: OptionRow<unknown>): string {
  const long = option.shownAs ?? `--${option.flag}${option.valueName ? ` ${option.valueName}` : ''}`;
  return option.short ? `-${option.short}, ${long}` : `    ${long}`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

function backendsText(option: OptionRow<unknown>): string {
  return option.backends === 'all' ? '' : option.backends.join('/');
}

function helpEntry(option: OptionRow<unknown>): string[] {
  const scope = option.commands.length === 1 ? `${option.commands[0]}: ` : option.backends === 'all' ? '' : `${backendsText(option)}: `;
  const env = option.env ? `; env ${option.env}` : '';
  const body = wrap(`${scope}${option.help} (default ${option.defaultText}${env})`, WIDTH - COLUMN);
  const flag = `  ${flagText(option)}`;
  const indent = ' '.repeat(COLUMN);
  if (flag.length > COLUMN - 2) return [flag, ...body.map((line) => indent + line)];
  return [flag.padEnd(COLUMN) + body[0], ...body.slice(1).map((line) => indent + line)];
}

export const HELP_TEXT = `NHI Card Gateway: a local GraphQL gateway over the NHI card reader stack.

Usage:
  nhi-gateway [options]             run the gateway
  nhi-gateway install [options]     start it at logon (Windows, this user), with these options
  nhi-gateway uninstall             stop starting it at logon
  nhi-gateway doctor [options]      check this workstation for what the backend needs; exits 1 when a
                                    check fails
  nhi-gateway where [--json]        where this user's running gateway listens (its gateway.json)

Commands:
  install     registers the executable under HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run,
              so it starts in your session at logon (never as a service: CSHIS.dll shows PIN
              dialogs on the desktop). Run it again to change the options.
  uninstall   removes that registration (a running gateway keeps running until closed).

Options (a "cshis:" option given for another backend is refused or warned about, see docs/options.md):
${OPTION_KEYS.flatMap((key) => helpEntry(optionRow(key))).join('\n')}
  -h, --help                 show this text
  -v, --version              print the version

Precedence: command line > environment > --config file (camelCase keys) > defaults.

Endpoints (defaults):
  GraphQL + GraphiQL  http://${DEFAULT_HOST}:${DEFAULT_PORT}/graphql   (open it in a browser)
  WebSocket           ws://${DEFAULT_HOST}:${DEFAULT_PORT}/graphql     (graphql-ws protocol)
  Health / readiness  http://${DEFAULT_HOST}:${DEFAULT_PORT}/health  and  /ready

Examples:
  nhi-gateway                                  auto-detect the backend, port ${DEFAULT_PORT} (or this user's own)
  nhi-gateway --backend simulator --port 9000  try it without a card reader
  nhi-gateway --config C:\\NHI\\gateway.json
  nhi-gateway install --backend cshis --port 8737
  set NHI_GATEWAY_PORT=8738 && nhi-gateway     (Windows cmd)
`;

export const OPTIONS_DOC_START = '<!-- options-table:start -->';
export const OPTIONS_DOC_END = '<!-- options-table:end -->';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (text: string | undefined) => (text ? `\`${text}\`` : '—');

/** The Markdown table of every option, as docs/options.md holds it between the markers. */
export function renderOptionsMarkdown(): string {
  const lines = [
    '| Option | Environment | Config key | Default | Backends | Otherwise | Commands | Meaning |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const key of OPTION_KEYS) {
    const option = optionRow(key);
    const flag = `${option.short ? `\`-${option.short}\`, ` : ''}\`${option.shownAs ?? `--${option.flag}`}${option.valueName ? ` ${option.valueName}` : ''}\``;
    const otherwise = option.backends === 'all' ? '—' : (option.otherBackend ?? 'warning');
    lines.push(
      `| ${cell(flag)} | ${code(option.env)} | ${option.inFile ? code(key) : '—'} | ${cell(option.defaultText)} | ` +
        `${option.backends === 'all' ? 'all' : option.backends.join(', ')} | ${otherwise} | ${option.commands.join(', ')} | ${cell(option.docs ?? option.help)} |`,
    );
  }
  return lines.join('\n');
}

/** `document` with the table between the markers replaced; throws when the markers are missing. */
export function withOptionsTable(document: string): string {
  const start = document.indexOf(OPTIONS_DOC_START);
  const end = document.indexOf(OPTIONS_DOC_END);
  if (start < 0 || end < start) throw new Error(`markers ${OPTIONS_DOC_START} … ${OPTIONS_DOC_END} not found`);
  return `${document.slice(0, start + OPTIONS_DOC_START.length)}\n${renderOptionsMarkdown()}\n${document.slice(end)}`;
}
