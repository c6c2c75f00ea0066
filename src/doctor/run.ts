/**
 * `nhi-gateway doctor`: runs, in order, the checks that apply to the chosen backend (checks.ts doctorBackend:
 * the simulator needs only its port, pcsc the PC/SC library, service and readers, cshis the control software),
 * prints the table (or JSON), and returns the exit code: 1 when any check failed, 0 otherwise (warnings and
 * skipped checks do not fail it).
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
      if (!check.appliesTo(state)) continue;
      try {
        results.push(await check.run(state));
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
  const state = initialState(config, options, env);
  if (options.json) {
    // Enough to diagnose remotely (versions, backend, paths, check ids and codes) and nothing about patients:
    // the checks' details hold paths, versions and reader names only.
    const report = {
      ok: !failed,
      gateway: { version: io.version ?? null, node: process.version, platform: env.platform, arch: env.arch },
      backend: state.backend,
      backendChoice: config.backendChoice,
      ...(state.backend === 'cshis' ? { paths: { cshis: state.cshisPath, csdllIni: state.csdllIniPath, nhiRoot: options.nhiRoot } } : {}),
      summary: summarize(results),
      checks: results,
    };
    io.out(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const where = state.backend === 'cshis' ? `, ${state.cshisPath}` : '';
    io.out(
      `NHI Card Gateway doctor${io.version ? ` ${io.version}` : ''}: 環境檢查 environment check ` +
        `(${env.platform} ${env.arch}, backend ${state.backend}${where})\n\n`,
    );
    io.out(renderTable(results, io.columns === undefined ? {} : { columns: io.columns }));
    io.out(renderSummary(results));
  }
  return failed ? 1 : 0;
}
