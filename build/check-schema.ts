/**
 * The breaking-change check (docs/api-conventions.md, "Stability and deprecation"): compares schema/schema.graphql
 * with the last released schema of the same major version (the newest schema/released/<major>.<minor>.graphql
 * not newer than the API version) using @graphql-inspector/core, and fails on any BREAKING change. Dangerous changes
 * (a new enum value, a new union member) are listed but pass: clients must tolerate them.
 *
 * The deprecation rule: a field, argument, input field or enum value may be removed within a major version only
 * once it has lived one minor version deprecated, i.e. it was deprecated in a released schema at least two minor
 * versions before the current one (deprecated in 1.0, kept in 1.1, removed in 1.2 at the earliest). Every other
 * removal is breaking.
 *
 *   npx tsx build/check-schema.ts            check (exit 1 naming each breaking change)
 *   npx tsx build/check-schema.ts --release  copy the current schema to schema/released/<API_VERSION>.graphql
 *
 * Options for checking other files (tests): --schema <file>, --released <dir>, --api-version <major.minor>.
 */
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  buildSchema as parseSdl,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  type GraphQLSchema,
} from 'graphql';
import { ChangeType, CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { API_VERSION } from '../schema/builder.ts';

export const CURRENT_SCHEMA = fileURLToPath(new URL('../schema/schema.graphql', import.meta.url));
export const RELEASED_DIR = fileURLToPath(new URL('../schema/released/', import.meta.url));
export const RELEASED_SCHEMA = join(RELEASED_DIR, `${API_VERSION}.graphql`);

export interface ApiVersion {
  readonly major: number;
  readonly minor: number;
}

/** One released schema: `schema/released/<version>.graphql`. */
export interface Release {
  readonly version: string;
  readonly sdl: string;
}

export interface SchemaCheck {
  readonly breaking: readonly Change[];
  readonly dangerous: readonly Change[];
  /** Removals the deprecation rule allows: deprecated long enough ago. */
  readonly retired: readonly Change[];
}

export interface DeprecationPolicy {
  /** The version the current schema implements (`gateway { apiVersion }`). */
  readonly apiVersion: string;
  /** Every released schema (any order); those of other major versions are ignored. */
  readonly releases: readonly Release[];
}

export function parseVersion(version: string): ApiVersion {
  const m = /^(\d+)\.(\d+)$/.exec(version);
  if (!m) throw new Error(`not a major.minor API version: ${JSON.stringify(version)}`);
  return { major: Number(m[1]), minor: Number(m[2]) };
}

/** The released schemas in `dir`, oldest first. */
export function readReleases(dir: string = RELEASED_DIR): Release[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^\d+\.\d+\.graphql$/.test(f))
    .map((f) => ({ version: f.replace(/\.graphql$/, ''), sdl: readFileSync(join(dir, f), 'utf8') }))
    .sort((a, b) => compareVersions(parseVersion(a.version), parseVersion(b.version)));
}

/** The release a schema of `apiVersion` must stay compatible with: the newest of its major, not newer than it. */
export function baselineFor(apiVersion: string, releases: readonly Release[]): Release | undefined {
  const current = parseVersion(apiVersion);
  return [...releases]
    .filter((r) => {
      const v = parseVersion(r.version);
      return v.major === current.major && v.minor <= current.minor;
    })
    .sort((a, b) => compareVersions(parseVersion(a.version), parseVersion(b.version)))
    .at(-1);
}

const REMOVALS: ReadonlySet<string> = new Set([
  ChangeType.FieldRemoved,
  ChangeType.EnumValueRemoved,
  ChangeType.InputFieldRemoved,
  ChangeType.FieldArgumentRemoved,
]);

/**
 * The breaking and dangerous changes from `released` to `current` (SDL texts). With a policy, a removal of
 * something deprecated in a release at least two minor versions back is `retired`, not breaking.
 */
