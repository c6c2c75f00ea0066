import { describe, expect, it } from 'vitest';
import {
  CardError,
  ControlSoftwareError,
  GatewayError,
  VendorError,
  VisitError,
  ERROR_CLASSES,
} from '../../../src/errors/gateway-errors.ts';
import { GATEWAY_CODES } from '../../../src/errors/gateway-codes.ts';
import {
  VENDOR_CODES,
  errorForVendorCode,
  isWarningOnly,
  lookupVendorCode,
} from '../../../src/errors/vendor-codes.ts';

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * Every code listed in docs/reference/return-codes.md, ranges expanded, written out by hand from the reference (not from the
 * table), so a code dropped from VENDOR_CODES fails here. 0 (success) is not an error.
 */
const EXPECTED_SECTION_7 = [
  -1,
  // CS 6.0 status codes docs/reference/return-codes.md names individually
  1001, 1102, 1402, 3209,
  4000, 4012, 4013, 4014, 4029, 4032, 4033, 4034, 4042, 4043, 4050, 4051, 4061, 4071,
  5001, 5002, 5003, 5004, 5005, 5006, 5007, 5008, 5009, 5010, 5012,
  5015, 5016, 5017, 5018, 5020, 5022, 5023, 5028, 5033,
  5051, 5052, 5056, 5057, 5061, 5062, 5067, 5068, 5069, 5071, 5078, 5079,
  5081, 5082, 5083, 5084, 5087, 5093,
  5102, 5105, 5107, 5108, 5109, 5110, 5111,
  5122, 5130, 5141,
  ...range(5150, 5154),
  ...range(5160, 5173),
  5174,
  6005, 6006, 6007, 6008, 6014, 6015, 6016, 6017, 6018, 6019,
  ...range(9001, 9004),
  ...range(9010, 9015), 9020,
  9030, 9040, 9041, 9039, 9042, 9043, 9045,
  9050, 9051, 9060, 9061, 9062, 9070, 9071, 9081,
  ...range(9082, 9092),
  9093, 9094, 9095,
  9100, 9101, 9127, 9129, 9130, 9140,
  ...range(9200, 9203), 9204, 9205,
  ...range(9210, 9213), 9220, 9221,
  9230, 9231, 9240, 9250, 9251, 9267, 9999,
];

