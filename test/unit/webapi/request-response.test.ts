import { describe, expect, it } from 'vitest';
import { buildTreatmentIdRequestBody, WEB_API_FIELD_WIDTHS } from '../../../src/adapters/webapi/request.ts';
import { decodeTreatmentIdResponse } from '../../../src/adapters/webapi/response.ts';
import { parseCaCertificates } from '../../../src/adapters/webapi/ca.ts';
import { WEB_API_CODES, errorForWebApiRtnCode, isWebApiOutcomeUnknown, lookupWebApiCode } from '../../../src/errors/webapi-codes.ts';
import { VENDOR_CODES } from '../../../src/errors/vendor-codes.ts';
import { GATEWAY_CODES, gatewayError } from '../../../src/errors/gateway-codes.ts';
import { InputError } from '../../../src/codecs/input-error.ts';
import type { WebApiTreatmentIdRequest } from '../../../src/ports/webapi.ts';

const NOW = new Date('2026-03-01T02:00:00Z'); // 1150301100000 in Taiwan
const request: WebApiTreatmentIdRequest = {
  samId: '001000000103',
  hospitalId: '3501200000',
  cardId: '000012345678',
  patientId: 'A123456789',
  visitTimeRoc: '1150301095500',
};
const signature = { clientRandom: '0123456789ABCDEF0123', signature: 'AB'.repeat(256) };

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return `${error.field}: ${error.rule}`;
    throw error;
  }
  return 'accepted';
}

describe('treatment-ID request body (docs/reference/webapi.md (Treatment-ID Web API) 資料定義)', () => {
  it('has exactly the briefing’s eight fields at their widths', () => {
    const body = buildTreatmentIdRequestBody(request, signature, NOW);
    expect(Object.keys(body)).toEqual(['sSamid', 'sHospid', 'sClientrandom', 'sSignature', 'sCardType', 'sCardId', 'sPatientId', 'sTreatDT']);
    expect(body).toEqual({
      sSamid: '001000000103', sHospid: '3501200000', sClientrandom: signature.clientRandom, sSignature: signature.signature,
      sCardType: '3', sCardId: '000012345678', sPatientId: 'A123456789', sTreatDT: '1150301095500',
    });
    for (const [key, width] of Object.entries(WEB_API_FIELD_WIDTHS)) expect([key, body[key as keyof typeof body].length]).toEqual([key, width]);
    expect(buildTreatmentIdRequestBody({ ...request, cardId: null }, signature, NOW).sCardId).toBe('');
    // A resident certificate (new format, second character 8/9) is a valid sPatientId.
    expect(fieldOf(() => buildTreatmentIdRequestBody({ ...request, patientId: 'A800000014' }, signature, NOW))).toBe('accepted');
  });

  it.each([
    ['a national ID failing its check digit', { patientId: 'A123456788' }, 'sPatientId: check digit does not match'],
    ['a lower-case ID', { patientId: 'a123456789' }, 'sPatientId: must be an upper-case letter followed by 9 characters'],
    ['a bad second character', { patientId: 'A323456789' }, 'sPatientId: second character must be 1, 2, 8, 9 or A-D'],
    ['a visit time in the future', { visitTimeRoc: '1150301110000' }, 'sTreatDT: must not be in the future'],
    ['a malformed visit time', { visitTimeRoc: '115030109550' }, 'sTreatDT'],
    ['an impossible date', { visitTimeRoc: '1150230095500' }, 'sTreatDT'],
    ['no SAM', { samId: '' }, 'sSamid: is required: no SAM card number (check that the SAM is inserted and authenticated)'],
    ['a SAM number of the wrong width', { samId: '00100000010' }, 'sSamid: must be the SAM card number: 12 letters or digits'],
    ['a bad hospital code', { hospitalId: '350120000' }, 'sHospid: must be 10 letters or digits'],
    ['a bad card number', { cardId: '0000123456' }, 'sCardId: must be the health card number: 12 letters or digits'],
  ] as const)('refuses %s, naming the field', (_what, change, expected) => {
    expect(fieldOf(() => buildTreatmentIdRequestBody({ ...request, ...change }, signature, NOW))).toMatch(new RegExp(`^${expected.replace(/[()]/g, '\\$&')}`));
  });

  it('refuses a random or signature of the wrong shape', () => {
    expect(fieldOf(() => buildTreatmentIdRequestBody(request, { ...signature, clientRandom: 'short' }, NOW))).toMatch(/^sClientrandom:/);
    expect(fieldOf(() => buildTreatmentIdRequestBody(request, { ...signature, signature: 'XY'.repeat(256) }, NOW))).toMatch(/^sSignature:/);
    expect(fieldOf(() => buildTreatmentIdRequestBody(request, { ...signature, signature: 'AB'.repeat(255) }, NOW))).toMatch(/^sSignature:/);
  });
});

