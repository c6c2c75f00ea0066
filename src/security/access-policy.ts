/**
 * Which fields need what, declared in one table (no Pothos in here), and the walk that finds every field an
 * operation reaches, through aliases, inline fragments and named fragment spreads alike.
 *
 * Levels:
 * - `public`: anyone who got past the origin check (lights, readers, the gateway's version, the SAM's
 *   hospital code — the clinic's own, public identifiers; no patient data).
 * - `identity`: reads ID numbers, names, birth dates: a credential (the token, or a pairing token from the
 *   origin it was issued to). An allowed Origin alone is not one: any local program can send that header.
 * - `token`: writes a card, consumes a visit, talks to NHI in the clinic's name, changes configuration or
 *   state, or enters a PIN flow: a credential as above (a page gets one only by pairing, which the user
 *   confirms with a code shown by the gateway).
 *
 * A root field missing from the table needs the token (fail closed), and test/api/security/classification
 * fails until it is classified. Nested fields default to their parent's gate: identity data is reachable
 * only through the `identity` coordinates below (a test walks the schema to prove it).
 */
import {
  Kind,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export type AccessLevel = 'public' | 'identity' | 'token';

export interface AccessRule {
  readonly level: AccessLevel;
  /** Why, for reviewers and docs/security.md. */
  readonly why: string;
}

const token = (why: string): AccessRule => ({ level: 'token', why });
const identity = (why: string): AccessRule => ({ level: 'identity', why });
const open = (why: string): AccessRule => ({ level: 'public', why });

const SIMULATOR =
  'simulator only: changes the embedded fake workstation (never a real card; on the cshis backend it answers SIMULATOR_ONLY without a call); cross-site pages are still refused by the origin and CSRF checks';

/** Keyed by schema coordinate `Type.field`. */
export const FIELD_ACCESS: Readonly<Record<string, AccessRule>> = {
  // ---- queries ----
  'Query.gateway': open('version, backend, readiness: what a status widget shows'),
  'Query.readers': open('reader names and slots'),
  'Query.lightState': open('the two console lights'),
  'Query.sam': open('the SAM and hospital code are the clinic’s identifiers, not a patient’s'),
  'Query.professionalCard': open('status and PIN state only; the identity below is gated'),
  'ProfessionalCard.identity': identity('the professional’s ID number and name'),
  'Query.healthCard': identity('the patient’s card: ID number, name, birth date, visits'),
  // Under the gate above already; listed so the audit log names each card read and its outcome.
  'HealthCard.basicData': identity('ID number, name, birth date (API 1.1)'),
  'HealthCard.registerData': identity('ID number, name, birth date, insurance (API 1.2)'),
  'HealthCard.validity': identity('the patient’s remaining visits (API 1.38)'),
  'HealthCard.lastSeqNumber': identity('the patient’s last visit number (API 1.14)'),
  'HealthCard.state': identity('whether a patient’s card is in'),
  'HealthCard.cardSession': identity('which card is in (opaque, but it tells one patient from the next)'),
  // Card records (issue 14): all under `healthCard`, each named so the audit log records the read and its outcome.
  'HealthCard.prescriptions': identity('the patient’s prescriptions, long-term drugs, important orders and allergies (API 1.10)'),
  'HealthCard.prescriptionRange': identity('part of the patient’s prescription areas (APIs 1.41–1.44)'),
  'HealthCard.allergies': identity('the patient’s drug allergies (API 1.44)'),
  'HealthCard.visits': identity('the patient’s last six visits and fees (API 1.5)'),
  'HealthCard.visitDiagnoses': identity('the patient’s diagnoses (API 1.8)'),
  'HealthCard.criticalIllness': identity('the patient’s critical illnesses (APIs 1.33 / 1.50)'),
  'HealthCard.cumulativeData': identity('the patient’s yearly visits and fees (API 1.6)'),
  'HealthCard.cumulativeFees': identity('the patient’s accumulated fees (API 1.7)'),
  'HealthCard.vaccinations': identity('the patient’s vaccinations (API 1.11)'),
  'HealthCard.organDonation': identity('the patient’s organ-donation / hospice flag (API 1.12)'),
  'HealthCard.emergencyPhone': identity('the patient’s emergency contact phone (API 1.13)'),
  'HealthCard.preventiveCare': identity('the patient’s preventive-care records (API 1.3)'),
  'HealthCard.prenatalRecords': identity('the patient’s prenatal checks (API 1.4)'),
  'HealthCard.pin': identity('whether the patient set a card PIN (API 1.36)'),
  'Query.cardVisits': identity('the visits on the patient’s card joined with the journal: times, treatment IDs'),
  'Query.readerClock': open('the reader’s clock (API 1.34): no patient data'),
  'Query.icd10': open('the control software’s ICD-10 code mapping (APIs 5.1 / 5.2): no patient data'),
  'Query.simulatedCards': open('fixed descriptions of the simulator’s test cards'),
  'Query.unresolvedCardWrites': open('operation names, times and client-chosen keys; no patient data'),
  'Query.operation': open('progress of a long operation by its random id; counters and receipts, no patient data'),
  'Query.csdllIni': open('the control software’s csdll.ini as read (COM port, timeouts): workstation settings, no patient data'),
  // ---- subscriptions ----
  'Subscription.lightStateChanged': open('the two console lights'),
  'Subscription.readerEvents': open('card inserted/removed events, no card data'),
  // The same opaque id readerEvents already gives anyone who subscribes; the identity-level
  // HealthCard.cardSession stays as it is (it sits next to the patient's data).
  'Reader.cardSession': open('a random id per insertion, as in readerEvents; no card data'),
  'Subscription.operationProgress': open('progress of a long operation by its random id'),
  // ---- mutations: card writes and visits ----
  'Mutation.startVisit': token('consumes a visit and writes the card'),
  'Mutation.writeTreatment': token('writes diagnoses and fees to the card'),
  'Mutation.cancelVisit': token('writes a cancellation to the card'),
  'Mutation.treatmentIdWithoutCard': token('asks NHI for a treatment ID for an ID number, in the clinic’s name'),
  'Mutation.treatmentIdForVisit': token(
    'writes nothing, but presents the patient’s card to NHI’s IDC in the clinic’s name and returns a claim identifier; every legitimate caller already holds the token from startVisit',
  ),
  'Mutation.quickInsuranceCheck': token('presents the patient’s card to NHI’s IDC in the clinic’s name'),
  'Mutation.updateHealthCard': token('rewrites the card’s contents from NHI (API 1.30)'),
  'Mutation.uploadData': token('makes the control software read a local file and send it to NHI'),
  'Mutation.checkCardWrite': token('settles the card-write journal'),
  'Mutation.writePrescriptions': token('writes prescription records to the card (APIs 1.18 / 1.45 / 1.48 / 1.49)'),
  'Mutation.writeAllergies': token('writes the allergy slots (API 1.20)'),
  'Mutation.writeAllergy': token('writes an allergy slot (API 1.46)'),
  'Mutation.writeNewbornAttachment': token('attaches a newborn to the card (API 1.19)'),
  'Mutation.writeOrganDonation': token('writes the organ-donation flag (API 1.21)'),
  'Mutation.writePreventiveCare': token('writes a preventive-care record (API 1.22)'),
  'Mutation.writeEmergencyPhone': token('writes the emergency phone (API 1.23)'),
  'Mutation.writePrenatalRecord': token('writes a prenatal check (API 1.24)'),
  'Mutation.deletePrenatalRecords': token('clears the prenatal records (API 1.25)'),
  'Mutation.writeVaccination': token('writes a vaccination record (API 1.26)'),
  'Mutation.updateHealthCardWithoutReset': token('rewrites the card’s contents from NHI (API 1.40)'),
  'Mutation.confirmCardWrite': token('settles the card-write journal on the operator’s word'),
  // ---- mutations: configuration, SAM and PIN ----
  'Mutation.verifySam': token('authenticates the SAM with NHI’s IDC'),
  'Mutation.resetControlSoftware': token('resets reader/SAM/card sessions (disrupts a visit in progress)'),
  'Mutation.updateCsdllIni': token('changes the control software’s configuration'),
  'Mutation.verifyProfessionalCardPin': token('PIN flow: one at a time, never retried'),
  // ---- pairings of HIS pages (src/security/pairings.ts): the access token itself, see OWNER_ONLY_FIELDS ----
  'Query.pairings': token('which web origins hold a pairing token: the owner’s to see'),
  'Mutation.revokePairing': token('removes a page’s credential'),
  'Mutation.verifyHealthCardPin': token('PIN flow (API 1.27): one at a time, never retried'),
  'Mutation.setHealthCardPin': token('PIN flow (API 1.28): changes the card’s PIN'),
  'Mutation.disableHealthCardPin': token('PIN flow (API 1.29): turns the card’s PIN off'),
  'Mutation.changeProfessionalCardPin': token('PIN flow (API 4.3): changes the professional card’s PIN'),
  'Mutation.unlockProfessionalCard': token('PIN flow (API 4.4): unlocks the professional card'),
  // ---- mutations: the embedded simulator ----
  'Mutation.simulatorInsertHealthCard': open(SIMULATOR),
  'Mutation.simulatorRemoveHealthCard': open(SIMULATOR),
  'Mutation.simulatorInsertProfessionalCard': open(SIMULATOR),
  'Mutation.simulatorRemoveProfessionalCard': open(SIMULATOR),
  'Mutation.simulatorForceReturnCode': open(SIMULATOR),
  'Mutation.simulatorForceGatewayCode': open(SIMULATOR),
  'Mutation.simulatorReset': open(SIMULATOR),
};

/** Fields a pairing token never reaches: a paired page must not see or revoke other pages' pairings. */
export const OWNER_ONLY_FIELDS: ReadonlySet<string> = new Set(['Query.pairings', 'Mutation.revokePairing']);

const UNCLASSIFIED_ROOT: AccessRule = token('not classified yet: the token until someone decides (fail closed)');

/** The rule for a coordinate; `isRoot` makes a missing entry fail closed. `undefined` = inherits (nested, unlisted). */
export function accessRule(coordinate: string, isRoot: boolean): AccessRule | undefined {
  return FIELD_ACCESS[coordinate] ?? (isRoot ? UNCLASSIFIED_ROOT : undefined);
}

const RANK: Record<AccessLevel, number> = { public: 0, identity: 1, token: 2 };
export const strongest = (a: AccessLevel, b: AccessLevel): AccessLevel => (RANK[a] >= RANK[b] ? a : b);

/** One field occurrence in an operation. */
export interface FieldUse {
  /** `Type.field`, e.g. `HealthCard.basicData`. */
  readonly coordinate: string;
  readonly isRoot: boolean;
}

export interface OperationAccess {
  readonly operationType: 'query' | 'mutation' | 'subscription';
  readonly operationName: string | null;
  /** The strongest level any reached field needs. */
  readonly level: AccessLevel;
  /** Every gated coordinate reached (identity or token), once each, in document order. */
  readonly gated: readonly string[];
  /** How many times identity data is entered (each alias of `healthCard` counts): the rate limiter's cost. */
  readonly identityUses: number;
}

/**
 * Walks the operation that will run (`operationName`, or the only one) and classifies it. Fragment spreads
 * are followed (each named fragment at most once per path), so a field cannot hide behind a fragment or an
 * alias. Returns `undefined` when the document has no such operation (execution will fail on its own).
 */
export function classifyOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
): OperationAccess | undefined {
  // Yoga reuses one DocumentNode per query text from its parse cache, and documents are never mutated after
  // parsing, so the walk's result is a pure function of (schema, document, operationName): cache it.
  let bySchema = classified.get(schema);
  if (!bySchema) {
    bySchema = new WeakMap();
    classified.set(schema, bySchema);
  }
  let byName = bySchema.get(document);
  if (!byName) {
    byName = new Map();
    bySchema.set(document, byName);
  }
  // `null`/`undefined`/'' all mean "the only operation" below, so they share a key; names are never empty.
  const key = operationName || '';
  if (byName.has(key)) return byName.get(key);
  const access = classifyUncached(schema, document, operationName);
  byName.set(key, access);
  return access;
}

