/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4), for tests: every line must be
 * a HELP, a TYPE, a blank line or a sample of a family declared by TYPE before it; names, label syntax,
 * escapes and values are checked, and anything else throws with the line number. No parser is installed,
 * so this is ours (written from the format's description: metric name, optional {label="value",...}, value,
 * optional timestamp; `\\`, `\"` and `\n` escapes in label values; `\\` and `\n` in HELP).
 */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Readonly<Record<MetricType, readonly string[]>> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

export class PrometheusParseError extends Error {}

export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const helps = new Map<string, string>();
  const lines = text.split('\n');
  if (lines.at(-1) !== '') throw new PrometheusParseError('the exposition must end with a newline');
  lines.forEach((line, index) => {
    const fail = (why: string): never => {
      throw new PrometheusParseError(`line ${index + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line === '') return;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!match) return; // a plain comment
      const [, keyword, name, rest] = match as unknown as [string, string, string, string];
      if (!NAME.test(name)) fail('bad metric name');
      if (keyword === 'HELP') {
        if (helps.has(name)) fail('second HELP');
        helps.set(name, unescape(rest, false, fail));
        return;
      }
      if (!TYPES.has(rest as MetricType)) fail('unknown type');
      if (families.has(name)) fail('second TYPE');
      families.set(name, { name, type: rest as MetricType, help: helps.get(name) ?? '', samples: [] });
      return;
    }
    const sample = parseSample(line, fail);
    const family = familyOf(sample.name, families);
    if (!family) fail('sample of an undeclared family');
    family!.samples.push(sample);
  });
  for (const [name, help] of helps) {
    const family = families.get(name);
    if (family) families.set(name, { ...family, help });
  }
  return families;
}

function familyOf(sampleName: string, families: Map<string, MetricFamily>): MetricFamily | undefined {
  for (const family of families.values()) {
    for (const suffix of SUFFIXES[family.type]) if (sampleName === family.name + suffix) return family;
  }
  return undefined;
}

function parseSample(line: string, fail: (why: string) => never): Sample {
  let at = 0;
  while (at < line.length && /[a-zA-Z0-9_:]/.test(line[at]!)) at++;
  const name = line.slice(0, at);
  if (!NAME.test(name)) fail('bad sample name');
  const labels: Record<string, string> = {};
  if (line[at] === '{') {
    at++;
    while (line[at] !== '}') {
      const eq = line.indexOf('=', at);
      if (eq < 0) fail('label without =');
      const labelName = line.slice(at, eq);
      if (!LABEL_NAME.test(labelName)) fail('bad label name');
      if (labelName in labels) fail('repeated label');
      if (line[eq + 1] !== '"') fail('label value not quoted');
      let end = eq + 2;
      let raw = '';
      for (;;) {
        const c = line[end];
        if (c === undefined) fail('unterminated label value');
        if (c === '"') break;
        if (c === '\\') {
          raw += line.slice(end, end + 2);
          end += 2;
          continue;
        }
        raw += c;
        end++;
      }
      labels[labelName] = unescape(raw, true, fail);
      at = end + 1;
      if (line[at] === ',') at++;
      else if (line[at] !== '}') fail('expected , or } after a label');
    }
    at++;
  }
  if (line[at] !== ' ') fail('expected a space before the value');
  const parts = line.slice(at + 1).split(' ');
  if (parts.length > 2) fail('too many fields');
  const value = parseValue(parts[0]!, fail);
  if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) fail('bad timestamp');
  return { name, labels, value };
}

function parseValue(text: string, fail: (why: string) => never): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) fail('bad value');
  return Number(text);
}

function unescape(text: string, quotes: boolean, fail: (why: string) => never): string {
  return text.replace(/\\(.?)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    if (c === '"' && quotes) return '"';
    return fail(`bad escape \\${c}`);
  });
}

/** The value of the sample `name` whose labels include `labels`; 0 when absent (counters not yet touched). */
export function sampleValue(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number {
  for (const family of families.values()) {
    for (const sample of family.samples) {
      if (sample.name !== name) continue;
      if (Object.entries(labels).every(([k, v]) => sample.labels[k] === v)) return sample.value;
    }
  }
  return 0;
}

/** Every label value in the exposition. */
export function allLabelValues(families: Map<string, MetricFamily>): string[] {
  return [...families.values()].flatMap((f) => f.samples.flatMap((s) => Object.values(s.labels)));
}
