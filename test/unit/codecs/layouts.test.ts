import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/codecs/input-error.ts';
import {
  type CardHolderRecord,
  decodeBasicData,
  decodeCardNumber,
  decodeDocId,
  decodeHospitalId,
  decodeHpcChineseName,
  decodeHpcEnglishName,
  decodeHpcIdNumber,
  decodeHpcSerialNumber,
  decodeLastSeqNum,
  decodeProfessionalCardIdentity,
  decodeReaderDateTime,
  decodeRegisterBasic,
  decodeRegisterBasic2,
  decodeSeqNumber256,
  decodeSeqNumber256N1,
  decodeSex,
  decodeTreatNumICCard,
  decodeTreatNumNoICCard,
  encodeBasicData,
  encodeCardNumber,
  encodeDocId,
  encodeFixed,
  encodeHospitalId,
  encodeHpcChineseName,
  encodeHpcEnglishName,
  encodeHpcIdNumber,
  encodeHpcSerialNumber,
  encodeLastSeqNum,
  encodeReaderDateTime,
  encodeRegisterBasic,
  encodeRegisterBasic2,
  encodeSeqNumber256,
  encodeSeqNumber256N1,
  encodeTreatNumICCard,
  encodeTreatNumNoICCard,
  healthCardStatusFromCode,
  professionalCardStatusFromCode,
  samStatusFromCode,
} from '../../../src/codecs/layouts.ts';
import { OUTPUT_SIZE } from '../../../src/ports/control-software.ts';

/** Builds a buffer from ASCII strings and raw byte arrays, written out in the test. */
function bytesOf(...parts: (string | number[])[]): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === 'string') out.push(...[...part].map((c) => c.charCodeAt(0)));
    else out.push(...part);
  }
  return Uint8Array.from(out);
}

const SPACES = (n: number) => ' '.repeat(n);
// 王小明 in CP950, followed by 14 padding spaces = the 20-byte name field of docs/reference/buffers.md (1.1 / 1.2).
const NAME_FIELD = [0xa4, 0xfd, 0xa4, 0x70, 0xa9, 0xfa, ...new Array<number>(14).fill(0x20)];
const NAME_TEXT = { text: '王小明', rawHex: 'A4FDA470A9FA', hasRareCharacters: false };

// docs/reference/buffers.md (1.1 / 1.2) bytes 1–58, hand-laid: card no. 12 · name 20 · ID 10 · birth 7 · sex 1 · issue 7 · cancelled 1.
const COMMON_58 = ['000012345678', NAME_FIELD, 'A123456789', '0850315', 'M', '1090101', '1'] as const;

const BASIC_72 = bytesOf(...COMMON_58, '0912345678    ');
const REGISTER_78 = bytesOf(...COMMON_58, '01', '3', '1151231', '06', '1130101', '1');

const RECORD: CardHolderRecord = {
  cardNumber: '000012345678',
  name: '王小明',
  idNumber: 'A123456789',
  birthDateRoc: '0850315',
  sex: 'M',
  issueDateRoc: '1090101',
  cancelled: false,
  emergencyPhone: '0912345678',
  insurerCode: '01',
  beneficiaryCategory: '3',
  cardValidUntilRoc: '1151231',
  remainingVisits: 6,
  newbornBirthDateRoc: '1130101',
  newbornBirthOrder: '1',
};

const SIGNATURE = '0123456789ABCDEF'.repeat(16); // 256 printable characters
const SEQ_296 = bytesOf('1130229143005', '0007', '3501200000', SIGNATURE, 'SAM000000001', 'Y');
const SEQ_316 = bytesOf('1130229143005', '0007', '3501200000', SIGNATURE, 'SAM000000001', 'N', 'T1130229143005000001');

function expectInputError(fn: () => unknown, field: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InputError);
  expect((caught as InputError).field).toBe(field);
}

