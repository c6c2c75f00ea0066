/**
 * The simulated health card's record areas (issue 14): what each test card holds when first inserted, and
 * the rules of the areas (capacities, rings, derived areas). The workstation (workstation.ts) owns the
 * calls and return codes; this file owns the data. The native fixture (test/native/cshis_fixture.c) holds
 * the same areas in C and is seeded from {@link CARD_RECORD_SEEDS} by the contract suite.
 *
 * Inferred rules (docs/reference/card-functions.md lists them as uncertain): full areas drop their oldest
 * record (a ring), newest last; writing order type 2 also fills the long-term area and type 5 the
 * important-orders area, with the fields mapped as below.
 */
import { RECORD } from '../../ports/control-software.ts';
import type {
  CriticalIllnessFields,
  ImportantOrderFields,
  LongTermRxFields,
  OutpatientRxFields,
  PrenatalFields,
  PreventiveCareFields,
  VaccinationFields,
} from '../../codecs/records.ts';

export interface CardRecordSeed {
  readonly allergies: readonly string[];
  readonly vaccinations: readonly VaccinationFields[];
  readonly preventiveCare: readonly PreventiveCareFields[];
  readonly prenatal: readonly PrenatalFields[];
  readonly criticalIllnesses: readonly CriticalIllnessFields[];
  /** 1.12's raw character ('' = blank). */
  readonly organDonation: string;
}

const EMPTY_SEED: CardRecordSeed = {
  allergies: [],
  vaccinations: [],
  preventiveCare: [],
  prenatal: [],
  criticalIllnesses: [],
  organDonation: '',
};

const HOSPITAL = '3501200000';

/** Records on the test cards at first insertion (fictitious). Cards not listed start empty. */
export const CARD_RECORD_SEEDS: Readonly<Record<string, CardRecordSeed>> = {
  STANDARD: {
    ...EMPTY_SEED,
    allergies: ['盤尼西林'],
    vaccinations: [{ vaccineType: 'FLU', dateRoc: '1131015', hospitalId: HOSPITAL, lotNumber: 'FLU2024A01' }],
    preventiveCare: [{ serviceItem: '03', dateRoc: '1120301', hospitalId: HOSPITAL, itemCode: '21' }],
  },
  RARE_CHARACTER_NAME: {
    ...EMPTY_SEED,
    // U+E001 (Big5 0xFA41): a 造字 inside an allergy name must survive the round trip like one in a name.
    allergies: ['阿斯匹靈', '磺胺\uE001'],
    prenatal: [{ dateRoc: '1130601', hospitalId: HOSPITAL, itemCode: '41' }],
    criticalIllnesses: [{ code: 'N185', validFromRoc: '1100101', validUntilRoc: '1150101' }],
  },
};

export function seedFor(patientKey: string): CardRecordSeed {
  return CARD_RECORD_SEEDS[patientKey] ?? EMPTY_SEED;
}

/**
 * The simulator's ICD-10 card forms (5.1 / 5.2). NHI's real mapping table is not public: these pairs are
 * INVENTED test values with the documented shape (5 characters, a punctuation lead), so a HIS can exercise
 * the calls. Codes that fit 5 characters and do not start with E or V come back unchanged (inferred).
 */
export const SIMULATED_ICD10_CARD_FORMS: Readonly<Record<string, string>> = {
  G44201: '!G442',
  E119: '#E119',
  E1165: '%E116',
  S72001A: '$S720',
  V0001XA: '&V000',
};

/** 5.1 as simulated: the card form, the code itself when it needs none, null (9127) when unknown. */
export function simulatedIcd10Encode(code: string): string | null {
  if (code.length <= 5 && !code.startsWith('E') && !code.startsWith('V')) return code;
  return SIMULATED_ICD10_CARD_FORMS[code] ?? null;
}

/** 5.2 as simulated. */
export function simulatedIcd10Decode(cardForm: string): string | null {
  for (const [code, form] of Object.entries(SIMULATED_ICD10_CARD_FORMS)) if (form === cardForm) return code;
  return null;
}

/** Appends to a ring of `capacity`: the oldest record goes when it is full. */
export function pushRing<T>(area: T[], record: T, capacity: number): void {
  area.push(record);
  while (area.length > capacity) area.shift();
}

/** The mutable record areas of one simulated card. */
export class SimulatedCardRecords {
  readonly outpatient: OutpatientRxFields[] = [];
  readonly longTerm: LongTermRxFields[] = [];
  readonly importantOrders: ImportantOrderFields[] = [];
  /** Three slots, '' = empty. */
  readonly allergies: string[];
  readonly vaccinations: VaccinationFields[];
  readonly preventiveCare: PreventiveCareFields[];
  readonly prenatal: PrenatalFields[];
  readonly criticalIllnesses: CriticalIllnessFields[];
  organDonation: string;
  emergencyPhone: string | null;
  pinSet: boolean;
  pinVerified = false;
  newborn: { readonly birthDateRoc: string; readonly birthOrder: string } | null = null;

  constructor(seed: CardRecordSeed, emergencyPhone: string | null, pinSet: boolean) {
    this.allergies = Array.from({ length: RECORD.allergy.capacity }, (_, i) => seed.allergies[i] ?? '');
    this.vaccinations = [...seed.vaccinations];
    this.preventiveCare = [...seed.preventiveCare];
    this.prenatal = [...seed.prenatal];
    this.criticalIllnesses = [...seed.criticalIllnesses];
    this.organDonation = seed.organDonation;
    this.emergencyPhone = emergencyPhone;
    this.pinSet = pinSet;
  }

  /** Stores written prescriptions; types 2 and 5 also fill their own areas. */
  addPrescriptions(records: readonly OutpatientRxFields[], hospitalId: string): void {
    for (const r of records) {
      pushRing(this.outpatient, r, RECORD.outpatientPrescription.capacity);
      if (r.orderType === '2') {
        pushRing(
          this.longTerm,
          { issueDateRoc: r.visitTimeRoc.slice(0, 7), drugCode: r.itemCode.slice(0, 10), usage: r.usage, days: r.days, total: r.total },
          RECORD.longTermPrescription.capacity,
        );
      }
      if (r.orderType === '5') {
        pushRing(
          this.importantOrders,
          { dateRoc: r.visitTimeRoc.slice(0, 7), hospitalId, itemCode: r.itemCode.slice(0, 6), site: r.site, total: r.total },
          RECORD.importantOrder.capacity,
        );
      }
    }
  }
}

/** Order types a pharmacy's professional card may see (§4.5 of the reference: 1, 2, A, B). */
export const PHARMACY_VISIBLE_ORDER_TYPES: ReadonlySet<string> = new Set(['1', '2', 'A', 'B']);
