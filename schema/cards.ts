/**
 * The gateway, readers, health card, professional card, SAM and lights.
 */
import { API_VERSION, builder } from './builder.ts';
import { caught, resultUnion } from './errors.ts';
import { DateScalar, DateTimeScalar, RocDateScalar, RocDateTimeScalar } from './scalars.ts';
import type {
  BasicData,
  CardValidity,
  DecodedText,
  HealthCardStatus,
  LastSeqNumber,
  ProfessionalCardIdentity,
  RegisterData,
} from '../src/domain/types.ts';
import type { CardLight, LightState, ProfessionalCardInfo, SamInfo } from '../src/ports/card-stack.ts';
import type { ReaderDescription, ReaderEvent } from '../src/domain/light-monitor.ts';

// ---- shared ----

export const DecodedTextRef = builder.objectRef<DecodedText>('DecodedText').implement({
  description:
    'Big5/CP950 text from a card. Rare characters (造字) come back as Private Use Area code points, never as a failure; ' +
    'rawHex keeps the original bytes for HIS systems that render them with NHI’s font.',
  fields: (t) => ({
    text: t.exposeString('text'),
    rawHex: t.exposeString('rawHex', { description: 'The field’s bytes, uppercase hex, padding trimmed.' }),
    hasRareCharacters: t.exposeBoolean('hasRareCharacters'),
  }),
});

export const SexEnum = builder.enumType('Sex', { values: { MALE: { value: 'M' }, FEMALE: { value: 'F' } } as const });

// ---- gateway ----

interface GatewayShape {
  readonly version: string;
  readonly backend: string;
}

export const BackendEnum = builder.enumType('Backend', {
  description: 'What the gateway talks to (--backend).',
  values: {
    SIMULATOR: { value: 'simulator', description: 'The embedded simulator: test cards, no hardware.' },
    CSHIS: { value: 'cshis', description: 'NHI’s control software (CSHIS.dll).' },
    PCSC: { value: 'pcsc', description: 'PC/SC card readers directly (reads only).' },
    CS6: { value: 'cs6', description: 'NHI’s control software 6.0 (REST service).' },
  } as const,
});

type BackendName = 'simulator' | 'cshis' | 'pcsc' | 'cs6';

const ControlSoftwareRef = builder
  .objectRef<{ backend: string; version: number | null; libraryPath: string }>('ControlSoftware')
  .implement({
    fields: (t) => ({
      backend: t.field({ type: BackendEnum, resolve: (cs) => cs.backend as BackendName }),
      versionCode: t.exposeInt('version', {
        nullable: true,
        description: 'csGetVersionEx (API 1.51, docs/reference/functions.md) code, e.g. 5158 for 5.1.5.8.',
      }),
      version: t.string({
        nullable: true,
        description: 'The version code spelled out, e.g. "5.1.5.8".',
        resolve: (cs) => (cs.version === null ? null : String(cs.version).split('').join('.')),
      }),
      libraryPath: t.exposeString('libraryPath'),
    }),
  });

const GatewayRef = builder.objectRef<GatewayShape>('Gateway').implement({
  description: 'The gateway itself: what it runs on and whether it is ready.',
  fields: (t) => ({
    version: t.exposeString('version', { description: 'The gateway’s own version (package version).' }),
    apiVersion: t.string({
      description: 'The API version this schema implements (major.minor; docs/api-conventions.md). Breaking changes only in a new major.',
      resolve: () => API_VERSION,
    }),
    backend: t.field({ type: BackendEnum, resolve: (g) => g.backend as BackendName }),
    controlSoftware: t.field({
      type: resultUnion('Gateway.controlSoftware', ControlSoftwareRef),
      resolve: (_g, _a, ctx) => caught('Gateway.controlSoftware', () => ctx.cards.describe()),
    }),
    ready: t.boolean({ resolve: async (_g, _a, ctx) => (await ctx.status.readiness()).ready }),
    readinessReasons: t.stringList({
      description: 'Why the gateway is not ready (empty when it is).',
      resolve: async (_g, _a, ctx) => [...(await ctx.status.readiness()).reasons],
    }),
  }),
});