describe('hand-built buffers have the documented sizes', () => {
  it('matches OUTPUT_SIZE', () => {
    expect(BASIC_72.length).toBe(OUTPUT_SIZE.hisGetBasicData);
    expect(REGISTER_78.length).toBe(OUTPUT_SIZE.hisGetRegisterBasic);
    expect(SEQ_296.length).toBe(OUTPUT_SIZE.hisGetSeqNumber256);
    expect(SEQ_316.length).toBe(OUTPUT_SIZE.hisGetSeqNumber256N1);
  });
});

describe('decodeBasicData (docs/reference/buffers.md (1.1))', () => {
  it('decodes every field', () => {
    expect(decodeBasicData(BASIC_72)).toEqual({
      cardNumber: '000012345678',
      name: NAME_TEXT,
      idNumber: 'A123456789',
      birthDate: '1996-03-15',
      sex: 'M',
      issueDate: '2020-01-01',
      cancelled: false,
      emergencyPhone: '0912345678',
    });
  });

  it('reads the cancelled flag 2 and a blank phone', () => {
    const data = decodeBasicData(bytesOf(...COMMON_58.slice(0, 6), '2', SPACES(14)));
    expect(data.cancelled).toBe(true);
    expect(data.emergencyPhone).toBeNull();
  });

  it('never throws on bad card dates: they become empty', () => {
    const data = decodeBasicData(bytesOf('000012345678', NAME_FIELD, 'A123456789', '1130230', 'F', '0000000', '1', SPACES(14)));
    expect(data.birthDate).toBeNull();
    expect(data.issueDate).toBeNull();
    expect(data.sex).toBe('F');
  });

  it('tolerates a short buffer without reading past it', () => {
    const data = decodeBasicData(BASIC_72.subarray(0, 40));
    expect(data.cardNumber).toBe('000012345678');
    expect(data.name).toEqual(NAME_TEXT);
    expect(data.idNumber).toBe('A1234567');
    expect(data.birthDate).toBeNull();
    expect(data.sex).toBe('M'); // from the ID's second character
    expect(data.issueDate).toBeNull();
    expect(data.cancelled).toBe(false);
    expect(data.emergencyPhone).toBeNull();
  });

  it('tolerates an empty buffer', () => {
    const data = decodeBasicData(new Uint8Array(0));
    expect(data.cardNumber).toBe('');
    expect(data.name).toEqual({ text: '', rawHex: '', hasRareCharacters: false });
    expect(data.emergencyPhone).toBeNull();
  });

  it('ignores bytes beyond the layout', () => {
    const longer = bytesOf(...COMMON_58, '0912345678    ', 'GARBAGE GARBAGE');
    expect(decodeBasicData(longer)).toEqual(decodeBasicData(BASIC_72));
  });

  it('decodes a rare-character name', () => {
    const name = [0xb3, 0xaf, 0xfa, 0x40, 0xac, 0xfc, ...new Array<number>(14).fill(0x20)]; // 陳 EUDC 美
    const data = decodeBasicData(bytesOf('000012345678', name, 'B223344554', '0850315', 'F', '1090101', '1', SPACES(14)));
    expect(data.name).toEqual({ text: '陳\uE000美', rawHex: 'B3AFFA40ACFC', hasRareCharacters: true });
  });

  it('decodes a NUL-padded name and NUL-padded fields', () => {
    const name = [0xa4, 0xfd, 0xa4, 0x70, 0xa9, 0xfa, ...new Array<number>(14).fill(0)];
    const data = decodeBasicData(bytesOf('000012345678', name, 'A123456789', '0850315', 'M', '1090101', '1', new Array<number>(14).fill(0)));
    expect(data.name).toEqual(NAME_TEXT);
    expect(data.emergencyPhone).toBeNull();
  });
});

