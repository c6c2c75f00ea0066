import { describe, expect, it } from 'vitest';
import type { TreatmentFees, TreatmentWrite } from '../../../src/domain/types.ts';
import { TREATMENT_CATEGORIES } from '../../../src/domain/types.ts';
import { InputError } from '../../../src/codecs/input-error.ts';
import {
  FEE_BLOCK_LENGTH,
  TREATMENT_CODE_LENGTH,
  TREATMENT_DATA_LENGTH,
  decodeFeeInput,
  decodeTreatmentCodeInput,
  decodeTreatmentDataInput,
  encodeFeeInput,
  encodeTreatmentCodeInput,
  encodeTreatmentDataInput,
  lateCardFlag,
  validateDiagnoses,
  validateDiagnosisCode,
  validateHospitalId,
  validateRocDateTime13,
  validateTaiwanId,
  validateTreatmentCategory,
} from '../../../src/codecs/write-inputs.ts';

function inputErrorOf(fn: () => unknown, field: string): InputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).field).toBe(field);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

const FEES: TreatmentFees = {
  outpatientFee: 1234,
  outpatientCopay: 50,
  inpatientFee: 0,
  inpatientCopayShortStay: 0,
  inpatientCopayLongStay: 0,
};
const FEE_BLOCK = '00001234' + '00000050' + '00000000' + '0000000' + '0000000';

describe('layout lengths (docs/reference/buffers.md (Write inputs))', () => {
  it('match the spec', () => {
    expect(TREATMENT_CODE_LENGTH).toEqual({ default: 31, icd10: 55 });
    expect(FEE_BLOCK_LENGTH).toBe(38);
    expect(TREATMENT_DATA_LENGTH).toEqual({ default: 69, icd10: 93 });
  });

  it('late-card flag: 1 normal, 2 late (docs/reference/buffers.md (Code lists))', () => {
    expect(lateCardFlag(false)).toBe('1');
    expect(lateCardFlag(true)).toBe('2');
  });
});

describe('encodeTreatmentCodeInput (1.16)', () => {
  it('default layout: flag + 6 × 5, left-aligned, space-padded', () => {
    const data = encodeTreatmentCodeInput({ lateCard: false, diagnoses: ['J00', 'I10', 'K297'] }, 'default');
    expect(data).toBe('1' + 'J00  ' + 'I10  ' + 'K297 ' + '     ' + '     ' + '     ');
    expect(data.length).toBe(31);
  });

  it('default layout holds six 5-character codes', () => {
    const data = encodeTreatmentCodeInput(
      { lateCard: true, diagnoses: ['J0190', 'I10', 'K2970', 'M545', 'R51', 'Z0000'] },
      'default',
    );
    expect(data).toBe('2J0190I10  K2970M545 R51  Z0000');
  });

  it('ICD-10 layout: flag + 6 × [code in 7]', () => {
    const data = encodeTreatmentCodeInput({ lateCard: true, diagnoses: ['G44201', 'E119', 'S72001A'] }, 'icd10');
    expect(data).toBe('2' + '[G44201 ]' + '[E119   ]' + '[S72001A]' + '[       ]' + '[       ]' + '[       ]');
    expect(data.length).toBe(55);
  });

  it('refuses codes longer than 5 in the default layout, naming the index', () => {
    const error = inputErrorOf(
      () => encodeTreatmentCodeInput({ lateCard: false, diagnoses: ['J00', 'G44201'] }, 'default'),
      'diagnoses[1]',
    );
    expect(error.rule).toBe('longer than 5 characters: needs the ICD-10 layout');
  });

  it('refuses E and V codes in the default layout (ICD-9 E/V ambiguity)', () => {
    inputErrorOf(() => encodeTreatmentCodeInput({ lateCard: false, diagnoses: ['E119'] }, 'default'), 'diagnoses[0]');
    inputErrorOf(() => encodeTreatmentCodeInput({ lateCard: false, diagnoses: ['I10', 'V436'] }, 'default'), 'diagnoses[1]');
    expect(() => encodeTreatmentCodeInput({ lateCard: false, diagnoses: ['E119', 'V436'] }, 'icd10')).not.toThrow();
  });

  it.each([[[]], [['A00', 'A01', 'A02', 'A03', 'A04', 'A05', 'A06']]])('refuses %j diagnoses', (diagnoses) => {
    expect(inputErrorOf(() => encodeTreatmentCodeInput({ lateCard: false, diagnoses }, 'icd10'), 'diagnoses').rule).toBe(
      'must list 1 to 6 codes',
    );
  });
});

