/**
 * The treatment-ID Web API's answer (docs/reference/webapi.md (Treatment-ID Web API), (五)回傳資料定義): RtnCode X(4) and TreatNum X(20),
 * "若發生錯誤將回傳 null". Key casing differs between NHI's APIs and client samples (docs/reference/webapi.md (Upload and download),
 * RtnCode vs rtnCode), so keys are matched case-insensitively.
 *
 * Anything else — not HTTP 200, not JSON, no RtnCode, a success without a 20-character TreatNum — is
 * WEB_API_BAD_RESPONSE: the request reached NHI, so whether an ID was issued is unknown (never retried).
 */
import { gatewayError } from '../../errors/gateway-codes.ts';
import type { GatewayError } from '../../errors/gateway-errors.ts';
import { WEB_API_OK, errorForWebApiRtnCode } from '../../errors/webapi-codes.ts';

function badResponse(why: string, whyZh: string): GatewayError {
  return gatewayError('WEB_API_BAD_RESPONSE', {
    text: { zh: `Web API 的回應無法辨識：${whyZh}`, en: `The Web API’s answer could not be understood: ${why}` },
  });
}

function field(body: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(body).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : body[key];
}

/** The TreatNum of a successful answer; throws the typed error for anything else. */
export function decodeTreatmentIdResponse(status: number, text: string): string {
  if (status !== 200) throw badResponse(`HTTP status ${status}`, `HTTP 狀態 ${status}`);
  let body: unknown;
  try {
    body = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw badResponse('not JSON', '不是 JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badResponse('not a JSON object', '不是 JSON 物件');
  const record = body as Record<string, unknown>;

  const rawCode = field(record, 'RtnCode');
  let rtnCode: string;
  if (typeof rawCode === 'number' && Number.isInteger(rawCode) && rawCode >= 0) rtnCode = String(rawCode).padStart(4, '0');
  else if (typeof rawCode === 'string' && /^[0-9A-Za-z]{1,8}$/.test(rawCode.trim())) {
    const trimmed = rawCode.trim();
    rtnCode = /^\d{1,4}$/.test(trimmed) ? trimmed.padStart(4, '0') : trimmed;
  } else throw badResponse('no RtnCode', '缺少 RtnCode');

  if (rtnCode !== WEB_API_OK) throw errorForWebApiRtnCode(rtnCode);

  const treatNum = field(record, 'TreatNum');
  if (typeof treatNum !== 'string' || !/^[\x21-\x7e]{20}$/.test(treatNum.trim())) {
    throw badResponse('RtnCode 0000 without a 20-character TreatNum', 'RtnCode 0000 但 TreatNum 不是 20 字元');
  }
  return treatNum.trim();
}