describe('decodeSex', () => {
  it.each([
    ['M', 'A123456789', 'M'],
    ['F', 'A123456789', 'F'], // the card's own byte wins over the ID
    ['f', '', 'F'],
    [' ', 'A123456789', 'M'],
    [' ', 'B223344554', 'F'],
    ['', 'A800000014', 'M'],
    ['', 'B901234562', 'F'],
    ['', 'AA00000009', 'M'],
    ['', 'FB12345672', 'F'],
    ['', 'AC12345679', 'M'],
    ['', 'HD87654324', 'F'],
    ['X', 'A000000000', null], // neither the byte nor the ID tells: unknown, not a guess
    ['', '', null],
  ])('sex byte %j with ID %j → %s', (sexByte, id, expected) => {
    expect(decodeSex(sexByte, id)).toBe(expected);
  });
});

describe('decodeRegisterBasic (docs/reference/buffers.md (1.2))', () => {
  it('decodes every field', () => {
    expect(decodeRegisterBasic(REGISTER_78)).toEqual({
      cardNumber: '000012345678',
      name: NAME_TEXT,
      idNumber: 'A123456789',
      birthDate: '1996-03-15',
      sex: 'M',
      issueDate: '2020-01-01',
      cancelled: false,
      insurerCode: '01',
      beneficiaryCategory: '3',
      cardValidUntil: '2026-12-31',
      remainingVisits: 6,
      newbornBirthDate: '2024-01-01',
      newbornBirthOrder: '1',
    });
  });

  it('gives null for blank optional fields and for unreadable visits', () => {
    const data = decodeRegisterBasic(bytesOf(...COMMON_58, '01', ' ', '1151231', 'XX', '0000000', ' '));
    expect(data.beneficiaryCategory).toBeNull();
    expect(data.remainingVisits).toBeNull();
    expect(data.newbornBirthDate).toBeNull();
    expect(data.newbornBirthOrder).toBeNull();
  });

  it('tolerates a buffer cut inside the validity date', () => {
    const data = decodeRegisterBasic(REGISTER_78.subarray(0, 65));
    expect(data.insurerCode).toBe('01');
    expect(data.cardValidUntil).toBeNull();
    expect(data.remainingVisits).toBeNull();
    expect(data.newbornBirthDate).toBeNull();
  });
});

describe('small buffers (docs/reference/buffers.md)', () => {
  it('1.38: validity and remaining visits', () => {
    expect(decodeRegisterBasic2(bytesOf('1151231', '06'))).toEqual({ cardValidUntil: '2026-12-31', remainingVisits: 6 });
    expect(decodeRegisterBasic2(bytesOf('1151231', '  '))).toEqual({ cardValidUntil: '2026-12-31', remainingVisits: null });
    expect(decodeRegisterBasic2(bytesOf('11512'))).toEqual({ cardValidUntil: null, remainingVisits: null });
  });

  it('1.14: raw characters and the sequence number in characters 4–7', () => {
    expect(decodeLastSeqNum(bytesOf('1130007'))).toEqual({ raw: '1130007', seqNumber: '0007' });
    expect(decodeLastSeqNum(bytesOf('11'))).toEqual({ raw: '11', seqNumber: '' });
    expect(decodeLastSeqNum(bytesOf('1130007EXTRA'))).toEqual({ raw: '1130007', seqNumber: '0007' });
  });

  it('1.34: the reader clock', () => {
    expect(decodeReaderDateTime(bytesOf('1130229143005'))).toBe('2024-02-29T14:30:05+08:00');
    expect(decodeReaderDateTime(bytesOf('1130229'))).toBeNull();
    expect(decodeReaderDateTime(bytesOf('99999999999999'))).toBeNull();
    expect(decodeReaderDateTime(new Uint8Array(0))).toBeNull();
  });

  it('1.35 / 2.2: single trimmed fields, clamped to their size', () => {
    expect(decodeCardNumber(bytesOf('000012345678'))).toBe('000012345678');
    expect(decodeCardNumber(bytesOf('0000123456  '))).toBe('0000123456');
    expect(decodeCardNumber(bytesOf('000012345678XYZ'))).toBe('000012345678');
    expect(decodeHospitalId(bytesOf('3501200000'))).toBe('3501200000');
    expect(decodeHospitalId(bytesOf('35012'))).toBe('35012');
    expect(decodeHospitalId(new Uint8Array(0))).toBe('');
  });
});

