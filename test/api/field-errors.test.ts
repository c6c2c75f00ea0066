/**
 * Each field's result union lists exactly what its declaration (resolvers/field-errors.ts) allows, every declared
 * code is in the catalogue, and driving the simulator's forced return codes through the real schema shows that
 * a vendor failure arrives as the union's VendorError member (never masked) on every field declared to call the
 * control software.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isUnionType } from 'graphql';
import { createApp } from '../../src/app.ts';
import { createSimulatorServices, type RunningServices } from '../../src/services.ts';
import { buildSchema } from '../../schema/index.ts';
import { FIELD_ERRORS, fieldErrors, type FieldCoordinate } from '../../resolvers/field-errors.ts';
import { catalogueEntry } from '../../src/errors/catalogue.ts';
import { AUTH_HEADERS, TEST_TOKEN } from '../helpers/auth.ts';

const schema = buildSchema();

describe('field error declarations', () => {
  it('every field returning an error union is declared, under its union name, with exactly the declared members', () => {
    const found: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!('getFields' in type) || type.name.startsWith('__') || isUnionType(type)) continue;
      for (const field of Object.values((type as import('graphql').GraphQLObjectType).getFields())) {
        let named = field.type as import('graphql').GraphQLType;
        while ('ofType' in named) named = named.ofType as import('graphql').GraphQLType;
        if (!isUnionType(named)) continue;
        const members = named.getTypes().map((t) => t.name);
        if (!members.includes('VendorError') && !members.includes('GatewayError')) continue;
        const coordinate = `${type.name}.${field.name}` as FieldCoordinate;
        found.push(coordinate);
        const decl = fieldErrors(coordinate);
        expect(named.name, coordinate).toBe(decl.union);
        const errorMembers = members.filter((m) => m === 'VendorError' || m === 'GatewayError').sort();
        const declared = [...(decl.codes.size > 0 ? ['GatewayError'] : []), ...(decl.vendor ? ['VendorError'] : [])];
        expect(errorMembers, coordinate).toEqual(declared);
      }
    }
    expect(found.sort()).toEqual(Object.keys(FIELD_ERRORS).sort());
  });

  it('declares only catalogue codes, none of them access or request codes', () => {
    for (const field of Object.keys(FIELD_ERRORS) as FieldCoordinate[]) {
      for (const code of fieldErrors(field).codes) {
        const entry = catalogueEntry(code);
        expect(entry, `${field}: ${code}`).toBeDefined();
        expect(['ACCESS', 'REQUEST'], `${field}: ${code}`).not.toContain(entry!.category);
      }
    }
  });
});

describe('forced return codes reach each declared union as VendorError', () => {
  let services: RunningServices;
  let yoga: ReturnType<typeof createApp>;
  const gql = async (query: string) => {
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...AUTH_HEADERS },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as { data?: any; errors?: any[] };
  };
  beforeEach(async () => {
    services = createSimulatorServices({ strategy: 'N1' });
    yoga = createApp(services, { graphiql: false, security: { token: TEST_TOKEN } });
    await gql('mutation { simulatorInsertHealthCard(input: { card: STANDARD }) { __typename } }');
    await gql('mutation { simulatorInsertProfessionalCard { __typename } }');
  });
  afterEach(async () => {
    await services[Symbol.asyncDispose]();
  });

  const ERR = '__typename ... on Error { code } ... on VendorError { vendorCode }';
  // field → the export it calls and a document selecting it
  const cases: [FieldCoordinate, string, string, (d: any) => any][] = [
    ['HealthCard.basicData', 'hisGetBasicData', `{ healthCard { basicData { ${ERR} } } }`, (d) => d.healthCard.basicData],
    ['HealthCard.registerData', 'hisGetRegisterBasic', `{ healthCard { registerData { ${ERR} } } }`, (d) => d.healthCard.registerData],
    ['HealthCard.validity', 'hisGetRegisterBasic2', `{ healthCard { validity { ${ERR} } } }`, (d) => d.healthCard.validity],
    ['HealthCard.lastSeqNumber', 'hisGetLastSeqNum', `{ healthCard { lastSeqNumber { ${ERR} } } }`, (d) => d.healthCard.lastSeqNumber],
    ['Mutation.startVisit', 'hisGetSeqNumber256N1', `mutation { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { ${ERR} } }`, (d) => d.startVisit],
    ['Mutation.quickInsuranceCheck', 'hisQuickInsurence', `mutation { quickInsuranceCheck(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { ${ERR} } }`, (d) => d.quickInsuranceCheck],
    ['Mutation.treatmentIdWithoutCard', 'hisGetTreatNumNoICCard', `mutation { treatmentIdWithoutCard(input: { idNumber: "A123456789" }) { ${ERR} } }`, (d) => d.treatmentIdWithoutCard],
    ['Mutation.verifySam', 'csVerifySAMDC', `mutation { verifySam { ${ERR} } }`, (d) => d.verifySam],
    ['Mutation.verifyProfessionalCardPin', 'hpcVerifyHPCPIN', `mutation { verifyProfessionalCardPin { ${ERR} } }`, (d) => d.verifyProfessionalCardPin],
    ['Mutation.resetControlSoftware', 'csSoftwareReset', `mutation { resetControlSoftware(input: { target: SAM }) { ${ERR} } }`, (d) => d.resetControlSoftware],
  ];

  it.each(cases)('%s (%s)', async (field, fn, query, pick) => {
    expect(fieldErrors(field).vendor).toBe(true);
    // 9240 is a known code (console not running), 8765 one the catalogue does not know.
    for (const vendorCode of [9240, 8765]) {
      await gql(`mutation { simulatorForceReturnCode(input: { function: "${fn}", vendorCode: ${vendorCode} }) { __typename } }`);
      const { data, errors } = await gql(query);
      expect(errors, JSON.stringify(errors)).toBeUndefined();
      expect(pick(data)).toMatchObject({ __typename: 'VendorError', vendorCode });
    }
  });

  it('a field without a vendor member never sees a forced code (simulator controls)', async () => {
    expect(fieldErrors('Mutation.simulatorReset').vendor).toBe(false);
    await gql('mutation { simulatorForceReturnCode(input: { function: "hisGetCardStatus", vendorCode: 9240 }) { __typename } }');
    const { data, errors } = await gql('mutation { simulatorRemoveHealthCard { __typename } }');
    expect(errors).toBeUndefined();
    expect(data.simulatorRemoveHealthCard.__typename).toBe('LightState');
  });
});
