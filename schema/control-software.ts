/**
 * The CSHIS backend seen from outside the card calls: the call queue (`gateway { controlSoftwareQueue }`)
 * and csdll.ini (`csdllIni`, `updateCsdllIni`). Everything here is null / CSDLL_INI_NOT_CONFIGURED on the
 * simulator, which has neither. Nothing here carries patient data.
 */
import { builder } from './builder.ts';
import { caught, resultUnion } from './errors.ts';
import { DateTimeScalar, RocDateTimeScalar } from './scalars.ts';
import type { GatewayContext } from '../src/context.ts';
import type { CallQueueState, ControlSoftwareAdmin, FunctionCallStats, InFlightCall } from '../src/ports/control-software-admin.ts';
import {
  CSDLL_KEY_DOC,
  type CsdllChange,
  type CsdllComSetting,
  type CsdllEntry,
  type CsdllExternalChange,
  type CsdllIniSnapshot,
  type CsdllKey,
  type CsdllKeyChange,
  type CsdllProblem,
  type CsdllReaderSetting,
  type CsdllSwitchKey,
} from '../src/ports/csdll-ini.ts';
import { gatewayError } from '../src/errors/gateway-codes.ts';

// ---------------------------------------------------------------------------------------------------------
// gateway { controlSoftwareQueue }
// ---------------------------------------------------------------------------------------------------------

interface QueueView {
  readonly stats: CallQueueState;
  readonly service: ControlSoftwareAdmin;
}

const ReaderOpenPolicyEnum = builder.enumType('ReaderOpenPolicy', {
  description: 'When the gateway calls csOpenCom / csCloseCom (APIs 1.31 / 1.32, docs/reference/functions.md).',
  values: {
    PER_OPERATION: { value: 'per-operation', description: 'Open and close around every call, as the public wrappers do.' },
    KEEP_OPEN: { value: 'keep-open', description: 'Open once; reopen after a reader failure (−1, 4000, 9204, 9205).' },
  } as const,
});

const CallTimeoutSourceEnum = builder.enumType('CallTimeoutSource', {
  values: {
    OPTION: { description: '--call-timeout-ms (or NHI_CALL_TIMEOUT_MS / the config file).' },
    CSTIMEOUT: { description: 'csdll.ini CSTIMEOUT (seconds) plus 5 s, so the control software’s own wait ends first.' },
    DEFAULT: { description: 'Neither was available: the built-in 30 s.' },
  } as const,
});

const ReaderPortSourceEnum = builder.enumType('ReaderPortSource', {
  values: {
    CSDLL_INI: { description: 'csdll.ini COM= (COMX1 → 0, COM3 → 2).' },
    DEFAULT: { description: 'No usable COM= in csdll.ini: port 0 (COMX1 / COM1).' },
  } as const,
});

const ControlSoftwareCallRef = builder.objectRef<InFlightCall>('ControlSoftwareCall').implement({
  description: 'The call inside the control software right now.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The export, e.g. hisGetSeqNumber256N1 (or "recovery" for the reset after a stuck call).' }),
    startedAt: t.field({ type: DateTimeScalar, resolve: (c) => new Date(c.startedAt) }),
    startedAtRoc: t.field({ type: RocDateTimeScalar, resolve: (c) => new Date(c.startedAt) }),
    elapsedMs: t.float({ resolve: (c) => Math.round(c.elapsedMs * 10) / 10 }),
    timedOut: t.exposeBoolean('timedOut', {
      description: 'Its caller already got CALL_TIMEOUT; the call is still inside the DLL, so the queue is stuck until it returns.',
    }),
  }),
});

