/**
 * The access table against the real schema: every root field is classified (a new one fails here until
 * someone decides), identity data is reachable only through gated fields, and the operation walk sees
 * fields behind aliases, inline fragments and named fragments.
 */
import { describe, expect, it } from 'vitest';
import {
  buildSchema as buildSdl,
  getNamedType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  parse,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { buildSchema } from '../../../schema/index.ts';
import { FIELD_ACCESS, accessRule, classifyOperation } from '../../../src/security/access-policy.ts';
import { rootFieldNames } from '../../helpers/sample-operations.ts';

const schema = buildSchema();

/** Field names that carry a person's identity wherever they appear. */
const IDENTITY_FIELD_NAMES = new Set(['idNumber', 'birthDate', 'birthDateRoc', 'newbornBirthDateRoc', 'patientId', 'doctorIdNumber', 'englishName', 'cardNumber', 'emergencyPhone', 'newbornBirthDate', 'signature']);
/** Types that are identity data as a whole. */
const IDENTITY_TYPES = new Set(['BasicData', 'RegisterData', 'Cardholder', 'ProfessionalCardIdentity', 'DecodedText']);

describe('root field classification', () => {
  for (const kind of ['query', 'mutation', 'subscription'] as const) {
    const typeName = kind[0]!.toUpperCase() + kind.slice(1);
    it(`classifies every ${kind} field of the schema (add new ones to FIELD_ACCESS)`, () => {
      const unclassified = rootFieldNames(schema, kind).filter((name) => FIELD_ACCESS[`${typeName}.${name}`] === undefined);
      expect(unclassified, `unclassified ${kind} fields: decide their level in src/security/access-policy.ts`).toEqual([]);
    });
  }

  it('needs the token for every mutation except the simulator controls', () => {
    for (const name of rootFieldNames(schema, 'mutation')) {
      const rule = accessRule(`Mutation.${name}`, true)!;
      if (name.startsWith('simulator')) expect(rule.level, name).toBe('public');
      else expect(rule.level, name).toBe('token');
    }
  });

  it('fails closed for a root field nobody classified', () => {
    const other = buildSdl('type Query { brandNew: String } type Mutation { writeSomething: Boolean }');
    expect(classifyOperation(other, parse('{ brandNew }'))?.level).toBe('token');
    expect(classifyOperation(other, parse('mutation { writeSomething }'))?.level).toBe('token');
  });

  it('lets identity data be reached only through identity or token gates', () => {
    const identityOf = (reached: ReturnType<typeof reachableWithoutGate>) =>
      reached
        .filter(({ type, field, fieldType }) => IDENTITY_FIELD_NAMES.has(field) || IDENTITY_TYPES.has(type) || IDENTITY_TYPES.has(fieldType))
        .map((l) => `${l.type}.${l.field}`);
    expect(identityOf(reachableWithoutGate(schema))).toEqual([]);
    // The walk does reach them when the gates are ignored (so the empty list above means something).
    expect(identityOf(reachableWithoutGate(schema, true))).toEqual(
      expect.arrayContaining(['BasicData.idNumber', 'ProfessionalCardIdentity.idNumber', 'Visit.signature', 'Person.idNumber']),
    );
  });
});

describe('classifyOperation', () => {
  const level = (query: string, operationName?: string) => classifyOperation(schema, parse(query), operationName)?.level;

  it('keeps lights, readers and the gateway public', () => {
    expect(level('{ gateway { version } lightState { __typename } readers { id name } }')).toBe('public');
    expect(level('subscription { lightStateChanged { healthCard { level } } }')).toBe('public');
    expect(level('{ __typename __schema { queryType { name } } }')).toBe('public');
    expect(level('{ professionalCard { ... on ProfessionalCard { status pinVerified } } }')).toBe('public');
  });

  it('sees identity fields through aliases and every kind of fragment', () => {
    expect(level('{ healthCard { state { __typename } } }')).toBe('identity');
    expect(level('{ innocent: healthCard { __typename } }')).toBe('identity');
    expect(level('{ ...A } fragment A on Query { ...B } fragment B on Query { x: healthCard { __typename } }')).toBe('identity');
    expect(level('{ ... on Query { professionalCard { ... on ProfessionalCard { id: identity { __typename } } } } }')).toBe('identity');
    expect(level('{ professionalCard { ...P } } fragment P on ProfessionalCard { identity { __typename } }')).toBe('identity');
  });

  it('needs the token for protected mutations however they are spelled', () => {
    expect(level('mutation { simulatorReset { __typename } }')).toBe('public');
    expect(level('mutation { a: simulatorReset { __typename } b: startVisit(input: { treatmentCategory: EMERGENCY }) { __typename } }')).toBe('token');
    expect(level('mutation M { ...W } fragment W on Mutation { verifyProfessionalCardPin { __typename } }')).toBe('token');
  });

  it('classifies the operation that runs, not its neighbours', () => {
    const doc = 'query Lights { lightState { __typename } } query Card { healthCard { __typename } }';
    expect(level(doc, 'Lights')).toBe('public');
    expect(level(doc, 'Card')).toBe('identity');
    expect(level(doc)).toBeUndefined(); // ambiguous: execution refuses it, nothing runs
  });

  it('lists the gated fields and counts identity entries for the rate limiter', () => {
    const access = classifyOperation(schema, parse('{ a: healthCard { basicData { __typename } } b: healthCard { __typename } gateway { version } }'))!;
    expect(access.gated).toEqual(['Query.healthCard', 'HealthCard.basicData']);
    expect(access.identityUses).toBe(2);
  });
});

/** Every `Type.field` reachable from the roots without passing through an identity or token field. */
function reachableWithoutGate(s: GraphQLSchema, ignoreGates = false): Array<{ type: string; field: string; fieldType: string }> {
  const found: Array<{ type: string; field: string; fieldType: string }> = [];
  const seen = new Set<string>();
  const queue: Array<{ type: GraphQLNamedType; isRoot: boolean }> = [s.getQueryType(), s.getMutationType(), s.getSubscriptionType()]
    .filter((t) => t != null)
    .map((type) => ({ type, isRoot: true }));
  while (queue.length > 0) {
    const { type, isRoot } = queue.shift()!;
    if (seen.has(type.name)) continue;
    seen.add(type.name);
    if (isUnionType(type)) {
      for (const member of type.getTypes()) queue.push({ type: member, isRoot: false });
      continue;
    }
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    if (isInterfaceType(type)) for (const impl of s.getPossibleTypes(type)) queue.push({ type: impl, isRoot: false });
    for (const field of Object.values(type.getFields())) {
      const rule = accessRule(`${type.name}.${field.name}`, isRoot);
      if (!ignoreGates && rule && rule.level !== 'public') continue;
      const named = getNamedType(field.type);
      found.push({ type: type.name, field: field.name, fieldType: named.name });
      queue.push({ type: named, isRoot: false });
    }
  }
  return found;
}
