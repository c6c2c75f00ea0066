/**
 * The gateway's error codes in zh-TW and English (generated from its code table), for showing a typed error
 * to the front desk or choosing what to do about it without a round trip.
 */
import { errorCatalogue } from '../generated/error-catalogue.ts';

export { errorCatalogue };

export type ErrorCode = keyof typeof errorCatalogue;
export type ErrorCatalogueEntry = (typeof errorCatalogue)[ErrorCode];
export type Language = 'zh' | 'en';

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(errorCatalogue, code);
}

function indexBy(source: ErrorCatalogueEntry['source']): Map<number, ErrorCatalogueEntry> {
  const entries: ErrorCatalogueEntry[] = Object.values(errorCatalogue);
  return new Map(entries.filter((e) => e.source === source && e.vendorCode !== null).map((e) => [e.vendorCode as number, e]));
}
const BY_VENDOR_CODE = indexBy('CONTROL_SOFTWARE');
const BY_RTN_CODE = indexBy('WEB_API');

/** The entry for a control-software return code (e.g. 4013), if the table knows it. */
export function errorForVendorCode(vendorCode: number): ErrorCatalogueEntry | undefined {
  return BY_VENDOR_CODE.get(vendorCode);
}

/** The entry for an NHI Web API RtnCode (e.g. 8203; the numbers overlap the control software's). */
export function errorForWebApiRtnCode(rtnCode: number): ErrorCatalogueEntry | undefined {
  return BY_RTN_CODE.get(rtnCode);
}

/** Message and hint for a code in one language; unknown codes get a generic text with the code in it. */
export function describeError(code: string, language: Language = 'zh'): { message: string; hint: string | null } {
  if (!isErrorCode(code)) {
    return { message: language === 'zh' ? `未知的錯誤代碼 ${code}` : `Unknown error code ${code}`, hint: null };
  }
  const entry = errorCatalogue[code];
  return language === 'zh' ? { message: entry.zh, hint: entry.hintZh } : { message: entry.en, hint: entry.hintEn };
}