const FunctionStatsRef = builder
  .objectRef<FunctionCallStats & { readonly name: string }>('ControlSoftwareFunctionStats')
  .implement({
    description: 'Durations of one export since the gateway started (the queue slot: the call plus its csOpenCom/csCloseCom bracket).',
    fields: (t) => ({
      name: t.exposeString('name', { description: 'The export, e.g. hisGetBasicData.' }),
      count: t.exposeInt('count', { description: 'Calls that returned (including ones whose caller had timed out).' }),
      errors: t.exposeInt('errors', { description: 'Calls that failed around the DLL (not vendor codes: those are answers).' }),
      timeouts: t.exposeInt('timeouts', { description: 'Calls whose caller got CALL_TIMEOUT.' }),
      lastMs: t.exposeFloat('lastMs'),
      maxMs: t.exposeFloat('maxMs'),
      p50Ms: t.exposeFloat('p50Ms', { description: 'Median of the last 64 calls.' }),
    }),
  });

const ControlSoftwareQueueRef = builder.objectRef<QueueView>('ControlSoftwareQueue').implement({
  description:
    'The one queue every CSHIS.dll call goes through: one call inside the DLL at a time, on a worker thread, each with a timeout.',
  fields: (t) => ({
    depth: t.int({ description: 'Calls waiting for their turn (not counting the one inside the DLL).', resolve: (q) => q.stats.depth }),
    stuck: t.boolean({
      description:
        'A call timed out and is still inside the DLL. Nothing else enters it until that call returns; then the reader is ' +
        'reset (csSoftwareReset + csOpenCom) and the queue moves on. /ready answers 503 meanwhile.',
      resolve: (q) => q.stats.isStuck,
    }),
    inFlight: t.field({ type: ControlSoftwareCallRef, nullable: true, resolve: (q) => q.stats.inFlight }),
    coalescedCalls: t.int({
      description: 'Reads answered by an identical read already waiting or running (no second DLL call).',
      resolve: (q) => q.stats.coalesced,
    }),
    waitTimeouts: t.int({ description: 'Calls that gave up waiting for their turn.', resolve: (q) => q.stats.waitTimeouts }),
    functions: t.field({
      type: [FunctionStatsRef],
      resolve: (q) =>
        Object.entries(q.stats.functions)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, s]) => ({ ...s, name })),
    }),
    missingExports: t.stringList({
      description: 'Exports (docs/reference/functions.md) the loaded CSHIS.dll lacks (an older version): calls needing one answer MISSING_EXPORT.',
      resolve: (q) => [...q.service.missingExports],
    }),
    versionCode: t.int({
      nullable: true,
      description: 'csGetVersionEx’s code read at start (5158 = 5.1.5.8); APIs newer than it answer CONTROL_SOFTWARE_TOO_OLD.',
      resolve: (q) => q.service.versionCode,
    }),
    openPolicy: t.field({ type: ReaderOpenPolicyEnum, resolve: (q) => q.stats.openPolicy }),
    readerOpen: t.boolean({ description: 'Whether the gateway holds the reader open (csOpenCom succeeded, no csCloseCom since).', resolve: (q) => q.stats.readerOpen }),
    readerPort: t.int({ description: 'The csOpenCom argument in use: 0 = COMX1 / COM1.', resolve: (q) => q.service.readerPort.index }),
    readerPortSource: t.field({ type: ReaderPortSourceEnum, resolve: (q) => q.service.readerPort.source }),
    callTimeoutMs: t.int({ description: 'Timeout of an ordinary call.', resolve: (q) => q.service.callTimeout.ms }),
    callTimeoutSource: t.field({ type: CallTimeoutSourceEnum, resolve: (q) => q.service.callTimeout.source }),
    slowCallTimeoutMs: t.int({
      description: 'Timeout of calls that wait for a person or NHI’s network: PIN dialog, seq numbers, SAM authentication, 1.54.',
      resolve: (q) => q.stats.slowCallTimeoutMs,
    }),
  }),
});

// `Gateway` is defined in cards.ts; Pothos finds a type by name as well as by ref.
type ObjectParam = Parameters<typeof builder.objectField>[0];
const GATEWAY = 'Gateway' as unknown as ObjectParam;

