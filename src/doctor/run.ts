/**
 * `nhi-gateway doctor`: runs every check in order, prints the table (or JSON), and returns the exit code:
 * 1 when any check failed, 0 otherwise (warnings and skipped checks do not fail it).
 */
import type { DoctorOptions, GatewayConfig } from '../config.ts';
import { CHECKS, initialState, type CheckResult } from './checks.ts';
import { createNodeEnvironment, type DoctorEnvironment } from './environment.ts';
import { renderSummary, renderTable, summarize } from './report.ts';

export interface DoctorIo {
  readonly out: (text: string) => void;
  /** Console width for the table. */
  readonly columns?: number | undefined;
  /** Gateway version for the heading. */
  readonly version?: string;
}

export async function runChecks(config: GatewayConfig, options: DoctorOptions, env: DoctorEnvironment): Promise<CheckResult[]> {
  const state = initialState(config, options, env);
  const results: CheckResult[] = [];
  try {
    for (const check of CHECKS) {
      try {
        results.push(await check(state));
      } catch (error) {
        // A check that breaks is a doctor bug; it must not hide the other checks' answers.
        results.push({
          id: 'internal',
          title: { zh: '檢查程式錯誤', en: 'Doctor error' },
          status: 'fail',
          detail: error instanceof Error ? error.message : String(error),
        });
      }
    }
  } finally {
    if (state.controlSoftware) await Promise.resolve(state.controlSoftware[Symbol.asyncDispose]()).catch(() => undefined);
  }
  return results;
}

export async function runDoctor(
  config: GatewayConfig,
  options: DoctorOptions,
  io: DoctorIo,
  env: DoctorEnvironment = createNodeEnvironment(),
): Promise<number> {
  const results = await runChecks(config, options, env);
  const failed = summarize(results).fail > 0;
  if (options.json) {
    io.out(`${JSON.stringify({ ok: !failed, summary: summarize(results), checks: results }, null, 2)}\n`);
  } else {
    io.out(
      `NHI Card Gateway doctor${io.version ? ` ${io.version}` : ''}: 環境檢查 environment check ` +
        `(${env.platform} ${env.arch}, ${options.nhiRoot})\n\n`,
    );
    io.out(renderTable(results, io.columns === undefined ? {} : { columns: io.columns }));
    io.out(renderSummary(results));
  }
  return failed ? 1 : 0;
}
