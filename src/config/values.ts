/**
 * Value parsers of the option table (src/config/options.ts): each takes a raw value and where it came from
 * (`--port`, `NHI_GATEWAY_PORT`, `"port" in gateway.json`) and returns the typed value or throws a
 * ConfigError naming that source and the rule it broke.
 */
import { isIP } from 'node:net';
import { normalizeOrigin } from '../security/origins.ts';

/** A one-line message for the operator; parseArgs turns it into `{ kind: 'error' }`. */
export class ConfigError extends Error {}

/** A raw value and where it came from, e.g. `--port`, `NHI_GATEWAY_PORT` or `"port" in gateway.json`. */
export interface Sourced {
  readonly value: unknown;
  readonly source: string;
}

/** What a parser may look at besides the value. */
export interface ParseContext {
  readonly fileExists: (path: string) => boolean;
}

export type ValueParser<T> = (sourced: Sourced, context: ParseContext) => T;

export function asString(sourced: Sourced): string {
  if (typeof sourced.value !== 'string' || sourced.value.trim() === '') {
    throw new ConfigError(`${sourced.source} must be a non-empty string`);
  }
  return sourced.value;
}

/** A whole number in [min, max]; `rule` is how the error states it. */
export function integer(min: number, max: number, rule: string): ValueParser<number> {
  return (sourced) => {
    const { value } = sourced;
    const number =
      typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isInteger(number) || number < min || number > max) {
      throw new ConfigError(`${sourced.source} must be ${rule} (got ${JSON.stringify(value)})`);
    }
    return number;
  };
}

/** One of the keys of `choices`, case-insensitive; the caller maps it to a domain value with the same table. */
export function oneOf<T extends string>(choices: readonly T[]): ValueParser<T> {
  return (sourced) => {
    const value = typeof sourced.value === 'string' ? sourced.value.trim().toLowerCase() : sourced.value;
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
      throw new ConfigError(`${sourced.source} must be one of ${choices.join(', ')} (got ${JSON.stringify(sourced.value)})`);
    }
    return value as T;
  };
}

/** `off`, or a whole number of milliseconds in [min, max]; `rule` states the number part. */
export function millisecondsOrOff(min: number, max: number, rule: string): ValueParser<number | 'off'> {
  const milliseconds = integer(min, max, rule);
  return (sourced, context) => {
    if (typeof sourced.value === 'string' && sourced.value.trim().toLowerCase() === 'off') return 'off';
    try {
      return milliseconds(sourced, context);
    } catch {
      throw new ConfigError(`${sourced.source} must be off or ${rule} (got ${JSON.stringify(sourced.value)})`);
    }
  };
}

export const path: ValueParser<string> = (sourced) => asString(sourced).trim();

/** A path that must name an existing file (checked at parse time because nothing later could recover). */
export function existingFile(what: string): ValueParser<string> {
  return (sourced, context) => {
    const file = path(sourced, context);
    if (!context.fileExists(file)) throw new ConfigError(`${sourced.source}: ${file} not found (${what})`);
    return file;
  };
}

export const boolean: ValueParser<boolean> = (sourced) => {
  const { value } = sourced;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
    if (['0', 'false', 'no', 'off'].includes(lower)) return false;
  }
  throw new ConfigError(`${sourced.source} must be true or false (got ${JSON.stringify(value)})`);
};

export const host: ValueParser<string> = (sourced) => {
  const text = asString(sourced).trim();
  const unbracketed = text.replace(/^\[(.*)\]$/, '$1');
  if (isIP(unbracketed) === 0 && !/^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(text)) {
    throw new ConfigError(`${sourced.source} must be an IP address or host name, e.g. 127.0.0.1 (got ${JSON.stringify(sourced.value)})`);
  }
  return unbracketed;
};

/** An https:// URL: the Web API is only ever called over verified TLS. */
export function httpsUrl(example: string): ValueParser<string> {
  return (sourced) => {
    const text = asString(sourced).trim();
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new ConfigError(`${sourced.source} must be a URL, e.g. ${example} (got ${JSON.stringify(sourced.value)})`);
    }
    if (url.protocol !== 'https:') {
      throw new ConfigError(`${sourced.source} must be an https:// URL: the Web API is only called over TLS (got ${JSON.stringify(sourced.value)})`);
    }
    return url.href;
  };
}

/** A list of origins: repeated options, a JSON array, or a comma-separated string (env, file). */
export const origins: ValueParser<readonly string[] | undefined> = (sourced) => {
  const { value } = sourced;
  // Commas split every form, repeated options too: an origin has none, and the MSI passes one --allowed-origin.
  const items = Array.isArray(value)
    ? value.flatMap((item: unknown) => (typeof item === 'string' ? item.split(',') : [item]))
    : typeof value === 'string'
      ? value.split(',')
      : null;
  if (items === null || items.some((item) => typeof item !== 'string')) {
    throw new ConfigError(`${sourced.source} must be a list of origins, e.g. ["https://his.example"] (got ${JSON.stringify(value)})`);
  }
  const result: string[] = [];
  for (const item of items as string[]) {
    if (item.trim() === '') continue;
    const normalized = normalizeOrigin(item);
    if ('error' in normalized) throw new ConfigError(`${sourced.source}: ${normalized.error}`);
    if (!result.includes(normalized.origin)) result.push(normalized.origin);
  }
  return result.length > 0 ? result : undefined;
};