describe('sequence-number buffers (docs/reference/buffers.md (1.9 / 1.37 / 1.53))', () => {
  it('1.37 decodes 296 bytes with no treatment ID', () => {
    expect(decodeSeqNumber256(SEQ_296)).toEqual({
      visitTime: '2024-02-29T14:30:05+08:00',
      visitTimeRoc: '1130229143005',
      seqNumber: '0007',
      hospitalId: '3501200000',
      signature: SIGNATURE,
      samId: 'SAM000000001',
      sameDayVisit: true,
      treatmentId: null,
    });
  });

  it('1.53 decodes 316 bytes with the treatment ID', () => {
    expect(decodeSeqNumber256N1(SEQ_316)).toEqual({
      visitTime: '2024-02-29T14:30:05+08:00',
      visitTimeRoc: '1130229143005',
      seqNumber: '0007',
      hospitalId: '3501200000',
      signature: SIGNATURE,
      samId: 'SAM000000001',
      sameDayVisit: false,
      treatmentId: 'T1130229143005000001',
    });
  });

  it('1.53 gives null for a blank treatment ID (5174 tolerated)', () => {
    const blank = bytesOf('1130229143005', '0007', '3501200000', SIGNATURE, 'SAM000000001', 'N', SPACES(20));
    expect(decodeSeqNumber256N1(blank).treatmentId).toBeNull();
    expect(decodeSeqNumber256N1(SEQ_296).treatmentId).toBeNull(); // a 1.37-sized answer
  });

  it('treats anything but Y as not a same-day visit', () => {
    const withFlag = (flag: string) =>
      decodeSeqNumber256(bytesOf('1130229143005', '0007', '3501200000', SIGNATURE, 'SAM000000001', flag)).sameDayVisit;
    expect(withFlag('Y')).toBe(true);
    expect(withFlag('y')).toBe(true);
    expect(withFlag('N')).toBe(false);
    expect(withFlag(' ')).toBe(false);
  });

  it('tolerates a short buffer: the signature is cut, later fields blank', () => {
    const data = decodeSeqNumber256(SEQ_296.subarray(0, 100));
    expect(data.visitTimeRoc).toBe('1130229143005');
    expect(data.signature).toBe(SIGNATURE.slice(0, 73));
    expect(data.samId).toBe('');
    expect(data.sameDayVisit).toBe(false);
  });

  it('keeps an unreadable visit time raw and gives an empty ISO time', () => {
    const data = decodeSeqNumber256(bytesOf('1130229996005', '0007'));
    expect(data.visitTimeRoc).toBe('1130229996005');
    expect(data.visitTime).toBe('');
  });
});

describe('treatment-ID buffers (docs/reference/buffers.md (1.54 / 1.56))', () => {
  it('1.54 decodes 43 bytes', () => {
    expect(decodeTreatNumNoICCard(bytesOf('1130229143005', '3501200000', 'T1130229143005000001'))).toEqual({
      visitTime: '2024-02-29T14:30:05+08:00',
      visitTimeRoc: '1130229143005',
      hospitalId: '3501200000',
      treatmentId: 'T1130229143005000001',
    });
  });

  it('1.54 tolerates a short buffer', () => {
    expect(decodeTreatNumNoICCard(bytesOf('1130229143005', '35012'))).toEqual({
      visitTime: '2024-02-29T14:30:05+08:00',
      visitTimeRoc: '1130229143005',
      hospitalId: '35012',
      treatmentId: '',
    });
  });

  it('1.56 decodes the 20-byte treatment ID', () => {
    expect(decodeTreatNumICCard(bytesOf('T1130229143005000001'))).toBe('T1130229143005000001');
    expect(decodeTreatNumICCard(bytesOf('ABC', SPACES(17)))).toBe('ABC');
  });
});