builder.queryField('gateway', (t) =>
  t.field({ type: GatewayRef, resolve: (_r, _a, ctx) => ({ version: ctx.status.version, backend: ctx.status.backend }) }),
);

// ---- lights and readers ----

export const LightColourEnum = builder.enumType('LightColour', {
  description: 'The console’s colours: 0 white, 1 brown, 2 green (health card) / orange (professional card), 3 light purple.',
  values: ['WHITE', 'BROWN', 'GREEN', 'ORANGE', 'PURPLE'] as const,
});

const CardLightRef = builder.objectRef<CardLight>('CardLight').implement({
  fields: (t) => ({
    level: t.exposeInt('level', {
      description: '0 no card, 1 inserted, 2 authenticated with the SAM, 3 professional-card PIN verified (medical mode).',
    }),
    colour: t.field({ type: LightColourEnum, resolve: (l) => l.colour }),
  }),
});

export const LightStateRef = builder.objectRef<LightState>('LightState').implement({
  description: 'The two lights of NHI’s console (CSWATCH): health card and professional card.',
  fields: (t) => ({
    healthCard: t.field({ type: CardLightRef, resolve: (s) => s.healthCard }),
    professionalCard: t.field({ type: CardLightRef, resolve: (s) => s.professionalCard }),
  }),
});

const CardSlotEnum = builder.enumType('CardSlot', { values: ['HEALTH_CARD', 'PROFESSIONAL_CARD'] as const });

const CardKindEnum = builder.enumType('CardKind', {
  description: 'What a card in a PC/SC reader is: an NHI health card (it answers the NHI application SELECT with 90 00, docs/reference/pcsc.md) or another card.',
  values: ['NHI_CARD', 'OTHER'] as const,
});

const ReaderRef = builder.objectRef<ReaderDescription>('Reader').implement({
  description:
    'A card reader. With the pcsc backend: each PC/SC reader, by its system name. With the control software or the ' +
    'simulator: the two logical readers behind the console’s lights.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    slot: t.field({ type: CardSlotEnum, resolve: (r) => r.slot }),
    cardPresent: t.boolean({
      nullable: true,
      description: 'PC/SC readers: whether a card is in. Null when the backend cannot tell (control software).',
      resolve: (r) => r.cardPresent ?? null,
    }),
    atr: t.string({
      nullable: true,
      description: 'PC/SC readers: the card’s ATR in uppercase hex; null without a card or backend support.',
      resolve: (r) => r.atr ?? null,
    }),
    cardKind: t.field({ type: CardKindEnum, nullable: true, resolve: (r) => r.cardKind ?? null }),
    cardSession: t.id({
      nullable: true,
      description:
        'The session of the card in this reader now: the opaque id readerEvents gives at its CARD_INSERTED, so a page opened after the card went in can name it too. PC/SC: each reader’s own card; the control software’s logical readers: the card of their slot. A new random id at every insertion, not an identity; null without a card.',
      resolve: (r, _a, ctx) => ctx.monitor.readerCardSession(r),
    }),
    light: t.field({
      type: resultUnion('Reader.light', CardLightRef),
      resolve: (r, _a, ctx) => caught('Reader.light', () => ctx.monitor.readerLight(r)),
    }),
  }),
});

builder.queryField('readers', (t) => t.field({ type: [ReaderRef], resolve: (_r, _a, ctx) => [...ctx.monitor.readers] }));

builder.queryField('lightState', (t) =>
  t.field({
    type: resultUnion('Query.lightState', LightStateRef),
    resolve: (_r, _a, ctx) => caught('Query.lightState', () => ctx.monitor.current()),
  }),
);

const ReaderEventKindEnum = builder.enumType('ReaderEventKind', {
  values: ['READER_ATTACHED', 'READER_DETACHED', 'CARD_INSERTED', 'CARD_REMOVED', 'CARD_AUTHENTICATED'] as const,
});