describe('validateDiagnosisCode', () => {
  it.each(['I10', 'J00', 'E119', 'C4A', 'M1A0', 'S72001A', 'Z3A01', 'U071'])('accepts %s', (code) => {
    expect(validateDiagnosisCode(code, 'diagnoses[0]')).toBe(code);
  });

  it('asks for the code without the dot', () => {
    expect(inputErrorOf(() => validateDiagnosisCode('J01.90', 'diagnoses[2]'), 'diagnoses[2]').rule).toBe(
      'write the code without the dot',
    );
  });

  it.each(['', 'J0', 'j00', '100', 'JA0', 'S72001AB', 'J 00', 'J00 ', 'Ｊ00', 'J0-1'])('rejects %j', (code) => {
    expect(inputErrorOf(() => validateDiagnosisCode(code, 'diagnoses[3]'), 'diagnoses[3]').rule).toMatch(
      /^must be an ICD-10-CM code/,
    );
  });

  it('validateDiagnoses names the offending index', () => {
    inputErrorOf(() => validateDiagnoses(['I10', 'J00', 'k297'], 'icd10'), 'diagnoses[2]');
    expect(validateDiagnoses(['I10'], 'default')).toEqual(['I10']);
  });
});

describe('encodeFeeInput (1.17)', () => {
  it('writes right-aligned zero-padded digits, 8/8/8/7/7', () => {
    expect(encodeFeeInput(FEES)).toBe(FEE_BLOCK);
    expect(
      encodeFeeInput({
        outpatientFee: 99999999,
        outpatientCopay: 1,
        inpatientFee: 12345678,
        inpatientCopayShortStay: 9999999,
        inpatientCopayLongStay: 7654321,
      }),
    ).toBe('99999999' + '00000001' + '12345678' + '9999999' + '7654321');
  });

  it.each([
    ['outpatientFee', -1, 'must be a non-negative integer'],
    ['outpatientCopay', 12.5, 'must be a non-negative integer'],
    ['inpatientFee', 100000000, 'must fit in 8 digits'],
    ['inpatientCopayShortStay', 10000000, 'must fit in 7 digits'],
    ['inpatientCopayLongStay', Number.NaN, 'must be a non-negative integer'],
  ] as const)('refuses %s = %p', (key, value, rule) => {
    const error = inputErrorOf(() => encodeFeeInput({ ...FEES, [key]: value }), `fees.${key}`);
    expect(error.rule).toBe(rule);
  });
});

describe('encodeTreatmentDataInput (1.47)', () => {
  const write: TreatmentWrite = { lateCard: false, diagnoses: ['J00', 'I10'], fees: FEES };

  it('default: 31 + 38 = 69', () => {
    const data = encodeTreatmentDataInput(write, 'default');
    expect(data).toBe('1J00  I10  ' + ' '.repeat(20) + FEE_BLOCK);
    expect(data.length).toBe(69);
  });

  it('ICD-10: 55 + 38 = 93', () => {
    const data = encodeTreatmentDataInput(write, 'icd10');
    expect(data).toBe('1[J00    ][I10    ]' + '[       ]'.repeat(4) + FEE_BLOCK);
    expect(data.length).toBe(93);
  });

  it('needs fees', () => {
    inputErrorOf(() => encodeTreatmentDataInput({ lateCard: false, diagnoses: ['J00'] }, 'icd10'), 'fees');
  });

  it('names the fee field', () => {
    inputErrorOf(
      () => encodeTreatmentDataInput({ ...write, fees: { ...FEES, outpatientCopay: -5 } }, 'icd10'),
      'fees.outpatientCopay',
    );
  });
});

describe('decoders of the written strings (simulator)', () => {
  it('reads a hand-written default 1.16 string', () => {
    expect(decodeTreatmentCodeInput('1J00  I10  K297 ' + ' '.repeat(15))).toEqual({
      layout: 'default',
      lateCard: false,
      diagnoses: ['J00', 'I10', 'K297'],
    });
  });

  it('reads a hand-written ICD-10 1.16 string, with empty slots bracketed or blank', () => {
    expect(decodeTreatmentCodeInput('2[G44201 ][E119   ]' + '[       ]'.repeat(2) + ' '.repeat(18))).toEqual({
      layout: 'icd10',
      lateCard: true,
      diagnoses: ['G44201', 'E119'],
    });
  });

  it("treats NHI's '0' example flag as not late", () => {
    expect(decodeTreatmentCodeInput('0J00  ' + ' '.repeat(25)).lateCard).toBe(false);
  });

  it('refuses wrong lengths and broken brackets', () => {
    inputErrorOf(() => decodeTreatmentCodeInput('1J00'), 'pDataWrite');
    inputErrorOf(() => decodeTreatmentCodeInput('1' + 'G44201   ' + '[       ]'.repeat(5)), 'pDataWrite');
    inputErrorOf(() => decodeTreatmentDataInput('1J00'), 'pDataWrite');
    inputErrorOf(() => decodeFeeInput('123'), 'pDataWrite');
  });

  it('reads zero-padded and space-padded fees (the spec and S4 disagree)', () => {
    expect(decodeFeeInput(FEE_BLOCK)).toEqual(FEES);
    expect(decodeFeeInput('1234    ' + '50      ' + ' '.repeat(8) + ' '.repeat(7) + '     12')).toEqual({
      ...FEES,
      inpatientCopayLongStay: 12,
    });
  });

  it('names the fee field holding non-digits', () => {
    inputErrorOf(() => decodeFeeInput('0000-234' + '0'.repeat(30)), 'fees.outpatientFee');
    inputErrorOf(() => decodeFeeInput('0'.repeat(24) + '00A0000' + '0'.repeat(7)), 'fees.inpatientCopayShortStay');
  });

  it('reads 1.47 strings of both layouts', () => {
    expect(decodeTreatmentDataInput('2J00  I10  ' + ' '.repeat(20) + FEE_BLOCK)).toEqual({
      layout: 'default',
      lateCard: true,
      diagnoses: ['J00', 'I10'],
      fees: FEES,
    });
    expect(decodeTreatmentDataInput('1[S72001A]' + '[       ]'.repeat(5) + FEE_BLOCK)).toEqual({
      layout: 'icd10',
      lateCard: false,
      diagnoses: ['S72001A'],
      fees: FEES,
    });
  });

  it.each([
    [{ lateCard: false, diagnoses: ['J00'] }, 'default'],
    [{ lateCard: true, diagnoses: ['J0190', 'I10', 'K2970', 'M545', 'R51', 'Z0000'] }, 'default'],
    [{ lateCard: false, diagnoses: ['S72001A', 'E119', 'C4A', 'V436', 'I10', 'J00'] }, 'icd10'],
  ] as const)('round-trips %j in the %s layout', (write, layout) => {
    expect(decodeTreatmentCodeInput(encodeTreatmentCodeInput(write, layout))).toEqual({ ...write, layout });
    expect(decodeTreatmentDataInput(encodeTreatmentDataInput({ ...write, fees: FEES }, layout))).toEqual({
      ...write,
      layout,
      fees: FEES,
    });
  });
});

