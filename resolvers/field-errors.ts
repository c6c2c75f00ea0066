/**
 * Which failures each field can return, declared once per resolver (docs/api-conventions.md docs/reference/abi.md (Installed files)). A field's
 * result union is built from its declaration (schema/errors.ts), and test/api/field-errors.test.ts checks the
 * declarations against the catalogue and by driving the simulator's forced return codes.
 *
 * A declaration lists the *sources* a resolver calls. Each source says whether it can report a vendor code
 * (the control software's return code or a Web API RtnCode: the `VendorError` member) and which of the
 * gateway's own codes it can raise (the `GatewayError` member).
 */
import type { GatewayCodeName } from '../src/errors/gateway-codes.ts';

export interface ErrorSource {
  /** The control software or NHI's Web API may answer with a return code. */
  readonly vendor: boolean;
  /** Which table that return code is looked up in (src/errors/catalogue.ts `source`), when `vendor`. */
  readonly vendorTable: 'CONTROL_SOFTWARE' | 'WEB_API' | null;
  /** Codes the gateway itself raises on this path (catalogue codes without a vendor number). */
  readonly codes: readonly string[];
}

/** Codes of the control-software table that the PC/SC backend reports without a vendor number (it has none). */
const PCSC_TABLE_CODES = ['HEALTH_CARD_NOT_INSERTED', 'HEALTH_CARD_IO_ERROR'] as const;

const gateway = (...codes: GatewayCodeName[]): readonly string[] => codes;

export const SOURCES = {
  /** Any CardStack call: the control software (cshis, simulator) or a PC/SC card (pcsc). */
  CARD_STACK: {
    vendor: true,
    vendorTable: 'CONTROL_SOFTWARE',
    // READER_NOT_FOUND is not here: no path raises it (src/errors/listed-because.ts says why it is listed).
    codes: [
      ...gateway(
        'CALL_TIMEOUT',
        'CONTROL_SOFTWARE_UNAVAILABLE',
        'CONTROL_SOFTWARE_TOO_OLD',
        'MISSING_EXPORT',
        'CARD_REMOVED',
        'NOT_AN_NHI_CARD',
        'CARD_IN_USE',
        'ACTION_PENDING',
        'NOT_SUPPORTED_BY_BACKEND',
        'PCSC_UNAVAILABLE',
      ),
      ...PCSC_TABLE_CODES,
    ],
  },
  /** NHI's treatment-ID Web API and the SAM signer behind it. */
  WEB_API: {
    vendor: true,
    vendorTable: 'WEB_API',
    // TREATMENT_ID_PENDING is not here: a pending ID is a flag on the Visit, never an error (listed-because.ts).
    codes: gateway(
      'WEB_API_NOT_CONFIGURED',
      'WEB_API_UNREACHABLE',
      'WEB_API_TLS_UNTRUSTED',
      'WEB_API_TIMEOUT',
      'WEB_API_CONNECTION_LOST',
      'WEB_API_BAD_RESPONSE',
      'WEB_API_CA_FILE_INVALID',
      'WEB_API_REQUEST_INVALID',
      'SIGNER_UNAVAILABLE',
      'SIGNER_FAILED',
    ),
  },
  /** The card-write journal behind idempotency keys (src/domain/idempotent-writes.ts). */
  JOURNAL: {
    vendor: false,
    vendorTable: null,
    codes: gateway('IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_INPUT', 'IDEMPOTENCY_KEY_SPENT', 'OUTCOME_UNKNOWN', 'JOURNAL_UNAVAILABLE'),
  },
  /** The card-session guard in front of every card write (schema/card-session-guard.ts). */
  CARD_SESSION: { vendor: false, vendorTable: null, codes: gateway('CARD_CHANGED') },
  /** Simulator controls on another backend. */
  SIMULATOR: { vendor: false, vendorTable: null, codes: gateway('SIMULATOR_ONLY') },
  /** csdll.ini through the control-software port. */
  CSDLL_INI: {
    vendor: false,
    vendorTable: null,
    codes: gateway('CSDLL_INI_NOT_FOUND', 'CSDLL_INI_READ_ONLY', 'CSDLL_INI_IO_FAILED', 'CSDLL_INI_NOT_CONFIGURED'),
  },
} as const satisfies Record<string, ErrorSource>;

export type SourceName = keyof typeof SOURCES;

export interface FieldErrors {
  /** Schema coordinate, e.g. `Mutation.startVisit`. */
  readonly field: string;
  /** The result union's name. */
  readonly union: string;
  readonly sources: readonly SourceName[];
}

const CARD = ['CARD_STACK'] as const;
const CARD_WRITE = ['CARD_STACK', 'JOURNAL', 'CARD_SESSION'] as const;