const ReaderEventRef = builder.objectRef<ReaderEvent>('ReaderEvent').implement({
  fields: (t) => ({
    kind: t.field({ type: ReaderEventKindEnum, resolve: (e) => e.kind }),
    readerId: t.exposeID('readerId'),
    readerName: t.exposeString('readerName'),
    slot: t.field({ type: CardSlotEnum, resolve: (e) => e.slot }),
    level: t.exposeInt('level', { description: 'The light level after the event.' }),
    at: t.field({ type: DateTimeScalar, description: 'When the gateway saw the change.', resolve: (e) => e.at }),
    atRoc: t.field({ type: RocDateTimeScalar, description: 'at, in the ROC form.', resolve: (e) => e.at }),
    atr: t.string({
      nullable: true,
      description: 'PC/SC card events: the ATR (uppercase hex) of the card inserted or removed; null otherwise.',
      resolve: (e) => e.atr,
    }),
    cardKind: t.field({
      type: CardKindEnum,
      nullable: true,
      description: 'PC/SC card events: NHI card or other; null when the backend cannot tell (control software).',
      resolve: (e) => e.cardKind,
    }),
    cardSession: t.id({
      nullable: true,
      description:
        'The card session this event is about: the new card’s for CARD_INSERTED, the departed card’s for CARD_REMOVED (a swap is both, in that order); null for reader events. Clear the patient on screen on CARD_REMOVED.',
      resolve: (e) => e.cardSession,
    }),
  }),
});

builder.subscriptionField('lightStateChanged', (t) =>
  t.field({
    type: LightStateRef,
    description: 'The current lights first, then every change.',
    subscribe: (_r, _a, ctx) => ctx.monitor.lightStates(ctx.streamCursor),
    resolve: (state) => state,
  }),
);

builder.subscriptionField('readerEvents', (t) =>
  t.field({
    type: ReaderEventRef,
    description: 'Readers attached/detached and cards inserted, removed or authenticated, as they happen.',
    subscribe: (_r, _a, ctx) => ctx.monitor.readerEvents(ctx.streamCursor),
    resolve: (event) => event,
  }),
);

// ---- health card ----

const HealthCardStatusEnum = builder.enumType('HealthCardStatus', {
  description: 'hisGetCardStatus(2) (docs/reference/buffers.md).',
  values: [
    'NOT_INSERTED',
    'NOT_SAM_AUTHENTICATED',
    'SAM_AUTHENTICATED',
    'HPC_AUTHENTICATED',
    'PIN_VERIFIED',
    'IDC_AUTHENTICATED',
    'NOT_A_HEALTH_CARD',
    'READER_TIMEOUT',
    'UNKNOWN',
  ] as const,
});

const CardholderRef = builder.interfaceRef<BasicData | RegisterData>('Cardholder').implement({
  description: 'The cardholder fields shared by APIs 1.1 and 1.2 (docs/reference/buffers.md).',
  fields: (t) => ({
    cardNumber: t.exposeString('cardNumber'),
    name: t.field({ type: DecodedTextRef, resolve: (d) => d.name }),
    idNumber: t.exposeString('idNumber'),
    birthDate: t.field({ type: DateScalar, nullable: true, description: 'Null when unreadable on the card.', resolve: (d) => d.birthDate }),
    birthDateRoc: t.field({ type: RocDateScalar, nullable: true, resolve: (d) => d.birthDate }),
    sex: t.field({ type: SexEnum, nullable: true, resolve: (d) => d.sex }),
    issueDate: t.field({ type: DateScalar, nullable: true, description: 'Null when unreadable on the card.', resolve: (d) => d.issueDate }),
    issueDateRoc: t.field({ type: RocDateScalar, nullable: true, resolve: (d) => d.issueDate }),
    cancelled: t.exposeBoolean('cancelled', { description: '卡片註銷註記.' }),
  }),
});

const BasicDataRef = builder.objectRef<BasicData>('BasicData').implement({
  description: 'API 1.1 hisGetBasicData (docs/reference/buffers.md). No PIN needed.',
  interfaces: [CardholderRef],
  isTypeOf: (d) => typeof d === 'object' && d !== null && 'emergencyPhone' in d,
  fields: (t) => ({
    emergencyPhone: t.exposeString('emergencyPhone', { nullable: true }),
  }),
});

