/**
 * The breaking-change check (docs/api-conventions.md docs/reference/buffers.md): compares schema/schema.graphql with the last released
 * schema (schema/released/<API_VERSION>.graphql) using @graphql-inspector/core and fails on any BREAKING change.
 * Dangerous changes (a new enum value, a new union member) are listed but pass: clients must tolerate them.
 *
 *   npx tsx build/check-schema.ts            check
 *   npx tsx build/check-schema.ts --release  copy the current schema to schema/released/<API_VERSION>.graphql
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSchema as parseSdl } from 'graphql';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { API_VERSION } from '../schema/builder.ts';

export const CURRENT_SCHEMA = fileURLToPath(new URL('../schema/schema.graphql', import.meta.url));
export const RELEASED_SCHEMA = fileURLToPath(new URL(`../schema/released/${API_VERSION}.graphql`, import.meta.url));

export interface SchemaCheck {
  readonly breaking: readonly Change[];
  readonly dangerous: readonly Change[];
}

/** The breaking and dangerous changes from `released` to `current` (SDL texts). */
export async function checkSchema(released: string, current: string): Promise<SchemaCheck> {
  const changes = await diff(parseSdl(released), parseSdl(current));
  return {
    breaking: changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking),
    dangerous: changes.filter((c) => c.criticality.level === CriticalityLevel.Dangerous),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--release')) {
    copyFileSync(CURRENT_SCHEMA, RELEASED_SCHEMA);
    console.log(`released ${RELEASED_SCHEMA}`);
  } else {
    const result = await checkSchema(readFileSync(RELEASED_SCHEMA, 'utf8'), readFileSync(CURRENT_SCHEMA, 'utf8'));
    for (const c of result.dangerous) console.log(`dangerous: ${c.message}`);
    for (const c of result.breaking) console.error(`BREAKING: ${c.message}`);
    if (result.breaking.length > 0) {
      console.error(`${result.breaking.length} breaking change(s) against API ${API_VERSION}: keep the old field (deprecated) or start a new major version`);
      process.exit(1);
    }
    console.log(`schema compatible with API ${API_VERSION}`);
  }
}
