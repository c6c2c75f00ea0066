/**
 * The audit line as src/logger.ts `auditLine` built it before round 7 (a string grown key by key, each
 * value through JSON.stringify), kept as the oracle its faster replacement must match byte for byte
 * (test/api/security/audit-line.test.ts).
 */
import type { AuditEntry } from '../../src/security/audit.ts';

/** Keys an audit entry has (src/security/audit.ts `AuditEntry`), none of them sensitive. */
const AUDIT_STRING_KEYS: ReadonlySet<string> = new Set(['event', 'transport', 'origin', 'remoteAddress', 'auth', 'operationType', 'operationName', 'outcome']);

/**
 * The JSON line pino would write for `entry` (`{"level":"info","time":…,…entry,"msg":"audit"}`), built
 * directly when the entry has only AuditEntry's keys with string/null values and `{ field, outcome }`
 * items, which `redactDeep` would return unchanged. Null for any other shape: the caller then takes the
 * generic, redacting path. The stream masks ID numbers in the whole line either way.
 */
export function referenceAuditLine(entry: AuditEntry, now: () => Date): string | null {
  let out = `{"level":"info","time":"${now().toISOString()}"`;
  for (const key in entry) {
    const value = (entry as unknown as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (AUDIT_STRING_KEYS.has(key)) {
      if (value !== null && typeof value !== 'string') return null;
      out += `,"${key}":${JSON.stringify(value)}`;
    } else if (key === 'fields') {
      const fields = fieldsJson(value);
      if (fields === null) return null;
      out += `,"fields":${fields}`;
    } else {
      return null;
    }
  }
  return `${out},"msg":"audit"}\n`;
}

function fieldsJson(value: unknown): string | null {
  if (!Array.isArray(value)) return null;
  let out = '[';
  for (let i = 0; i < value.length; i++) {
    const item = value[i] as Record<string, unknown> | null;
    if (item === null || typeof item !== 'object') return null;
    let keys = 0;
    for (const _key in item) keys++;
    const { field, outcome } = item;
    if (keys !== 2 || typeof field !== 'string' || typeof outcome !== 'string') return null;
    out += `${i > 0 ? ',' : ''}{"field":${JSON.stringify(field)},"outcome":${JSON.stringify(outcome)}}`;
  }
  return `${out}]`;
}
