/**
 * The registration-desk example: read card → start visit → treatment ID → write treatment, with the client kit
 * (typed documents, typed errors, the error catalogue) and the lights over graphql-ws. Bundled for the browser
 * by esbuild (serve.ts). Every card write carries a fresh idempotency key, as a real HIS should.
 */
import {
  createGatewayClient,
  describeError,
  GatewayRequestError,
  isGatewayError,
  GatewayInfoDocument,
  LightsChangedDocument,
  ReadCardDocument,
  SimulatorInsertHealthCardDocument,
  SimulatorRemoveHealthCardDocument,
  StartVisitDocument,
  TreatmentIdForVisitDocument,
  WriteTreatmentDocument,
  type GatewayErrorFields,
  type SimulatedCard,
  type TreatmentCategory,
} from '../../index.ts';

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el as T;
};

// The example server puts the gateway's access token here; a real HIS gets it from the clinic's IT.
const token = document.querySelector<HTMLMetaElement>('meta[name="nhi-gateway-token"]')?.content ?? '';
// Subscriptions ride out a gateway restart on their own; the header says what the connection is doing.
const CONNECTION_TEXT = { connected: '已連線 connected', reconnecting: '重新連線中 reconnecting…', resumed: '已恢復 resumed' } as const;
const client = createGatewayClient({
  url: `${location.origin}/graphql`,
  token,
  transport: 'ws',
  onStateChange: ({ state, error }) => {
    const el = $('connection');
    el.textContent = CONNECTION_TEXT[state];
    el.title = error?.message ?? '';
  },
});

interface CardHolder {
  idNumber: string;
  birthDate: string;
}
let holder: CardHolder | null = null;
let visitTimeRoc: string | null = null;

function log(what: string, ok: boolean): void {
  const li = document.createElement('li');
  if (!ok) li.className = 'bad';
  const time = document.createElement('time');
  time.textContent = new Date().toLocaleTimeString('zh-TW', { hour12: false });
  const code = document.createElement('code');
  code.textContent = what;
  li.append(time, code);
  $('log').prepend(li);
}

function show(id: string, rows: Array<[string, string | number | null | undefined]>): void {
  const dl = $(id);
  dl.replaceChildren(
    ...rows.flatMap(([label, value]) => {
      const dt = document.createElement('dt');
      dt.textContent = label;
      const dd = document.createElement('dd');
      dd.textContent = value === null || value === undefined || value === '' ? '—' : String(value);
      return [dt, dd];
    }),
  );
  dl.hidden = false;
}

/** A typed error from a union member, shown with the catalogue's hint. */
function showError(id: string, error: GatewayErrorFields | null, fallback?: string): void {
  const box = $(id);
  box.replaceChildren();
  if (!error) {
    box.hidden = true;
    return;
  }
  const title = document.createElement('b');
  title.textContent = `${error.messageZh}（${error.code}${error.vendorCode === null ? '' : ` / ${error.vendorCode}`}）`;
  const en = document.createElement('span');
  en.className = 'en';
  en.textContent = error.message;
  const hint = document.createElement('p');
  hint.className = 'hint';
  hint.textContent = error.hintZh ?? describeError(error.code, 'zh').hint ?? fallback ?? '';
  box.append(title, en, hint);
  box.hidden = false;
}

/** GraphQL-level failures (bad input, no token, gateway down) as an error box. */
function showRequestError(id: string, error: unknown): void {
  const message = error instanceof GatewayRequestError ? error.message : String(error);
  const code = error instanceof GatewayRequestError ? (error.code ?? 'REQUEST_FAILED') : 'REQUEST_FAILED';
  showError(id, { code, message, messageZh: '請求失敗', retryable: false, hint: null, hintZh: null });
}

async function step(name: string, errorBox: string, run: () => Promise<boolean>): Promise<void> {
  try {
    const ok = await run();
    log(name, ok);
  } catch (error) {
    showRequestError(errorBox, error);
    log(`${name} ✗`, false);
  }
}

$('sim-insert').addEventListener('click', () =>
  step('simulatorInsertHealthCard', 'read-error', async () => {
    await client.request(SimulatorInsertHealthCardDocument, { card: $<HTMLSelectElement>('sim-card').value as SimulatedCard });
    return true;
  }),
);
$('sim-remove').addEventListener('click', () =>
  step('simulatorRemoveHealthCard', 'read-error', async () => {
    await client.request(SimulatorRemoveHealthCardDocument);
    return true;
  }),
);