const RegisterDataRef = builder.objectRef<RegisterData>('RegisterData').implement({
  description: 'API 1.2 hisGetRegisterBasic (docs/reference/buffers.md). No PIN since control software 5.1.5.7.',
  interfaces: [CardholderRef],
  isTypeOf: (d) => typeof d === 'object' && d !== null && 'insurerCode' in d,
  fields: (t) => ({
    insurerCode: t.exposeString('insurerCode'),
    beneficiaryCategory: t.exposeString('beneficiaryCategory', { nullable: true, description: '保險對象身分註記.' }),
    cardValidUntil: t.field({ type: DateScalar, nullable: true, resolve: (d) => d.cardValidUntil }),
    cardValidUntilRoc: t.field({ type: RocDateScalar, nullable: true, resolve: (d) => d.cardValidUntil }),
    remainingVisits: t.exposeInt('remainingVisits', { nullable: true }),
    newbornBirthDate: t.field({
      type: DateScalar,
      nullable: true,
      description: '新生兒依附註記: the attached newborn’s birth date.',
      resolve: (d) => d.newbornBirthDate,
    }),
    newbornBirthDateRoc: t.field({ type: RocDateScalar, nullable: true, resolve: (d) => d.newbornBirthDate }),
    newbornBirthOrder: t.exposeString('newbornBirthOrder', { nullable: true, description: '新生兒胞胎註記.' }),
  }),
});

const CardValidityRef = builder.objectRef<CardValidity>('CardValidity').implement({
  description: 'API 1.38 hisGetRegisterBasic2 (docs/reference/buffers.md): validity and remaining visits, no PIN check.',
  fields: (t) => ({
    cardValidUntil: t.field({ type: DateScalar, nullable: true, resolve: (d) => d.cardValidUntil }),
    cardValidUntilRoc: t.field({ type: RocDateScalar, nullable: true, resolve: (d) => d.cardValidUntil }),
    remainingVisits: t.exposeInt('remainingVisits', { nullable: true }),
  }),
});

const LastSeqNumberRef = builder.objectRef<LastSeqNumber>('LastSeqNumber').implement({
  description: 'API 1.14 hisGetLastSeqNum (docs/reference/buffers.md).',
  fields: (t) => ({
    seqNumber: t.exposeString('seqNumber'),
    raw: t.exposeString('raw'),
  }),
});

const HealthCardStateRef = builder.objectRef<{ status: HealthCardStatus }>('HealthCardState').implement({
  fields: (t) => ({
    status: t.field({ type: HealthCardStatusEnum, resolve: (s) => s.status }),
    inserted: t.boolean({
      resolve: (s) => !['NOT_INSERTED', 'NOT_A_HEALTH_CARD', 'READER_TIMEOUT', 'UNKNOWN'].includes(s.status),
    }),
  }),
});

export const HealthCardRef = builder.objectRef<object>('HealthCard').implement({
  description: 'The health card (健保卡) in the reader. Each field is one control-software call.',
  fields: (t) => ({
    cardSession: t.id({
      nullable: true,
      description:
        'The session of the card in the reader now (a new one at every insertion, a swap included); null without a card. Send it as expectedCardSession with a write so the write never reaches another patient’s card.',
      resolve: (_h, _a, ctx) => ctx.monitor.cardSession('HEALTH_CARD'),
    }),
    state: t.field({
      type: resultUnion('HealthCard.state', HealthCardStateRef),
      description: 'hisGetCardStatus(2): whether a health card is in and how far it is authenticated.',
      resolve: (_h, _a, ctx) => caught('HealthCard.state', async () => ({ status: await ctx.cards.healthCardStatus() })),
    }),
    basicData: t.field({
      type: resultUnion('HealthCard.basicData', BasicDataRef),
      resolve: (_h, _a, ctx) => caught('HealthCard.basicData', () => ctx.cards.basicData()),
    }),
    registerData: t.field({
      type: resultUnion('HealthCard.registerData', RegisterDataRef),
      resolve: (_h, _a, ctx) => caught('HealthCard.registerData', () => ctx.cards.registerData()),
    }),
    validity: t.field({
      type: resultUnion('HealthCard.validity', CardValidityRef),
      resolve: (_h, _a, ctx) => caught('HealthCard.validity', () => ctx.cards.cardValidity()),
    }),
    lastSeqNumber: t.field({
      type: resultUnion('HealthCard.lastSeqNumber', LastSeqNumberRef),
      resolve: (_h, _a, ctx) => caught('HealthCard.lastSeqNumber', () => ctx.cards.lastSeqNumber()),
    }),
  }),
});