builder.objectField(GATEWAY, 'controlSoftwareQueue', (t) =>
  t.field({
    type: ControlSoftwareQueueRef,
    nullable: true,
    description:
      'The CSHIS.dll call queue: depth, the call inside the DLL, stuck flag, per-function durations, missing exports. ' +
      'Null on the simulator and when CSHIS.dll could not be loaded (readinessReasons says why).',
    resolve: (_g: unknown, _a: unknown, ctx: GatewayContext) => {
      const service = ctx.controlSoftware ?? null;
      const stats = service?.queueStats() ?? null;
      return service && stats ? { stats, service } : null;
    },
  }),
);

// ---------------------------------------------------------------------------------------------------------
// csdll.ini
// ---------------------------------------------------------------------------------------------------------

interface CsdllIniView {
  readonly snapshot: CsdllIniSnapshot;
  readonly lastExternalChange: CsdllExternalChange | null;
  readonly backupPath: string | null;
}

const CsdllSwitchEnum = builder.enumType('CsdllSwitch', { values: ['ENABLE', 'DISABLE'] as const });

const CsdllReaderTypeEnum = builder.enumType('CsdllReaderType', {
  values: {
    PC_SC: { description: 'READER=PC/SC: generic chip readers with the cloud SAM (晶片讀卡機).' },
    OTHER: { description: 'Any other value, e.g. what csUpRDType.exe writes for NHI’s dedicated reader (not public).' },
  } as const,
});

const CsdllComKindEnum = builder.enumType('CsdllComKind', {
  values: {
    CLOUD_SAM_SLOT: { description: 'COMX1…COMX10: the cloud-SAM slot whose SAM file is in C:\\NHI\\SAM\\COMXn.' },
    SERIAL_PORT: { description: 'COM1, COM2…: the serial port of NHI’s dedicated reader.' },
  } as const,
});

const CsdllEncodingEnum = builder.enumType('CsdllIniEncoding', {
  values: {
    ANSI: { description: 'No BOM: ANSI (CP950) or ASCII; bytes are kept as they are.' },
    UTF8_BOM: { description: 'UTF-8 with a byte-order mark (Notepad “UTF-8 with BOM”).' },
    UTF16LE_BOM: { description: 'UTF-16LE with a byte-order mark (Notepad “Unicode”).' },
  } as const,
});

const LineEndingEnum = builder.enumType('LineEnding', { values: ['CRLF', 'LF'] as const });

const CsdllReaderRef = builder.objectRef<CsdllReaderSetting>('CsdllReader').implement({
  fields: (t) => ({
    value: t.exposeString('value', { description: 'As written, e.g. "PC/SC".' }),
    type: t.field({ type: CsdllReaderTypeEnum, resolve: (r) => r.type }),
  }),
});

const CsdllComRef = builder.objectRef<CsdllComSetting>('CsdllCom').implement({
  fields: (t) => ({
    value: t.exposeString('value', { description: 'e.g. "COMX1".' }),
    kind: t.field({ type: CsdllComKindEnum, resolve: (c) => c.kind }),
    number: t.exposeInt('number', { description: 'n of COMXn / COMn.' }),
    openComIndex: t.exposeInt('openComIndex', { description: 'The csOpenCom argument for it: n − 1 (API 1.31; COMX1 → 0 inferred, docs/reference/abi.md).' }),
  }),
});

const CsdllEntryRef = builder.objectRef<CsdllEntry>('CsdllIniEntry').implement({
  description: 'One key=value of the file as read, unknown keys and sections included.',
  fields: (t) => ({
    section: t.exposeString('section', { description: 'Empty for keys before the first section.' }),
    key: t.exposeString('key'),
    value: t.exposeString('value', { description: 'For a key written twice in a section: the first (what Windows reads).' }),
  }),
});