/** Results of {@link classifyOperation}; frozen, since every caller of a cached document shares them. */
const classified = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, OperationAccess | undefined>>>();

function classifyUncached(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
): OperationAccess | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) return undefined;
  const root =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (!root) return undefined;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);

  let level: AccessLevel = 'public';
  const gated: string[] = [];
  let identityUses = 0;

  const walk = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, isRoot: boolean, inherited: AccessLevel, seen: ReadonlySet<string>): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        walk(selection.selectionSet, isCompositeType(condition) ? condition : parent, isRoot, inherited, seen);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || seen.has(name)) continue;
        const condition = schema.getType(fragment.typeCondition.name.value);
        walk(fragment.selectionSet, isCompositeType(condition) ? condition : parent, isRoot, inherited, new Set([...seen, name]));
        continue;
      }
      const fieldName = selection.name.value;
      if (fieldName.startsWith('__')) continue; // __typename, __schema, __type: introspection is public
      const coordinate = `${parent.name}.${fieldName}`;
      const rule = accessRule(coordinate, isRoot);
      const fieldLevel = rule ? strongest(rule.level, inherited) : inherited;
      if (rule && rule.level !== 'public' && !gated.includes(coordinate)) gated.push(coordinate);
      // Each entry into identity data costs one (nested identity fields under it do not count again).
      if (rule?.level === 'identity' && inherited !== 'identity' && inherited !== 'token') identityUses++;
      level = strongest(level, fieldLevel);
      if (!selection.selectionSet) continue;
      const fieldDef = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[fieldName] : undefined;
      const next = fieldDef ? getNamedType(fieldDef.type) : undefined;
      // An unknown field cannot pass validation; stay conservative and keep walking with the parent.
      walk(selection.selectionSet, next && isCompositeType(next) ? next : parent, false, fieldLevel, seen);
    }
  };
  walk(operation.selectionSet, root, true, 'public', new Set());
  return Object.freeze({
    operationType: operation.operation,
    operationName: operation.name?.value ?? null,
    level,
    gated: Object.freeze(gated),
    identityUses,
  });
}