describe('professional card (docs/reference/functions.md (4.5–4.8)) and DocID (docs/reference/buffers.md (Write inputs))', () => {
  it('decodes each read', () => {
    expect(decodeHpcSerialNumber(bytesOf('0000HPC12345'))).toBe('0000HPC12345');
    expect(decodeHpcIdNumber(bytesOf('B223344554'))).toBe('B223344554');
    expect(decodeHpcChineseName(bytesOf([0xa7, 0xf5, 0xc2, 0xe5, 0xae, 0x76]))).toEqual({
      text: '李醫師',
      rawHex: 'A7F5C2E5AE76',
      hasRareCharacters: false,
    });
    expect(decodeHpcEnglishName(bytesOf('LEE YI-SHIH  '))).toBe('LEE YI-SHIH');
  });

  it('assembles the identity', () => {
    expect(
      decodeProfessionalCardIdentity({
        serialNumber: bytesOf('0000HPC12345'),
        idNumber: bytesOf('B223344554'),
        chineseName: bytesOf([0xa7, 0xf5, 0xc2, 0xe5, 0xae, 0x76], SPACES(14)),
        englishName: bytesOf('LEE YI-SHIH'),
      }),
    ).toEqual({
      serialNumber: '0000HPC12345',
      idNumber: 'B223344554',
      name: { text: '李醫師', rawHex: 'A7F5C2E5AE76', hasRareCharacters: false },
      englishName: 'LEE YI-SHIH',
    });
  });

  it('decodes DocID as a C string', () => {
    expect(decodeDocId(bytesOf('B223344554', [0]))).toBe('B223344554');
    expect(decodeDocId(bytesOf([0], 'STALE DATA'))).toBeNull();
    expect(decodeDocId(new Uint8Array(11))).toBeNull();
    expect(decodeDocId(new Uint8Array(0))).toBeNull();
    expect(decodeDocId(bytesOf('B223344554', [0], 'STALE'))).toBe('B223344554');
    expect(decodeDocId(bytesOf(SPACES(11)))).toBeNull();
  });
});

describe('docs/reference/buffers.md (1.15) card status codes', () => {
  it.each([
    [0, 'NOT_INSERTED'],
    [1, 'NOT_AUTHENTICATED'],
    [2, 'AUTHENTICATED'],
    [9, 'NOT_A_SAM'],
    [4000, 'READER_TIMEOUT'],
    [3, 'UNKNOWN'],
    [-1, 'UNKNOWN'],
    [4001, 'UNKNOWN'],
  ])('SAM %i → %s', (code, status) => {
    expect(samStatusFromCode(code)).toBe(status);
  });

  it.each([
    [0, 'NOT_INSERTED'],
    [1, 'NOT_SAM_AUTHENTICATED'],
    [2, 'SAM_AUTHENTICATED'],
    [3, 'HPC_AUTHENTICATED'],
    [4, 'PIN_VERIFIED'],
    [5, 'IDC_AUTHENTICATED'],
    [9, 'NOT_A_HEALTH_CARD'],
    [4000, 'READER_TIMEOUT'],
    [6, 'UNKNOWN'],
    [4013, 'UNKNOWN'],
  ])('health card %i → %s', (code, status) => {
    expect(healthCardStatusFromCode(code)).toBe(status);
  });

  it.each([
    [0, 'NOT_INSERTED'],
    [1, 'NOT_SAM_AUTHENTICATED'],
    [2, 'SAM_AUTHENTICATED'],
    [3, 'PIN_VERIFIED'],
    [9, 'NOT_A_PROFESSIONAL_CARD'],
    [4000, 'READER_TIMEOUT'],
    [4, 'UNKNOWN'],
    [Number.NaN, 'UNKNOWN'],
  ])('professional card %i → %s', (code, status) => {
    expect(professionalCardStatusFromCode(code)).toBe(status);
  });

  it('does not answer inherited object keys', () => {
    expect(samStatusFromCode('constructor' as unknown as number)).toBe('UNKNOWN');
  });
});