const CsdllProblemRef = builder.objectRef<CsdllProblem>('CsdllIniProblem').implement({
  description: 'A value the gateway does not understand (its typed field is then null), or a key written twice.',
  fields: (t) => ({
    key: t.exposeString('key'),
    rule: t.exposeString('rule'),
  }),
});

const CsdllKeyChangeRef = builder.objectRef<CsdllKeyChange>('CsdllIniKeyChange').implement({
  fields: (t) => ({
    section: t.exposeString('section'),
    key: t.exposeString('key'),
    before: t.exposeString('before', { nullable: true, description: 'null: the key was added.' }),
    after: t.exposeString('after', { nullable: true, description: 'null: the key was removed.' }),
  }),
});

const CsdllExternalChangeRef = builder.objectRef<CsdllExternalChange>('CsdllIniExternalChange').implement({
  description:
    'csdll.ini rewritten by another program (the gateway compares the file’s hash with what it last read or wrote). ' +
    'NHI’s VPN page is known to rewrite COM=; restore it with updateCsdllIni, or make the file read-only as NHI advises.',
  fields: (t) => ({
    at: t.field({ type: DateTimeScalar, description: 'When the gateway noticed it.', resolve: (c) => c.at }),
    atRoc: t.field({ type: RocDateTimeScalar, resolve: (c) => c.at }),
    removed: t.exposeBoolean('removed', { description: 'The file was deleted.' }),
    changedKeys: t.field({ type: [CsdllKeyChangeRef], resolve: (c) => [...c.changedKeys] }),
  }),
});

const switchField = (key: CsdllSwitchKey) => (view: CsdllIniView) => view.snapshot.document?.settings.switches[key] ?? null;
const keyDoc = (key: CsdllKey): string => `${key}: ${CSDLL_KEY_DOC[key]}`;

const CsdllIniRef = builder.objectRef<CsdllIniView>('CsdllIni').implement({
  description:
    'The control software’s csdll.ini ([CS] section), as the gateway reads it now. Keys are null when absent or not understood ' +
    '(see problems). The gateway takes COM= (its csOpenCom port) and CSTIMEOUT (its call timeout) from it at start.',
  fields: (t) => ({
    path: t.string({ resolve: (v) => v.snapshot.path }),
    exists: t.boolean({ resolve: (v) => v.snapshot.exists }),
    readOnly: t.boolean({
      description: 'The file is read-only (NHI’s advice against the VPN page rewriting it); updateCsdllIni then refuses with CSDLL_INI_READ_ONLY.',
      resolve: (v) => v.snapshot.readOnly,
    }),
    readAt: t.field({ type: DateTimeScalar, resolve: (v) => v.snapshot.readAt }),
    readAtRoc: t.field({ type: RocDateTimeScalar, resolve: (v) => v.snapshot.readAt }),
    encoding: t.field({ type: CsdllEncodingEnum, nullable: true, resolve: (v) => v.snapshot.document?.encoding ?? null }),
    lineEnding: t.field({ type: LineEndingEnum, nullable: true, resolve: (v) => v.snapshot.document?.lineEnding ?? null }),
    reader: t.field({ type: CsdllReaderRef, nullable: true, description: keyDoc('READER'), resolve: (v) => v.snapshot.document?.settings.reader ?? null }),
    com: t.field({ type: CsdllComRef, nullable: true, description: keyDoc('COM'), resolve: (v) => v.snapshot.document?.settings.com ?? null }),
    hca: t.field({ type: CsdllSwitchEnum, nullable: true, description: keyDoc('HCA'), resolve: switchField('HCA') }),
    csfsim: t.field({ type: CsdllSwitchEnum, nullable: true, description: keyDoc('CSFSIM'), resolve: switchField('CSFSIM') }),
    msgShow: t.field({ type: CsdllSwitchEnum, nullable: true, description: keyDoc('MSGSHOW'), resolve: switchField('MSGSHOW') }),
    hpcFastAuth: t.field({ type: CsdllSwitchEnum, nullable: true, description: keyDoc('HPCFASTAUTH'), resolve: switchField('HPCFASTAUTH') }),
    csWatch: t.field({ type: CsdllSwitchEnum, nullable: true, description: keyDoc('CSWATCH'), resolve: switchField('CSWATCH') }),
    csTimeoutSeconds: t.int({
      nullable: true,
      description: keyDoc('CSTIMEOUT'),
      resolve: (v) => v.snapshot.document?.settings.csTimeoutSeconds ?? null,
    }),
    csAutoVsam: t.field({ type: CsdllSwitchEnum, nullable: true, description: keyDoc('CSAUTOVSAM'), resolve: switchField('CSAUTOVSAM') }),
    csOffAuth: t.field({ type: CsdllSwitchEnum, nullable: true, description: keyDoc('CSOFFAUTH'), resolve: switchField('CSOFFAUTH') }),
    csRemote: t.field({ type: CsdllSwitchEnum, nullable: true, description: keyDoc('CSREMOTE'), resolve: switchField('CSREMOTE') }),
    clsCsfsim: t.field({ type: CsdllSwitchEnum, nullable: true, description: keyDoc('CLSCSFSIM'), resolve: switchField('CLSCSFSIM') }),
    entries: t.field({
      type: [CsdllEntryRef],
      description: 'Every key of the file in file order, unknown ones too (a write keeps them byte for byte).',
      resolve: (v) => [...(v.snapshot.document?.entries ?? [])],
    }),
    problems: t.field({ type: [CsdllProblemRef], resolve: (v) => [...(v.snapshot.document?.problems ?? [])] }),
    lastExternalChange: t.field({
      type: CsdllExternalChangeRef,
      nullable: true,
      description: 'The last time another program rewrote the file since the gateway started, or null.',
      resolve: (v) => v.lastExternalChange,
    }),
    backupPath: t.string({
      nullable: true,
      description: 'The file as it was before the gateway’s last change (csdll.ini.bak), when there is one.',
      resolve: (v) => v.backupPath,
    }),
  }),
});

