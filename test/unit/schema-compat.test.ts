/**
 * The breaking-change check (build/check-schema.ts) against the released 1.0 schema, and proof that it fails
 * (in-process; test/unit/build/check-schema-process.test.ts runs it as a process, with the deprecation rule).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_VERSION } from '../../schema/builder.ts';
import { CURRENT_SCHEMA, RELEASED_SCHEMA, checkSchema, readReleases } from '../../build/check-schema.ts';

const released = readFileSync(RELEASED_SCHEMA, 'utf8');
const current = readFileSync(CURRENT_SCHEMA, 'utf8');

describe('schema stability (docs/api-conventions.md docs/reference/buffers.md)', () => {
  it('has no breaking change against the released schema', async () => {
    const { breaking } = await checkSchema(released, current, { apiVersion: API_VERSION, releases: readReleases() });
    expect(breaking.map((c) => c.message)).toEqual([]);
  });

  it('fails on a removed field', async () => {
    const withoutSeqNumber = current.replace(/^\s+seqNumber: String!\n/m, '');
    expect(withoutSeqNumber).not.toBe(current);
    const { breaking } = await checkSchema(released, withoutSeqNumber);
    expect(breaking.map((c) => c.message)).toContainEqual(expect.stringContaining("'seqNumber' was removed"));
  });

  it('lets additions pass', async () => {
    const added = current.replace('type Gateway {', 'type Gateway {\n  uptimeSeconds: Int\n');
    const { breaking } = await checkSchema(released, added);
    expect(breaking).toEqual([]);
  });
});