/** Every field with a result union. */
export const FIELD_ERRORS = {
  // queries
  'Gateway.controlSoftware': { union: 'ControlSoftwareResult', sources: CARD },
  'Reader.light': { union: 'ReaderLightResult', sources: CARD },
  'Query.lightState': { union: 'LightStateResult', sources: CARD },
  'HealthCard.state': { union: 'HealthCardStateResult', sources: CARD },
  'HealthCard.basicData': { union: 'BasicDataResult', sources: CARD },
  'HealthCard.registerData': { union: 'RegisterDataResult', sources: CARD },
  'HealthCard.validity': { union: 'CardValidityResult', sources: CARD },
  'HealthCard.lastSeqNumber': { union: 'LastSeqNumberResult', sources: CARD },
  'ProfessionalCard.identity': { union: 'ProfessionalCardIdentityResult', sources: CARD },
  'Query.professionalCard': { union: 'ProfessionalCardResult', sources: CARD },
  'Query.sam': { union: 'SamResult', sources: CARD },
  'Query.csdllIni': { union: 'CsdllIniResult', sources: ['CSDLL_INI'] },
  // card records (issue 14): docs/reference/card-functions.md
  'HealthCard.prescriptions': { union: 'PrescriptionsResult', sources: CARD },
  'HealthCard.prescriptionRange': { union: 'PrescriptionRangeResult', sources: CARD },
  'HealthCard.allergies': { union: 'AllergiesResult', sources: CARD },
  'HealthCard.visits': { union: 'VisitHistoryResult', sources: CARD },
  'HealthCard.visitDiagnoses': { union: 'VisitDiagnosesResult', sources: CARD },
  'HealthCard.criticalIllness': { union: 'CriticalIllnessResult', sources: CARD },
  'HealthCard.cumulativeData': { union: 'CumulativeDataResult', sources: CARD },
  'HealthCard.cumulativeFees': { union: 'CumulativeFeesResult', sources: CARD },
  'HealthCard.vaccinations': { union: 'VaccinationsResult', sources: CARD },
  'HealthCard.organDonation': { union: 'OrganDonationResult', sources: CARD },
  'HealthCard.emergencyPhone': { union: 'EmergencyPhoneResult', sources: CARD },
  'HealthCard.preventiveCare': { union: 'PreventiveCareResult', sources: CARD },
  'HealthCard.prenatalRecords': { union: 'PrenatalRecordsResult', sources: CARD },
  'HealthCard.pin': { union: 'HealthCardPinResult', sources: CARD },
  'Query.cardVisits': { union: 'CardVisitsResult', sources: CARD },
  'Query.readerClock': { union: 'ReaderClockResult', sources: CARD },
  'Icd10Codec.encode': { union: 'Icd10EncodeResult', sources: CARD },
  'Icd10Codec.decode': { union: 'Icd10DecodeResult', sources: CARD },
  // mutations
  'Mutation.startVisit': { union: 'StartVisitResult', sources: ['CARD_STACK', 'WEB_API', 'JOURNAL', 'CARD_SESSION'] },
  'Mutation.quickInsuranceCheck': { union: 'QuickInsuranceCheckResult', sources: CARD },
  'Mutation.treatmentIdForVisit': { union: 'TreatmentIdForVisitResult', sources: ['CARD_STACK', 'WEB_API'] },
  'Mutation.treatmentIdWithoutCard': { union: 'TreatmentIdWithoutCardResult', sources: ['CARD_STACK', 'WEB_API', 'JOURNAL'] },
  'Mutation.cancelVisit': { union: 'CancelVisitResult', sources: CARD_WRITE },
  'Mutation.writeTreatment': { union: 'WriteTreatmentResult', sources: CARD_WRITE },
  'Mutation.writePrescriptions': { union: 'WritePrescriptionsResult', sources: CARD_WRITE },
  'Mutation.writeAllergies': { union: 'WriteAllergiesResult', sources: CARD_WRITE },
  'Mutation.writeAllergy': { union: 'WriteAllergyResult', sources: CARD_WRITE },
  'Mutation.writeNewbornAttachment': { union: 'WriteNewbornAttachmentResult', sources: CARD_WRITE },
  'Mutation.writeOrganDonation': { union: 'WriteOrganDonationResult', sources: CARD_WRITE },
  'Mutation.writePreventiveCare': { union: 'WritePreventiveCareResult', sources: CARD_WRITE },
  'Mutation.writeEmergencyPhone': { union: 'WriteEmergencyPhoneResult', sources: CARD_WRITE },
  'Mutation.writePrenatalRecord': { union: 'WritePrenatalRecordResult', sources: CARD_WRITE },
  'Mutation.deletePrenatalRecords': { union: 'DeletePrenatalRecordsResult', sources: CARD_WRITE },
  'Mutation.writeVaccination': { union: 'WriteVaccinationResult', sources: CARD_WRITE },
  'Mutation.verifySam': { union: 'VerifySamResult', sources: CARD },
  'Mutation.verifyProfessionalCardPin': { union: 'VerifyProfessionalCardPinResult', sources: CARD },
  'Mutation.resetControlSoftware': { union: 'ResetControlSoftwareResult', sources: CARD },
  'Mutation.checkCardWrite': { union: 'CheckCardWriteResult', sources: CARD_WRITE },
  'Mutation.confirmCardWrite': { union: 'ConfirmCardWriteResult', sources: ['JOURNAL'] },
  'Mutation.updateCsdllIni': { union: 'UpdateCsdllIniResult', sources: ['CSDLL_INI'] },
  'Mutation.simulatorInsertHealthCard': { union: 'SimulatorInsertHealthCardResult', sources: ['SIMULATOR'] },
  'Mutation.simulatorRemoveHealthCard': { union: 'SimulatorRemoveHealthCardResult', sources: ['SIMULATOR'] },
  'Mutation.simulatorInsertProfessionalCard': { union: 'SimulatorInsertProfessionalCardResult', sources: ['SIMULATOR'] },
  'Mutation.simulatorRemoveProfessionalCard': { union: 'SimulatorRemoveProfessionalCardResult', sources: ['SIMULATOR'] },
  'Mutation.simulatorForceReturnCode': { union: 'SimulatorForceReturnCodeResult', sources: ['SIMULATOR'] },
  'Mutation.simulatorForceGatewayCode': { union: 'SimulatorForceGatewayCodeResult', sources: ['SIMULATOR'] },
  'Mutation.simulatorReset': { union: 'SimulatorResetResult', sources: ['SIMULATOR'] },
} as const satisfies Record<string, Omit<FieldErrors, 'field'>>;

