/**
 * The simulator's test cards. Each one exercises an edge a registration screen must handle; the keys are
 * stable and appear in the schema's `SimulatedCard` enum. All people and numbers are fictitious (the ID
 * numbers are checksum-valid but invented). The keys and descriptions are the port's (src/ports/simulator.ts).
 */
import { SIMULATED_CARDS, SIMULATED_PROFESSIONAL_CARDS } from '../../ports/simulator.ts';

export interface SimulatedPatient {
  readonly key: string;
  readonly description: string;
  readonly cardNumber: string;
  /** Unicode; rare characters are Private Use Area code points, as decoded from the card. */
  readonly name: string;
  readonly idNumber: string;
  readonly birthDateRoc: string;
  readonly sex: 'M' | 'F';
  readonly issueDateRoc: string;
  readonly cancelled: boolean;
  readonly emergencyPhone: string;
  readonly insurerCode: string;
  readonly beneficiaryCategory: string | null;
  /** ROC date; `null` means "one year from today" so the default cards never expire. */
  readonly cardValidUntilRoc: string | null;
  readonly remainingVisits: number;
  /** Days before today the attached newborn was born, or null. */
  readonly newbornAgeDays: number | null;
  readonly newbornBirthOrder: string | null;
  readonly lastSeqNumber: number;
  readonly hasPin: boolean;
  /** Return code of the real-time insurance check (1.55 / inside 1.37 and 1.53), 0 when insured. */
  readonly insuranceCheckCode: number;
}

export interface SimulatedProfessional {
  readonly key: string;
  /** A pharmacist's card may not write allergies or read critical-illness codes (9100). */
  readonly kind: 'PHYSICIAN' | 'PHARMACIST';
  readonly description: string;
  readonly serialNumber: string;
  readonly idNumber: string;
  readonly name: string;
  readonly englishName: string;
}

const base = {
  cancelled: false,
  emergencyPhone: '0223456789',
  insurerCode: '01',
  beneficiaryCategory: null,
  cardValidUntilRoc: null,
  remainingVisits: 6,
  newbornAgeDays: null,
  newbornBirthOrder: null,
  hasPin: false,
  insuranceCheckCode: 0,
} as const;

export const SIMULATED_PATIENTS: readonly SimulatedPatient[] = [
  {
    ...base,
    key: 'STANDARD',
    description: SIMULATED_CARDS.STANDARD,
    cardNumber: '000012345678',
    name: '王小明',
    idNumber: 'A123456789',
    birthDateRoc: '0690512',
    sex: 'M',
    issueDateRoc: '1050301',
    lastSeqNumber: 41,
  },
  {
    ...base,
    key: 'RARE_CHARACTER_NAME',
    description: SIMULATED_CARDS.RARE_CHARACTER_NAME,
    cardNumber: '000023456789',
    // U+E000 is the first EUDC code point (Big5 0xFA40): it must reach the client, never reject the card.
    name: '林\uE000華',
    idNumber: 'B223456782',
    birthDateRoc: '0750830',
    sex: 'F',
    issueDateRoc: '1070115',
    lastSeqNumber: 7,
  },
  {
    ...base,
    key: 'NEWBORN_ATTACHED',
    description: SIMULATED_CARDS.NEWBORN_ATTACHED,
    cardNumber: '000034567890',
    name: '張美玲',
    idNumber: 'F234567898',
    birthDateRoc: '0790214',
    sex: 'F',
    issueDateRoc: '1090720',
    newbornAgeDays: 15,
    newbornBirthOrder: '1',
    lastSeqNumber: 112,
  },
  {
    ...base,
    key: 'EXPIRED',
    description: SIMULATED_CARDS.EXPIRED,
    cardNumber: '000045678901',
    name: '陳志強',
    idNumber: 'E123456783',
    birthDateRoc: '0520101',
    sex: 'M',
    issueDateRoc: '0980101',
    cardValidUntilRoc: '1081231',
    lastSeqNumber: 388,
  },
  {
    ...base,
    key: 'NO_VISITS_LEFT',
    description: SIMULATED_CARDS.NO_VISITS_LEFT,
    cardNumber: '000056789012',
    name: '黃淑芬',
    idNumber: 'K223456780',
    birthDateRoc: '0660606',
    sex: 'F',
    issueDateRoc: '1020909',
    remainingVisits: 0,
    lastSeqNumber: 9,
  },
  {
    ...base,
    key: 'CANCELLED',
    description: SIMULATED_CARDS.CANCELLED,
    cardNumber: '000067890123',
    name: '劉建宏',
    idNumber: 'H123456786',
    birthDateRoc: '0710303',
    sex: 'M',
    issueDateRoc: '1000505',
    cancelled: true,
    lastSeqNumber: 55,
  },
  {
    ...base,
    key: 'NOT_INSURED',
    description: SIMULATED_CARDS.NOT_INSURED,
    cardNumber: '000078901234',
    name: '吳家豪',
    idNumber: 'N123456780',
    birthDateRoc: '0880808',
    sex: 'M',
    issueDateRoc: '1060606',
    insuranceCheckCode: 9094,
    lastSeqNumber: 3,
  },
];

export const SIMULATED_PROFESSIONALS: readonly SimulatedProfessional[] = [
  {
    key: 'PHYSICIAN',
    kind: 'PHYSICIAN',
    description: SIMULATED_PROFESSIONAL_CARDS.PHYSICIAN,
    serialNumber: 'HPC000000001',
    idNumber: 'A223456781',
    name: '李醫師',
    englishName: 'LI YI-SHIH',
  },
  {
    key: 'PHARMACIST',
    kind: 'PHARMACIST',
    description: SIMULATED_PROFESSIONAL_CARDS.PHARMACIST,
    serialNumber: 'HPC000000002',
    idNumber: 'D123456782',
    name: '周藥師',
    englishName: 'CHOU YAO-SHIH',
  },
];

export const SIMULATED_HOSPITAL = {
  hospitalId: '3501200000',
  samId: '001000000103',
  /** Test SAM IDs are not distinguished by number here; the simulator reports itself as a test module. */
  testModule: true,
} as const;