const CJK = /[\u4e00-\u9fff]/;
const PLACEHOLDER = /TODO|TBD|FIXME|XXX|\?\?|\$\{|[{}<>]|%s|lorem/i;

describe('VENDOR_CODES', () => {
  it('has unique vendor codes and unique stable codes (also across GATEWAY_CODES)', () => {
    const vendorCodes = VENDOR_CODES.map((e) => e.vendorCode);
    expect(new Set(vendorCodes).size).toBe(vendorCodes.length);
    const codes = [...VENDOR_CODES.map((e) => e.code), ...GATEWAY_CODES.map((e) => e.code), 'VENDOR_CODE_UNKNOWN'];
    const duplicates = codes.filter((c, i) => codes.indexOf(c) !== i);
    expect(duplicates).toEqual([]);
  });

  it('uses SCREAMING_SNAKE codes, integer vendor codes, never 0, and known categories', () => {
    for (const e of VENDOR_CODES) {
      expect(e.code, String(e.vendorCode)).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
      expect(Number.isInteger(e.vendorCode)).toBe(true);
      expect(e.vendorCode).not.toBe(0);
      expect(Object.keys(ERROR_CLASSES)).toContain(e.category);
      expect(e.category).not.toBe('UNKNOWN_VENDOR_CODE');
    }
  });

  it('covers every code of docs/reference/return-codes.md', () => {
    expect(new Set(EXPECTED_SECTION_7).size).toBe(EXPECTED_SECTION_7.length);
    const missing = EXPECTED_SECTION_7.filter((rc) => lookupVendorCode(rc) === undefined);
    expect(missing).toEqual([]);
    // and nothing that docs/reference/return-codes.md does not list
    const extra = VENDOR_CODES.map((e) => e.vendorCode).filter((rc) => !EXPECTED_SECTION_7.includes(rc));
    expect(extra).toEqual([]);
    expect(VENDOR_CODES).toHaveLength(EXPECTED_SECTION_7.length);
  });

  it('is sorted by vendor code', () => {
    const numbers = VENDOR_CODES.map((e) => e.vendorCode);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  });

  it('has zh (with CJK) and en text for every entry and hint, without placeholders', () => {
    for (const e of [...VENDOR_CODES, ...GATEWAY_CODES]) {
      const texts = e.hint ? [e.text, e.hint] : [e.text];
      for (const text of texts) {
        expect(text.zh.trim(), e.code).not.toBe('');
        expect(text.en.trim(), e.code).not.toBe('');
        expect(text.zh, e.code).toMatch(CJK);
        expect(text.zh, e.code).not.toMatch(PLACEHOLDER);
        expect(text.en, e.code).not.toMatch(PLACEHOLDER);
        expect(text.zh, e.code).toBe(text.zh.trim());
        expect(text.en, e.code).toBe(text.en.trim());
      }
    }
  });

  it('marks only 5010 as warning-only', () => {
    expect(VENDOR_CODES.filter((e) => e.warningOnly).map((e) => e.vendorCode)).toEqual([5010]);
  });

  it('gives actionable hints for the codes the front desk meets most', () => {
    const hint = (rc: number) => `${lookupVendorCode(rc)?.hint?.zh ?? ''} ${lookupVendorCode(rc)?.hint?.en ?? ''}`;
    expect(hint(4013)).toMatch(/健保卡/);
    expect(hint(5001)).toMatch(/1\.30/);
    expect(hint(4050)).toMatch(/csVerifySAMDC/);
    expect(hint(4050)).toMatch(/verifySam/);
    expect(hint(9200)).toMatch(/\.SAM/);
    expect(hint(9200)).toMatch(/C:\\NHI\\SAM\\COMX/);
    expect(hint(4061)).toMatch(/VPN/);
    expect(hint(5003)).toMatch(/1\.30/);
    expect(hint(9240)).toMatch(/雲端安全模組主控台/);
  });

  it('never marks possibly-partial writes as retryable, and says to check the card', () => {
    for (const rc of [5007, 5023, 5028, 5033]) {
      const e = lookupVendorCode(rc);
      expect(e?.category, String(rc)).toBe('CARD_WRITE');
      expect(e?.retryable, String(rc)).toBe(false);
      expect(e?.hint?.en, String(rc)).toMatch(/read the health card first/);
    }
  });

  it('uses the categories the brief fixes', () => {
    const expectCategory = (category: string, codes: number[]) => {
      for (const rc of codes) expect(lookupVendorCode(rc)?.category, String(rc)).toBe(category);
    };
    expectCategory('READER', [-1, 4000, 9204, 9205, 9999]);
    expectCategory('CARD', [4013, 4033, 4043, 5002, 5003, 5015, 5016, 5017, 5018, ...range(5160, 5173)]);
    expectCategory('SAM', [4012, 4032, 4050, 4051, 5006, 5008, 5067, 6005, 6006, 6007, 9060, 9061, 9062, ...range(9200, 9203), 9230, 9231]);
    expectCategory('PROFESSIONAL_CARD', [4014, 4034, 4042, 5056, 9100, 9101, 9130, 9140, 9250, 9251, 9267]);
    expectCategory('PIN', [...range(5102, 5111).filter((rc) => lookupVendorCode(rc)), 6019, 9039, 9041, 9042, 9043]);
    expectCategory('INSURANCE', [5012, ...range(9082, 9095), 9129]);
    expectCategory('VISIT', [5001, 5004, 5009, 5010, 5022, 5081, 5082, 5083, 5084, ...range(5150, 5154), 5174]);
    expectCategory('CARD_WRITE', [5007, 5020, 5023, 5028, 5033, 5051, 5052, 5057, 5061, 5062, 5068, 5069, 5071, 5078, 5079, 5087, 5093]);
    expectCategory('NETWORK', [4061, 9001, 9002, 9003, 9004, 6014, 6015]);
    expectCategory('CONTROL_SOFTWARE', [6016, 6017, 6018, 9240, 9127]);
  });

  it('marks transient faults retryable and final answers not', () => {
    for (const rc of [4000, 4013, 4061, 9003, 9004, 9240]) expect(lookupVendorCode(rc)?.retryable, String(rc)).toBe(true);
    for (const rc of [5002, 6018, 5009, 9082, 9130]) expect(lookupVendorCode(rc)?.retryable, String(rc)).toBe(false);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(VENDOR_CODES)).toBe(true);
    expect(Object.isFrozen(VENDOR_CODES[0])).toBe(true);
  });
});