describe('encoders produce exactly the hand-built bytes', () => {
  it('1.1', () => {
    expect([...encodeBasicData(RECORD)]).toEqual([...BASIC_72]);
  });

  it('1.2', () => {
    expect([...encodeRegisterBasic(RECORD)]).toEqual([...REGISTER_78]);
  });

  it('1.38', () => {
    expect([...encodeRegisterBasic2(RECORD)]).toEqual([...bytesOf('1151231', '06')]);
  });

  it('1.14', () => {
    expect([...encodeLastSeqNum({ visitTimeRoc: '1130229143005', seqNumber: '0007' })]).toEqual([...bytesOf('1130007')]);
  });

  it('1.37 / 1.53', () => {
    const seq = {
      visitTimeRoc: '1130229143005',
      seqNumber: '0007',
      hospitalId: '3501200000',
      signature: SIGNATURE,
      samId: 'SAM000000001',
      sameDayVisit: true,
    };
    expect([...encodeSeqNumber256(seq)]).toEqual([...SEQ_296]);
    expect([...encodeSeqNumber256N1({ ...seq, sameDayVisit: false, treatmentId: 'T1130229143005000001' })]).toEqual([
      ...SEQ_316,
    ]);
  });

  it('1.54 / 1.56 / 1.34 / 1.35 / 2.2', () => {
    expect([
      ...encodeTreatNumNoICCard({ visitTimeRoc: '1130229143005', hospitalId: '3501200000', treatmentId: 'T1' }),
    ]).toEqual([...bytesOf('1130229143005', '3501200000', 'T1', SPACES(18))]);
    expect([...encodeTreatNumICCard('T1')]).toEqual([...bytesOf('T1', SPACES(18))]);
    expect([...encodeReaderDateTime(new Date('2024-02-29T06:30:05Z'))]).toEqual([...bytesOf('1130229143005')]);
    expect([...encodeCardNumber('000012345678')]).toEqual([...bytesOf('000012345678')]);
    expect([...encodeHospitalId('35012')]).toEqual([...bytesOf('35012', SPACES(5))]);
  });

  it('HPC reads are unpadded; DocID is NUL-filled', () => {
    expect([...encodeHpcSerialNumber('0000HPC12345')]).toEqual([...bytesOf('0000HPC12345')]);
    expect([...encodeHpcIdNumber('B223344554')]).toEqual([...bytesOf('B223344554')]);
    expect([...encodeHpcChineseName('李醫師')]).toEqual([0xa7, 0xf5, 0xc2, 0xe5, 0xae, 0x76]);
    expect([...encodeHpcEnglishName('LEE YI-SHIH')]).toEqual([...bytesOf('LEE YI-SHIH')]);
    expect([...encodeDocId('B223344554')]).toEqual([...bytesOf('B223344554', [0])]);
    expect([...encodeDocId(null)]).toEqual(new Array<number>(11).fill(0));
  });

  it('encodeFixed pads ASCII', () => {
    expect([...encodeFixed('AB', 4)]).toEqual([0x41, 0x42, 0x20, 0x20]);
  });
});