export type FieldCoordinate = keyof typeof FIELD_ERRORS;

/** The declaration of a field, resolved to whether it can report a vendor code and which gateway codes. */
export function fieldErrors(field: FieldCoordinate): FieldErrors & { readonly vendor: boolean; readonly codes: ReadonlySet<string> } {
  const decl = FIELD_ERRORS[field];
  const sources = decl.sources.map((s) => SOURCES[s] as ErrorSource);
  return {
    field,
    union: decl.union,
    sources: decl.sources,
    vendor: sources.some((s) => s.vendor),
    codes: new Set(sources.flatMap((s) => s.codes)),
  };
}

/**
 * Control-software codes that belong to particular functions (docs/reference/return-codes.md), with the fields
 * that call those functions: the error table names them (build/error-table.ts), and
 * test/unit/errors/error-table-honesty.test.ts checks every field named here reaches the control software.
 * Any other control-software code can come back from any field that calls the control software.
 */
export const CONTROL_SOFTWARE_CODES_BY_FIELD: Readonly<Record<string, readonly FieldCoordinate[]>> = {
  OUTPATIENT_PRESCRIPTIONS_READ_FAILED: ['HealthCard.prescriptions', 'HealthCard.prescriptionRange'],
  LONG_TERM_PRESCRIPTIONS_READ_FAILED: ['HealthCard.prescriptions', 'HealthCard.prescriptionRange'],
  IMPORTANT_ORDERS_READ_FAILED: ['HealthCard.prescriptions', 'HealthCard.prescriptionRange'],
  ALLERGIES_READ_FAILED: ['HealthCard.prescriptions', 'HealthCard.allergies'],
  PRESCRIPTION_WRITE_FAILED: ['Mutation.writePrescriptions'],
  NEWBORN_FLAG_WRITE_FAILED: ['Mutation.writeNewbornAttachment'],
  NEWBORN_BIRTH_ORDER_MISSING: ['Mutation.writeNewbornAttachment'],
  ALLERGY_WRITE_FAILED: ['Mutation.writeAllergies', 'Mutation.writeAllergy'],
  ORGAN_DONATION_WRITE_FAILED: ['Mutation.writeOrganDonation'],
  ORGAN_DONATION_ENTRY_ABANDONED: ['Mutation.writeOrganDonation'],
  FEE_RECORD_WRITE_FAILED: ['Mutation.writeTreatment'],
  VISIT_RECORD_WRITE_FAILED: ['Mutation.writeTreatment'],
  CARD_HOLDER_MISMATCH: ['Mutation.writeTreatment', 'Mutation.writePrescriptions', 'Mutation.writeAllergies', 'Mutation.writeAllergy'],
};
