/**
 * Which control-software version introduced which API, and what each visit strategy needs. Pure data and
 * functions (no koffi): the adapter gates calls with it, readiness explains a too-old DLL with it.
 *
 * Version codes are what csGetVersionEx returns (docs/reference/functions.md (1.51)): the version's four digits, 5158 = 5.1.5.8.
 * Sources: the NHI briefing (2022-11) table "5.1.5.*讀卡機控制軟體取就醫識別碼之相關API一覽表":
 * 1.53 hisGetSeqNumber256N1 and 1.55 hisQuickInsurence are "5.1.5.1版新增之API", 1.56 hisGetTreatNumICCard
 * is "5.1.5.3版新增之API" (docs/reference/functions.md rows 1.53–1.56, docs/reference/webapi.md (Control software 6.0)). One public client (S4) compares the code
 * with 5153 before using N1; that is the 1.56 threshold, stricter than 1.53 needs.
 *
 * Caveat: the same release wave ships a 3.5.5.0 build (docs/reference/functions.md (1.51)) whose API set is not public. A numeric
 * comparison calls it too old for 1.53; the gate only applies when the version code is known.
 */
import type { VisitStrategy } from '../../ports/card-stack.ts';
import type { CshisExportName } from './native.ts';
import { spellVersionCode } from './errors.ts';

/** Exports that exist only from a given version code on (briefing table above). */
export const MINIMUM_VERSION: Readonly<Partial<Record<CshisExportName, number>>> = {
  hisGetSeqNumber256N1: 5151, // 1.53
  hisQuickInsurence: 5151, // 1.55
  hisGetTreatNumICCard: 5153, // 1.56
};

/** The exports each visit strategy calls for startVisit (briefing 方式 1–4, schema VisitStrategy). */
export const STRATEGY_EXPORTS: Readonly<Record<VisitStrategy, readonly CshisExportName[]>> = {
  N1: ['hisGetSeqNumber256N1'],
  SEQ256_TREATNUM: ['hisGetSeqNumber256', 'hisGetTreatNumICCard'],
  SEQ256_QUICK_TREATNUM: ['hisQuickInsurence', 'hisGetSeqNumber256', 'hisGetTreatNumICCard'],
  SEQ256_WEBAPI: ['hisGetSeqNumber256'],
};

/** The minimum version code of an export, or null when every version has it (as far as is known). */
export function minimumVersionOf(name: string): number | null {
  return MINIMUM_VERSION[name as CshisExportName] ?? null;
}

/**
 * Whether `versionCode` is too old for `name`. Unknown versions (null, or not a 4-digit code) are never
 * called too old: the call is made and a missing export still shows as MISSING_EXPORT.
 */
export function isTooOldFor(name: string, versionCode: number | null): boolean {
  const minimum = minimumVersionOf(name);
  return minimum !== null && versionCode !== null && /^\d{4}$/.test(String(versionCode)) && versionCode < minimum;
}

/**
 * Why the loaded library cannot run `strategy`, one sentence per problem (for /ready): a version older
 * than an export needs, or an export the DLL lacks. Empty when it can.
 */
export function strategyProblems(
  strategy: VisitStrategy,
  versionCode: number | null,
  missingExports: readonly string[],
): string[] {
  const problems: string[] = [];
  for (const name of STRATEGY_EXPORTS[strategy]) {
    const minimum = minimumVersionOf(name);
    if (minimum !== null && isTooOldFor(name, versionCode)) {
      problems.push(
        `control software ${spellVersionCode(versionCode ?? 0)} (version code ${versionCode}) is too old for the ` +
          `${strategy} visit strategy: ${name} needs ${spellVersionCode(minimum)} or later (CONTROL_SOFTWARE_TOO_OLD); ` +
          'update the NHI control software or choose another --visit-strategy',
      );
    } else if (missingExports.includes(name)) {
      problems.push(
        `the loaded control software has no ${name}, which the ${strategy} visit strategy calls (MISSING_EXPORT); ` +
          'update the NHI control software or choose another --visit-strategy',
      );
    }
  }
  return problems;
}
