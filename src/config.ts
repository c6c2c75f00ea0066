/**
 * Gateway configuration: the entry other modules import. The options are declared once in
 * src/config/options.ts; the parser (src/config/parse.ts), `--help` and docs/options.md (src/config/help.ts)
 * are generated from that table, and src/config/data-paths.ts says where the gateway's own files go.
 *
 * Commands: with no command the gateway runs. `install [options]` registers the gateway to start at logon
 * with those options (validated here exactly as for a run); `uninstall` removes that registration;
 * `doctor [options]` checks the workstation.
 */
export {
  BACKEND_CHOICES,
  BACKENDS,
  COMMANDS,
  DEFAULT_CSDLL_INI,
  DEFAULT_CSHIS_PATH,
  DEFAULT_HOST,
  DEFAULT_NHI_ROOT,
  DEFAULT_PORT,
  DEFAULT_RELEASE_MEMORY_MS,
  DEFAULT_WEBAPI_URL,
  ENV,
  NO_CARD_TREATMENT_ID_CHOICES,
  NO_CARD_TREATMENT_ID_POLICIES,
  OPTIONS,
  READER_OPEN_POLICIES,
  VISIT_STRATEGIES,
  VISIT_STRATEGY_VALUES,
  WEBAPI_SERVICE_CODES,
  type Backend,
  type BackendChoice,
  type Command,
  type NoCardTreatmentIdChoice,
  type ReaderOpenPolicy,
  type VisitStrategy,
} from './config/options.ts';
export type { ConfigIo, DoctorOptions, GatewayConfig, ParseArgsResult } from './config/types.ts';
export { parseArgs } from './config/parse.ts';
export { HELP_TEXT } from './config/help.ts';
export { resolveDataPaths, type DataPaths } from './config/data-paths.ts';