export async function checkSchema(released: string, current: string, policy?: DeprecationPolicy): Promise<SchemaCheck> {
  const changes = await diff(parseSdl(released), parseSdl(current));
  const breaking: Change[] = [];
  const retired: Change[] = [];
  const deprecations = policy ? deprecationHistory(policy) : undefined;
  for (const change of changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking)) {
    if (!deprecations || !REMOVALS.has(change.type) || !change.path) {
      breaking.push(change);
      continue;
    }
    const since = deprecations.since(change.path);
    if (since && deprecations.current.minor - since.minor >= 2) {
      retired.push(change);
    } else {
      const why = since
        ? `deprecated in ${since.major}.${since.minor}: it lives through ${since.major}.${since.minor + 1} and may be removed from ${since.major}.${since.minor + 2}`
        : 'it was never deprecated in a released schema: deprecate it first, release, and remove it two minor versions later';
      breaking.push({ ...change, message: `${change.message} (${why})` });
    }
  }
  return { breaking, dangerous: changes.filter((c) => c.criticality.level === CriticalityLevel.Dangerous), retired };
}

/** When (in which release of the current major) each schema coordinate was first deprecated. */
function deprecationHistory(policy: DeprecationPolicy) {
  const current = parseVersion(policy.apiVersion);
  const releases = policy.releases
    .map((r) => ({ version: parseVersion(r.version), schema: parseSdl(r.sdl) }))
    .filter((r) => r.version.major === current.major && r.version.minor <= current.minor)
    .sort((a, b) => compareVersions(a.version, b.version));
  return {
    current,
    since(path: string): ApiVersion | undefined {
      return releases.find((r) => isDeprecated(r.schema, path))?.version;
    },
  };
}

/** `Type.field`, `Type.field.argument`, `Input.field` or `Enum.VALUE`, deprecated in `schema`. */
function isDeprecated(schema: GraphQLSchema, path: string): boolean {
  const [typeName, member, argument] = path.split('.');
  const type = typeName ? schema.getType(typeName) : undefined;
  if (!type || !member) return false;
  if (isEnumType(type)) return type.getValue(member)?.deprecationReason != null;
  if (isInputObjectType(type)) return type.getFields()[member]?.deprecationReason != null;
  if (isObjectType(type) || isInterfaceType(type)) {
    const field = type.getFields()[member];
    if (!field) return false;
    if (argument === undefined) return field.deprecationReason != null;
    return field.args.find((a) => a.name === argument)?.deprecationReason != null;
  }
  return false;
}

function compareVersions(a: ApiVersion, b: ApiVersion): number {
  return a.major - b.major || a.minor - b.minor;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      release: { type: 'boolean', default: false },
      schema: { type: 'string', default: CURRENT_SCHEMA },
      released: { type: 'string', default: RELEASED_DIR },
      'api-version': { type: 'string', default: API_VERSION },
    },
  });
  const apiVersion = values['api-version'];
  if (values.release) {
    const target = join(values.released, `${apiVersion}.graphql`);
    copyFileSync(values.schema, target);
    console.log(`released ${target}`);
  } else {
    const releases = readReleases(values.released);
    const baseline = baselineFor(apiVersion, releases);
    if (!baseline) {
      console.log(`API ${apiVersion}: no released schema of major version ${parseVersion(apiVersion).major} yet, nothing to stay compatible with`);
    } else {
      const result = await checkSchema(baseline.sdl, readFileSync(values.schema, 'utf8'), { apiVersion, releases });
      for (const c of result.dangerous) console.log(`dangerous: ${c.message}`);
      for (const c of result.retired) console.log(`retired (deprecation rule): ${c.message}`);
      for (const c of result.breaking) console.error(`BREAKING: ${c.message}`);
      if (result.breaking.length > 0) {
        console.error(
          `${result.breaking.length} breaking change(s) in API ${apiVersion} against the released ${baseline.version}: keep the old field (deprecated) or start a new major version`,
        );
        process.exit(1);
      }
      console.log(`schema (API ${apiVersion}) compatible with the released ${baseline.version}`);
    }
  }
}
