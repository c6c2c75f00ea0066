/**
 * The doctor's output: a table (check | status | detail | how to fix) sized for an 80–140 column console,
 * counting CJK characters as two columns, or JSON for scripts.
 */
import type { CheckResult, CheckStatus } from './checks.ts';

export const STATUS_SYMBOL: Record<CheckStatus, string> = { pass: '✔', warn: '⚠', fail: '✘', skip: '–' };

/** Columns a string takes in a terminal: East Asian wide and full-width characters take two. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const wide =
      (cp >= 0x1100 && cp <= 0x115f) ||
      (cp >= 0x2e80 && cp <= 0x303e) ||
      (cp >= 0x3041 && cp <= 0x33ff) ||
      (cp >= 0x3400 && cp <= 0x4dbf) ||
      (cp >= 0x4e00 && cp <= 0x9fff) ||
      (cp >= 0xa000 && cp <= 0xa4cf) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) ||
      (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) ||
      (cp >= 0x20000 && cp <= 0x3fffd);
    width += wide ? 2 : 1;
  }
  return width;
}

/** Word-wraps to `width` columns; CJK text may break between any two characters. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    // Tokens: runs of non-space Latin, single CJK characters, and spaces.
    for (const token of paragraph.match(/[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+|\s+/g) ?? []) {
      if (displayWidth(line + token) <= width) {
        line += token;
        continue;
      }
      if (line.trim() !== '') lines.push(line.trimEnd());
      line = /^\s+$/.test(token) ? '' : token;
      // A single token wider than the column (a long path) is cut hard.
      while (displayWidth(line) > width) {
        let cut = '';
        for (const ch of line) {
          if (displayWidth(cut + ch) > width) break;
          cut += ch;
        }
        lines.push(cut);
        line = line.slice(cut.length);
      }
    }
    if (line.trim() !== '' || lines.length === 0) lines.push(line.trimEnd());
  }
  return lines;
}

const pad = (text: string, width: number): string => text + ' '.repeat(Math.max(0, width - displayWidth(text)));

export interface TableOptions {
  /** Console width; the detail and fix columns share what is left. @default 132 */
  readonly columns?: number;
}

export function renderTable(results: readonly CheckResult[], options: TableOptions = {}): string {
  const total = Math.max(80, options.columns ?? 132);
  const checkWidth = 30;
  const statusWidth = 2;
  const rest = total - checkWidth - statusWidth - 6;
  const detailWidth = Math.floor(rest * 0.45);
  const fixWidth = rest - detailWidth;
  const header = [pad('檢查項目 check', checkWidth), pad('', statusWidth), pad('結果 detail', detailWidth), '處理方式 how to fix'].join('  ');
  const rule = ['─'.repeat(checkWidth), '─'.repeat(statusWidth), '─'.repeat(detailWidth), '─'.repeat(fixWidth)].join('  ');
  const out = [header.trimEnd(), rule];
  for (const r of results) {
    const check = wrap(`${r.title.zh} ${r.title.en}`, checkWidth);
    const detail = wrap(r.detail, detailWidth);
    const fix = r.fix && r.status !== 'pass' ? [...wrap(r.fix.zh, fixWidth), ...wrap(r.fix.en, fixWidth)] : [];
    const height = Math.max(check.length, detail.length, fix.length);
    for (let i = 0; i < height; i++) {
      out.push(
        [
          pad(check[i] ?? '', checkWidth),
          pad(i === 0 ? STATUS_SYMBOL[r.status] : '', statusWidth),
          pad(detail[i] ?? '', detailWidth),
          fix[i] ?? '',
        ]
          .join('  ')
          .trimEnd(),
      );
    }
  }
  return `${out.join('\n')}\n`;
}

export function summarize(results: readonly CheckResult[]): { pass: number; warn: number; fail: number; skip: number } {
  const count = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  return { pass: count('pass'), warn: count('warn'), fail: count('fail'), skip: count('skip') };
}

export function renderSummary(results: readonly CheckResult[]): string {
  const s = summarize(results);
  const verdict =
    s.fail > 0
      ? `✘ ${s.fail} 項未通過，請依「處理方式」修正。 ${s.fail} check(s) failed: see "how to fix".`
      : s.warn > 0
        ? `⚠ 可以使用，但有 ${s.warn} 項提醒。 Usable, with ${s.warn} warning(s).`
        : '✔ 環境檢查通過。 All checks passed.';
  return `\n${s.pass} ✔  ${s.warn} ⚠  ${s.fail} ✘  ${s.skip} –\n${verdict}\n`;
}