describe('errorForVendorCode', () => {
  it('4013 → retryable CardError', () => {
    const error = errorForVendorCode(4013);
    expect(error).toBeInstanceOf(CardError);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.category).toBe('CARD');
    expect(error.code).toBe('HEALTH_CARD_NOT_INSERTED');
    expect(error.vendorCode).toBe(4013);
    expect(error.retryable).toBe(true);
    expect(error.hintZh).toMatch(/健保卡/);
    expect(error.message).toContain(error.messageEn);
    expect(error.message).toContain(error.messageZh);
  });

  it('5002 → CardError, not retryable', () => {
    const error = errorForVendorCode(5002);
    expect(error).toBeInstanceOf(CardError);
    expect(error.retryable).toBe(false);
  });

  it('9240 → ControlSoftwareError whose hint names csfsim', () => {
    const error = errorForVendorCode(9240);
    expect(error).toBeInstanceOf(ControlSoftwareError);
    expect(error.category).toBe('CONTROL_SOFTWARE');
    expect(error.hintEn).toMatch(/csfsim/);
    expect(error.hintZh).toMatch(/csfsim/);
  });

  it('5010 is warning-only (a VisitError if a caller still asks for one)', () => {
    expect(isWarningOnly(5010)).toBe(true);
    expect(lookupVendorCode(5010)?.warningOnly).toBe(true);
    expect(errorForVendorCode(5010)).toBeInstanceOf(VisitError);
    expect(isWarningOnly(5001)).toBe(false);
    expect(isWarningOnly(12345)).toBe(false);
  });

  it('builds the class of the entry category for every entry', () => {
    for (const e of VENDOR_CODES) {
      const error = errorForVendorCode(e.vendorCode);
      expect(error).toBeInstanceOf(ERROR_CLASSES[e.category]);
      expect(error.category).toBe(e.category);
      expect(error.code).toBe(e.code);
      expect(error.retryable).toBe(e.retryable);
      expect(error.hintEn).toBe(e.hint?.en ?? null);
    }
  });

  it('unknown code → VendorError VENDOR_CODE_UNKNOWN with its number', () => {
    const error = errorForVendorCode(12345);
    expect(error).toBeInstanceOf(VendorError);
    expect(error.category).toBe('UNKNOWN_VENDOR_CODE');
    expect(error.code).toBe('VENDOR_CODE_UNKNOWN');
    expect(error.vendorCode).toBe(12345);
    expect(error.retryable).toBe(false);
    expect(error.messageZh).toContain('12345');
    expect(error.messageEn).toContain('12345');
    expect(lookupVendorCode(12345)).toBeUndefined();
  });

  it('throws a plain Error for 0 (success is not an error)', () => {
    expect(() => errorForVendorCode(0)).toThrow(Error);
    expect(() => errorForVendorCode(0)).not.toThrow(GatewayError);
  });
});