interface CsdllIniUpdateView {
  readonly csdllIni: CsdllIniView;
  readonly changedKeys: readonly CsdllKeyChange[];
  readonly backupPath: string;
}

const CsdllIniUpdateRef = builder.objectRef<CsdllIniUpdateView>('CsdllIniUpdate').implement({
  description:
    'csdll.ini after the change. The control software’s console (csfsim.exe) and the gateway read it at start: ' +
    'restart both for COM= and CSTIMEOUT to take effect.',
  fields: (t) => ({
    csdllIni: t.field({ type: CsdllIniRef, resolve: (u) => u.csdllIni }),
    changedKeys: t.field({
      type: [CsdllKeyChangeRef],
      description: 'Keys whose value changed (empty when the file already had these values).',
      resolve: (u) => [...u.changedKeys],
    }),
    backupPath: t.exposeString('backupPath', { description: 'Where the previous content was saved.' }),
  }),
});

const CsdllIniChangeInput = builder.inputType('UpdateCsdllIniInput', {
  description:
    'Keys to change in csdll.ini [CS]; omitted keys stay as they are. Bad values are refused with BAD_USER_INPUT naming the ini key ' +
    '(extensions.field, e.g. "CSTIMEOUT"). The write is atomic and keeps csdll.ini.bak, unknown keys, comments and line endings.',
  fields: (t) => ({
    reader: t.string({ description: `${keyDoc('READER')} Only "PC/SC" can be set.` }),
    com: t.string({ description: `${keyDoc('COM')} COMX1…COMX10 or COM1…COM256.` }),
    hca: t.field({ type: CsdllSwitchEnum, description: keyDoc('HCA') }),
    csfsim: t.field({ type: CsdllSwitchEnum, description: keyDoc('CSFSIM') }),
    msgShow: t.field({ type: CsdllSwitchEnum, description: keyDoc('MSGSHOW') }),
    hpcFastAuth: t.field({ type: CsdllSwitchEnum, description: keyDoc('HPCFASTAUTH') }),
    csWatch: t.field({ type: CsdllSwitchEnum, description: keyDoc('CSWATCH') }),
    csTimeoutSeconds: t.int({ description: `${keyDoc('CSTIMEOUT')} 1–3600.` }),
    csAutoVsam: t.field({ type: CsdllSwitchEnum, description: keyDoc('CSAUTOVSAM') }),
    csOffAuth: t.field({ type: CsdllSwitchEnum, description: keyDoc('CSOFFAUTH') }),
    csRemote: t.field({ type: CsdllSwitchEnum, description: keyDoc('CSREMOTE') }),
    clsCsfsim: t.field({ type: CsdllSwitchEnum, description: keyDoc('CLSCSFSIM') }),
  }),
});