$('read').addEventListener('click', () =>
  step('ReadCard (1.1 + 1.2)', 'read-error', async () => {
    const { healthCard } = await client.request(ReadCardDocument);
    const basic = healthCard.basicData;
    if (isGatewayError(basic)) {
      showError('read-error', basic);
      $('card').hidden = true;
      return false;
    }
    showError('read-error', null);
    const register = healthCard.registerData;
    const visits = isGatewayError(register) ? null : register.remainingVisits;
    holder = { idNumber: basic.idNumber, birthDate: basic.birthDate ?? '' };
    show('card', [
      ['姓名 Name', basic.name.text + (basic.name.hasRareCharacters ? '（含造字）' : '')],
      ['身分證號 ID', basic.idNumber],
      ['出生日期 Birth date', basic.birthDate],
      ['卡號 Card no.', basic.cardNumber],
      ['可用次數 Visits left', visits],
    ]);
    $<HTMLButtonElement>('start').disabled = false;
    return true;
  }),
);

$('start').addEventListener('click', () =>
  step('StartVisit', 'visit-error', async () => {
    const category = $<HTMLSelectElement>('category').value as TreatmentCategory;
    const { startVisit } = await client.request(StartVisitDocument, { category, idempotencyKey: crypto.randomUUID() });
    if (isGatewayError(startVisit) || startVisit.__typename !== 'Visit') {
      showError('visit-error', isGatewayError(startVisit) ? startVisit : null);
      return false;
    }
    showError('visit-error', null);
    visitTimeRoc = startVisit.visitTimeRoc;
    show('visit', [
      ['就醫序號 Seq no.', startVisit.seqNumber],
      ['就診日期時間 Visit time', `${startVisit.visitTimeRoc} (${startVisit.visitTime})`],
      ['就醫識別碼 Treatment ID', startVisit.treatmentIdPending ? '待補取 pending' : startVisit.treatmentId],
      ['同日就診 Same day', startVisit.sameDayVisit ? '是 yes' : '否 no'],
      ['提醒 Warnings', startVisit.warnings.map((w) => `${w.messageZh} (${w.vendorCode ?? w.code})`).join('; ')],
    ]);
    $<HTMLButtonElement>('tid').disabled = false;
    $<HTMLButtonElement>('write').disabled = false;
    return true;
  }),
);

$('tid').addEventListener('click', () =>
  step('TreatmentIdForVisit (1.56)', 'tid-error', async () => {
    if (!visitTimeRoc) return false;
    const { treatmentIdForVisit: r } = await client.request(TreatmentIdForVisitDocument, { visitTime: visitTimeRoc });
    if (isGatewayError(r) || r.__typename !== 'TreatmentId') {
      showError('tid-error', isGatewayError(r) ? r : null);
      return false;
    }
    showError('tid-error', null);
    show('treatment', [
      ['就醫識別碼 Treatment ID', r.treatmentId],
      ['來源 Source', r.source],
    ]);
    return true;
  }),
);

$('write').addEventListener('click', () =>
  step('WriteTreatment', 'write-error', async () => {
    if (!visitTimeRoc || !holder) return false;
    const diagnoses = $<HTMLInputElement>('diagnoses').value.split(/[\s,]+/).filter(Boolean);
    const { writeTreatment: r } = await client.request(WriteTreatmentDocument, {
      input: {
        visitTime: visitTimeRoc,
        idNumber: holder.idNumber,
        birthDate: holder.birthDate,
        diagnoses,
        fees: { outpatientFee: Number($<HTMLInputElement>('fee').value), outpatientCopay: Number($<HTMLInputElement>('copay').value) },
        idempotencyKey: crypto.randomUUID(),
      },
    });
    if (isGatewayError(r) || r.__typename !== 'TreatmentWritten') {
      showError('write-error', isGatewayError(r) ? r : null);
      return false;
    }
    showError('write-error', null);
    show('written', [
      ['已呼叫 APIs', r.apis.join(' + ')],
      ['醫師身分證號 Doctor ID', r.doctor?.idNumber ?? null],
    ]);
    return true;
  }),
);

// ---- header: backend and lights ----

void client.request(GatewayInfoDocument).then(
  ({ gateway }) => ($('backend').textContent = `${gateway.backend} ${gateway.version}`),
  () => ($('backend').textContent = '無法連線 unreachable'),
);

void (async () => {
  for await (const result of client.subscribe(LightsChangedDocument)) {
    const state = result.data?.lightStateChanged;
    if (!state) continue;
    for (const [slot, light] of [
      ['HEALTH_CARD', state.healthCard],
      ['PROFESSIONAL_CARD', state.professionalCard],
    ] as const) {
      const el = $(`light-${slot}`);
      el.dataset['level'] = String(light.level);
      el.dataset['colour'] = light.colour;
      el.title = `${light.level} ${light.colour}`;
    }
  }
})();