builder.queryField('healthCard', (t) => t.field({ type: HealthCardRef, resolve: () => ({}) }));

// ---- professional card ----

const ProfessionalCardStatusEnum = builder.enumType('ProfessionalCardStatus', {
  description: 'hisGetCardStatus(3) (docs/reference/buffers.md).',
  values: [
    'NOT_INSERTED',
    'NOT_SAM_AUTHENTICATED',
    'SAM_AUTHENTICATED',
    'PIN_VERIFIED',
    'NOT_A_PROFESSIONAL_CARD',
    'READER_TIMEOUT',
    'UNKNOWN',
  ] as const,
});

const ProfessionalIdentityRef = builder.objectRef<ProfessionalCardIdentity>('ProfessionalCardIdentity').implement({
  description: 'APIs 4.5–4.8: serial, ID number, Chinese and English name.',
  fields: (t) => ({
    serialNumber: t.exposeString('serialNumber'),
    idNumber: t.exposeString('idNumber'),
    name: t.field({ type: DecodedTextRef, resolve: (p) => p.name }),
    englishName: t.exposeString('englishName'),
  }),
});

export const ProfessionalCardRef = builder.objectRef<ProfessionalCardInfo>('ProfessionalCard').implement({
  description: 'The professional card (醫事人員卡).',
  fields: (t) => ({
    status: t.field({ type: ProfessionalCardStatusEnum, resolve: (p) => p.status }),
    present: t.exposeBoolean('present'),
    pinVerified: t.exposeBoolean('pinVerified'),
    identity: t.field({
      type: resultUnion('ProfessionalCard.identity', ProfessionalIdentityRef),
      resolve: (_p, _a, ctx) => caught('ProfessionalCard.identity', () => ctx.cards.professionalIdentity()),
    }),
  }),
});

builder.queryField('professionalCard', (t) =>
  t.field({
    type: resultUnion('Query.professionalCard', ProfessionalCardRef),
    resolve: (_r, _a, ctx) => caught('Query.professionalCard', () => ctx.cards.professionalCard()),
  }),
);

// ---- SAM ----

const SamStatusEnum = builder.enumType('SamStatus', {
  description: 'hisGetCardStatus(1) (docs/reference/buffers.md).',
  values: ['NOT_INSERTED', 'NOT_AUTHENTICATED', 'AUTHENTICATED', 'NOT_A_SAM', 'READER_TIMEOUT', 'UNKNOWN'] as const,
});

export const SamRef = builder.objectRef<SamInfo>('Sam').implement({
  description: 'The (cloud) security module: hospital, SAM ID and authentication with NHI’s IDC.',
  fields: (t) => ({
    hospitalId: t.exposeString('hospitalId', { description: '醫事機構代碼 (csGetHospID, API 2.2).' }),
    samId: t.exposeString('samId'),
    status: t.field({ type: SamStatusEnum, resolve: (s) => s.status }),
    authenticated: t.exposeBoolean('authenticated'),
    testModule: t.exposeBoolean('testModule', { nullable: true, description: 'True for an NHI test SAM; null when unknown.' }),
  }),
});

builder.queryField('sam', (t) =>
  t.field({ type: resultUnion('Query.sam', SamRef), resolve: (_r, _a, ctx) => caught('Query.sam', () => ctx.cards.sam()) }),
);