/** GraphQL input field → ini key. */
const INPUT_KEYS = {
  reader: 'READER',
  com: 'COM',
  hca: 'HCA',
  csfsim: 'CSFSIM',
  msgShow: 'MSGSHOW',
  hpcFastAuth: 'HPCFASTAUTH',
  csWatch: 'CSWATCH',
  csTimeoutSeconds: 'CSTIMEOUT',
  csAutoVsam: 'CSAUTOVSAM',
  csOffAuth: 'CSOFFAUTH',
  csRemote: 'CSREMOTE',
  clsCsfsim: 'CLSCSFSIM',
} as const satisfies Record<string, CsdllKey>;

/** The input object (GraphQL names) → a change keyed by ini key; absent and null fields are left out. */
export function csdllChangeFromInput(input: Readonly<Record<string, unknown>>): CsdllChange {
  const change: CsdllChange = {};
  for (const [field, key] of Object.entries(INPUT_KEYS)) {
    const value = input[field];
    if (value !== undefined && value !== null) change[key] = value;
  }
  return change;
}

builder.queryField('csdllIni', (t) =>
  t.field({
    type: resultUnion('Query.csdllIni', CsdllIniRef),
    nullable: true,
    description:
      'The control software’s csdll.ini, read now (also checks whether another program rewrote it). ' +
      'Null when this backend has no csdll.ini (the simulator). I/O failures come back as GatewayError CSDLL_INI_IO_FAILED.',
    resolve: (_r, _a, ctx) =>
      caught('Query.csdllIni', async () => {
        const file = ctx.controlSoftware?.csdllIni;
        if (!file) return null;
        const snapshot = await file.read();
        return { snapshot, lastExternalChange: file.lastExternalChange, backupPath: await file.existingBackupPath() };
      }),
  }),
);

builder.mutationField('updateCsdllIni', (t) =>
  t.field({
    type: resultUnion('Mutation.updateCsdllIni', CsdllIniUpdateRef),
    description:
      'Change keys of csdll.ini [CS]: validated (BAD_USER_INPUT naming the key), backed up to csdll.ini.bak, written atomically. ' +
      'Refused with GatewayError CSDLL_INI_READ_ONLY when the file is read-only, CSDLL_INI_NOT_FOUND when it is missing, ' +
      'CSDLL_INI_NOT_CONFIGURED on the simulator.',
    args: { input: t.arg({ type: CsdllIniChangeInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      caught('Mutation.updateCsdllIni', async () => {
        const file = ctx.controlSoftware?.csdllIni;
        if (!file) throw gatewayError('CSDLL_INI_NOT_CONFIGURED');
        const result = await file.update(csdllChangeFromInput(input));
        return {
          csdllIni: { snapshot: result.snapshot, lastExternalChange: file.lastExternalChange, backupPath: result.backupPath },
          changedKeys: result.changedKeys,
          backupPath: result.backupPath,
        };
      }),
  }),
);
