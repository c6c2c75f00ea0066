/**
 * Reads the documentation the way a reader copies from it: fenced code blocks, the command lines in them that
 * start the gateway, and the GraphQL blocks. test/integration/docs-commands.test.ts runs what this finds, so an
 * example added to README.md or docs/ is tested without anyone listing it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface FencedBlock {
  /** Repository-relative path of the Markdown file. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The fence's language (first word of the info string), lower-case; '' when none. */
  readonly lang: string;
  /** The rest of the info string, e.g. `error` in ```graphql error. */
  readonly flags: readonly string[];
  readonly body: string;
}

/** README.md and every Markdown file under docs/, in a stable order. */
export function documentationFiles(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))
      .flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : entry.name.endsWith('.md') ? [join(dir, entry.name)] : []));
  return [join(root, 'README.md'), ...walk(join(root, 'docs'))].map((file) => relative(root, file));
}

/** Every fenced block (``` or ~~~, indented or not) of one Markdown text. */
export function fencedBlocks(file: string, text: string): FencedBlock[] {
  const lines = text.split('\n');
  const blocks: FencedBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, info] = open as unknown as [string, string, string, string];
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      if (lines[j]!.trim().startsWith(fence) && lines[j]!.trim().replace(/[`~]/g, '') === '') break;
      body.push(lines[j]!.startsWith(indent) ? lines[j]!.slice(indent.length) : lines[j]!.trimStart());
    }
    const [lang = '', ...flags] = info.trim().split(/\s+/).filter(Boolean);
    blocks.push({ file, line: i + 1, lang: lang.toLowerCase(), flags, body: body.join('\n') });
    i = j;
  }
  return blocks;
}

export function readBlocks(root: string, file: string): FencedBlock[] {
  return fencedBlocks(file, readFileSync(join(root, file), 'utf8'));
}

/** Fence languages whose lines are typed at a prompt (none = a console transcript or a command). */
export const SHELL_LANGUAGES = new Set(['', 'sh', 'bash', 'shell', 'console', 'bat', 'cmd', 'powershell', 'ps1', 'pwsh']);

/** A shell/cmd line split into words: quotes group, backslashes stay (Windows paths). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | null = null;
  let inWord = false;
  for (const char of line) {
    if (quote) {
      if (char === quote) quote = null;
      else word += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

export interface CommandLine {
  readonly file: string;
  /** 1-based line where the command starts. */
  readonly line: number;
  /** The command as written (continuations joined, prompt and comment removed). */
  readonly text: string;
  readonly words: readonly string[];
}

const PROMPT = /^(?:\$|>|PS [^>]*>|[A-Za-z]:\\[^>]*>)\s+/;

/**
 * The commands of a shell block: continuation lines (`\`, `^`, PowerShell's backtick) joined; when the block
 * shows prompts (`$ `, `C:\NHI> `), only prompted lines are commands and the rest is output.
 */
export function commandLines(block: FencedBlock): CommandLine[] {
  const lines = block.body.split('\n');
  const prompted = lines.some((l) => PROMPT.test(l));
  const commands: CommandLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    let text = lines[i]!;
    if (prompted) {
      if (!PROMPT.test(text)) continue;
      text = text.replace(PROMPT, '');
    }
    const start = i;
    while (/\s[\\^`]$/.test(text) && i + 1 < lines.length) text = `${text.slice(0, -1).trimEnd()} ${lines[++i]!.trim()}`;
    text = text
      .replace(/\s+(?:#|REM\s).*$/i, '') // trailing comment (sh `#`, cmd `REM`)
      .trim();
    if (!text || text.startsWith('#') || /^REM\b/i.test(text)) continue;
    commands.push({ file: block.file, line: block.line + 1 + start, text, words: shellWords(text) });
  }
  return commands;
}