describe('encoders round-trip through the decoders', () => {
  const variants: CardHolderRecord[] = [
    RECORD,
    {
      ...RECORD,
      name: '陳\uE000美',
      sex: 'F',
      idNumber: 'B223344554',
      cancelled: true,
      emergencyPhone: null,
      beneficiaryCategory: null,
      remainingVisits: 0,
      newbornBirthDateRoc: null,
      newbornBirthOrder: null,
    },
  ];

  it.each(variants)('card holder %#', (record) => {
    const basic = decodeBasicData(encodeBasicData(record));
    expect(basic.name.text).toBe(record.name);
    expect(basic.sex).toBe(record.sex);
    expect(basic.cancelled).toBe(record.cancelled);
    expect(basic.emergencyPhone).toBe(record.emergencyPhone);
    expect(basic.birthDate).toBe('1996-03-15');

    const register = decodeRegisterBasic(encodeRegisterBasic(record));
    expect(register.beneficiaryCategory).toBe(record.beneficiaryCategory);
    expect(register.remainingVisits).toBe(record.remainingVisits);
    expect(register.newbornBirthDate).toBe(record.newbornBirthDateRoc === null ? null : '2024-01-01');
    expect(register.newbornBirthOrder).toBe(record.newbornBirthOrder);
    expect(decodeRegisterBasic2(encodeRegisterBasic2(record)).remainingVisits).toBe(record.remainingVisits);
  });

  it('lets the simulator present a malformed card that still decodes', () => {
    const broken = decodeBasicData(encodeBasicData({ ...RECORD, birthDateRoc: '1130230', issueDateRoc: '' }));
    expect(broken.birthDate).toBeNull();
    expect(broken.issueDate).toBeNull();
  });

  it('HPC and DocID', () => {
    expect(decodeHpcChineseName(encodeHpcChineseName('林\uF848')).text).toBe('林\uF848');
    expect(decodeHpcEnglishName(encodeHpcEnglishName('LIN'))).toBe('LIN');
    expect(decodeDocId(encodeDocId('B223344554'))).toBe('B223344554');
    expect(decodeDocId(encodeDocId(null))).toBeNull();
  });

  it('sequence numbers', () => {
    const record = {
      visitTimeRoc: '1131231235959',
      seqNumber: 'IC09',
      hospitalId: '3501200000',
      signature: 'S'.repeat(256),
      samId: 'SAM000000001',
      sameDayVisit: false,
      treatmentId: 'T1131231235959000009',
    };
    expect(decodeSeqNumber256N1(encodeSeqNumber256N1(record))).toEqual({
      ...record,
      visitTime: '2024-12-31T23:59:59+08:00',
    });
  });
});

describe('encoders refuse values that do not fit', () => {
  it.each([
    [{ cardNumber: '0000123456789' }, 'cardNumber'],
    [{ name: '王小明王小明王小明王小' }, 'name'],
    [{ name: '王😀' }, 'name'],
    [{ idNumber: 'A1234567890' }, 'idNumber'],
    [{ idNumber: 'Ａ123456789' }, 'idNumber'],
    [{ birthDateRoc: '01130229' }, 'birthDateRoc'],
    [{ emergencyPhone: '091234567890123' }, 'emergencyPhone'],
    [{ insurerCode: '001' }, 'insurerCode'],
    [{ beneficiaryCategory: '12' }, 'beneficiaryCategory'],
    [{ remainingVisits: 100 }, 'remainingVisits'],
    [{ remainingVisits: -1 }, 'remainingVisits'],
    [{ newbornBirthOrder: '12' }, 'newbornBirthOrder'],
  ] as [Partial<CardHolderRecord>, string][])('%j → %s', (patch, field) => {
    const record = { ...RECORD, ...patch };
    expectInputError(() => {
      encodeBasicData(record);
      encodeRegisterBasic(record);
    }, field);
  });

  it('sequence-number fields', () => {
    const seq = {
      visitTimeRoc: '1130229143005',
      seqNumber: '0007',
      hospitalId: '3501200000',
      signature: SIGNATURE,
      samId: 'SAM000000001',
      sameDayVisit: true,
    };
    expectInputError(() => encodeSeqNumber256({ ...seq, signature: `${SIGNATURE}X` }), 'signature');
    expectInputError(() => encodeSeqNumber256({ ...seq, samId: 'SAM0000000001' }), 'samId');
    expectInputError(() => encodeSeqNumber256N1({ ...seq, treatmentId: 'T'.repeat(21) }), 'treatmentId');
    expectInputError(() => encodeTreatNumNoICCard({ ...seq, treatmentId: 'T', hospitalId: '35012000001' }), 'hospitalId');
    expectInputError(() => encodeHpcChineseName('王小明王小明王小明王小'), 'name');
    expectInputError(() => encodeHpcEnglishName('X'.repeat(41)), 'englishName');
    expectInputError(() => encodeDocId('B2233445541'), 'idNumber');
  });
});