describe('validateTaiwanId', () => {
  it.each([
    ['A123456789', 'national ID, male'],
    ['B223344554', 'national ID, female'],
    ['Z199999990', 'national ID, letter value 33'],
    ['I100000003', 'national ID, I = 34'],
    ['O200000006', 'national ID, O = 35'],
    ['W111111113', 'national ID, W = 32'],
    ['A800000014', 'resident certificate, 2021 format, male'],
    ['B901234562', 'resident certificate, 2021 format, female'],
    ['AA00000009', 'resident certificate, old format, A'],
    ['FB12345672', 'resident certificate, old format, B'],
    ['AC12345679', 'resident certificate, old format, C'],
    ['HD87654324', 'resident certificate, old format, D'],
  ])('accepts %s (%s)', (id) => {
    expect(validateTaiwanId(id, 'patientId')).toBe(id);
  });

  it.each([
    'A123456788',
    'A123456780',
    'B223344555',
    'A800000015',
    'AA00000008',
    'HD87654325',
    'B123456789', // right digits, wrong letter
  ])('rejects %s with a wrong check digit', (id) => {
    expect(inputErrorOf(() => validateTaiwanId(id, 'patientId'), 'patientId').rule).toBe('check digit does not match');
  });

  it.each(['A323456789', 'A023456789', 'AE12345678', 'AZ12345678'])('rejects %s (second character)', (id) => {
    expect(inputErrorOf(() => validateTaiwanId(id, 'pPatientID'), 'pPatientID').rule).toBe(
      'second character must be 1, 2, 8, 9 or A-D',
    );
  });

  it.each(['a123456789', 'A12345678', 'A1234567890', '1123456789', '', 'A12345678X', 'A 23456789', 'Ａ123456789'])(
    'rejects %j (shape)',
    (id) => {
      expect(inputErrorOf(() => validateTaiwanId(id, 'idNumber'), 'idNumber').rule).toBe(
        'must be an upper-case letter followed by 9 characters',
      );
    },
  );
});

describe('validateTreatmentCategory (docs/reference/buffers.md (Code lists))', () => {
  it('accepts every code of the table', () => {
    for (const code of Object.keys(TREATMENT_CATEGORIES)) {
      expect(validateTreatmentCategory(code)).toBe(code);
    }
  });

  it.each(['06', '1', 'aa', 'ZA', 'ZB', 'BF', '', 'toString', '01 '])('rejects %j', (code) => {
    inputErrorOf(() => validateTreatmentCategory(code), 'treatmentCategory');
  });

  it('names a custom field', () => {
    inputErrorOf(() => validateTreatmentCategory('99', 'cTreatItem'), 'cTreatItem');
  });
});

describe('validateHospitalId', () => {
  it.each(['3501200000', '1234567890', 'N123456789'])('accepts %s', (id) => {
    expect(validateHospitalId(id, 'hospitalId')).toBe(id);
  });

  it.each(['350120000', '35012000001', '350120000 ', '3501-20000', '', '３501200000'])('rejects %j', (id) => {
    expect(inputErrorOf(() => validateHospitalId(id, 'pHospID'), 'pHospID').rule).toBe('must be 10 letters or digits');
  });
});

describe('validateRocDateTime13 (re-exported from roc-date)', () => {
  it('accepts a real date-time and rejects others', () => {
    expect(validateRocDateTime13('1130229143005', 'pDateTime')).toBe('1130229143005');
    inputErrorOf(() => validateRocDateTime13('1130229', 'pDateTime'), 'pDateTime');
  });
});