describe('treatment-ID answer (docs/reference/webapi.md (Treatment-ID Web API) 回傳資料定義)', () => {
  const ok = JSON.stringify({ RtnCode: '0000', TreatNum: 'NHI1150301ABCDEF0123' });

  it('takes TreatNum from RtnCode 0000, whatever the key casing', () => {
    expect(decodeTreatmentIdResponse(200, ok)).toBe('NHI1150301ABCDEF0123');
    expect(decodeTreatmentIdResponse(200, '{"rtnCode":0,"treatNum":"NHI1150301ABCDEF0123"}')).toBe('NHI1150301ABCDEF0123');
  });

  it('maps RtnCodes to typed errors, and keeps an unknown one typed with its value', () => {
    const expired = (() => {
      try {
        decodeTreatmentIdResponse(200, '{"RtnCode":"8203","TreatNum":null}');
      } catch (e) {
        return e;
      }
    })();
    expect(expired).toMatchObject({ code: 'WEB_API_SIGNATURE_EXPIRED', vendorCode: 8203, category: 'SAM', retryable: true });
    expect(() => decodeTreatmentIdResponse(200, '{"RtnCode":"7777","TreatNum":null}')).toThrow(
      expect.objectContaining({ name: 'VendorError', code: 'WEB_API_CODE_UNKNOWN', vendorCode: 7777, category: 'UNKNOWN_VENDOR_CODE' }),
    );
    expect(() => decodeTreatmentIdResponse(200, '{"RtnCode":"E01","TreatNum":null}')).toThrow(
      expect.objectContaining({ code: 'WEB_API_CODE_UNKNOWN', vendorCode: null, messageEn: 'NHI’s Web API returned unknown RtnCode E01' }),
    );
  });

  it.each([
    ['an HTTP error status', 502, ok, /HTTP status 502/],
    ['HTML', 200, '<html>busy</html>', /not JSON/],
    ['a JSON array', 200, '[]', /not a JSON object/],
    ['no RtnCode', 200, '{"TreatNum":"NHI1150301ABCDEF0123"}', /no RtnCode/],
    ['success without a 20-character TreatNum', 200, '{"RtnCode":"0000","TreatNum":"SHORT"}', /without a 20-character TreatNum/],
    ['success with TreatNum null', 200, '{"RtnCode":"0000","TreatNum":null}', /without a 20-character TreatNum/],
  ] as const)('calls %s a bad response (outcome unknown)', (_what, status, text, message) => {
    let error: unknown;
    try {
      decodeTreatmentIdResponse(status, text);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'WEB_API_BAD_RESPONSE', category: 'NETWORK', messageEn: expect.stringMatching(message) });
  });
});

describe('Web API code table', () => {
  it('has the codes of docs/reference/webapi.md (Upload and download), unique, distinct from every control-software and gateway code', () => {
    expect(WEB_API_CODES.map((e) => e.vendorCode)).toEqual([5002, 5003, 5004, 8201, 8202, 8203, 8205, 9002, 9005, 9999]);
    const all = [...VENDOR_CODES.map((e) => e.code), ...GATEWAY_CODES.map((e) => e.code), ...WEB_API_CODES.map((e) => e.code)];
    expect(new Set(all).size).toBe(all.length);
    for (const entry of WEB_API_CODES) {
      expect(entry.code).toMatch(/^WEB_API_/);
      expect(entry.text.zh).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(lookupWebApiCode('8205')?.code).toBe('WEB_API_SAM_REVOKED');
    expect(() => errorForWebApiRtnCode('0000')).toThrow();
  });

  it('tells which failures may have issued a treatment ID', () => {
    for (const code of ['WEB_API_TIMEOUT', 'WEB_API_CONNECTION_LOST', 'WEB_API_BAD_RESPONSE'] as const) expect(isWebApiOutcomeUnknown(gatewayError(code))).toBe(true);
    for (const code of ['WEB_API_UNREACHABLE', 'WEB_API_TLS_UNTRUSTED', 'SIGNER_UNAVAILABLE', 'WEB_API_NOT_CONFIGURED'] as const) {
      expect(isWebApiOutcomeUnknown(gatewayError(code))).toBe(false);
    }
    expect(isWebApiOutcomeUnknown(errorForWebApiRtnCode('9002'))).toBe(false);
  });
});

describe('NHI CA file', () => {
  it('refuses a file without a certificate', () => {
    expect(() => parseCaCertificates(Buffer.from('hello'))).toThrow(expect.objectContaining({ code: 'WEB_API_CA_FILE_INVALID' }));
    expect(() => parseCaCertificates(Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'))).toThrow(
      expect.objectContaining({ code: 'WEB_API_CA_FILE_INVALID' }),
    );
  });
});
