/**
 * csdll.ini through a port: the control software's settings file as the schema sees it (its typed keys, a
 * reading, a validated change, outside rewrites). The adapter src/adapters/cshis/csdll-ini.ts reads and writes
 * the file; docs/reference/abi.md describes the keys.
 */

/** Every `[CS]` key the NHI briefing shows, in the order of its sample files. */
export const CSDLL_KEYS = [
  'READER',
  'COM',
  'HCA',
  'CSFSIM',
  'MSGSHOW',
  'HPCFASTAUTH',
  'CSWATCH',
  'CSTIMEOUT',
  'CSAUTOVSAM',
  'CSOFFAUTH',
  'CSREMOTE',
  'CLSCSFSIM',
] as const;
export type CsdllKey = (typeof CSDLL_KEYS)[number];

/** Keys whose value is ENABLE or DISABLE. */
export const CSDLL_SWITCH_KEYS = [
  'HCA',
  'CSFSIM',
  'MSGSHOW',
  'HPCFASTAUTH',
  'CSWATCH',
  'CSAUTOVSAM',
  'CSOFFAUTH',
  'CSREMOTE',
  'CLSCSFSIM',
] as const satisfies readonly CsdllKey[];
export type CsdllSwitchKey = (typeof CSDLL_SWITCH_KEYS)[number];
export type CsdllSwitch = 'ENABLE' | 'DISABLE';

/** What each key means, for docs and the schema. */
export const CSDLL_KEY_DOC: Readonly<Record<CsdllKey, string>> = {
  READER: 'Reader type. "PC/SC" = generic chip readers with the cloud SAM (晶片讀卡機, the only value NHI documents); NHI’s dedicated reader (健保讀卡機) is selected with C:\\NHI\\UTILITY\\csUpRDType.exe, whose value is not public.',
  COM: 'Port: COMX1…COMX10 = cloud-SAM slot (its SAM file lives in C:\\NHI\\SAM\\COMXn); COM1, COM2… = serial port of a dedicated reader. The gateway opens the reader with csOpenCom(n − 1) (API 1.31; COMX1 → 0, inferred; docs/reference/abi.md).',
  HCA: 'Shown as ENABLE in every NHI sample; no public description (undocumented).',
  CSFSIM: 'Shown as ENABLE in every NHI sample; the cloud-SAM console (csfsim.exe) setting shown on its 系統設定 page (undocumented).',
  MSGSHOW: 'Shown as ENABLE in every NHI sample; presumably whether the control software shows its own message boxes (undocumented).',
  HPCFASTAUTH: '醫師卡快速認證: verify the professional card once and work with one reader for the validity period (default DISABLE).',
  CSWATCH: '模擬健保讀卡機燈號浮動視窗: the console’s floating window with the reader lights (default DISABLE).',
  CSTIMEOUT: 'Timeout in seconds (NHI samples: 120). The gateway derives its call timeout from it when --call-timeout-ms is not given.',
  CSAUTOVSAM: 'Shown as ENABLE in NHI’s 5.1.5.7 sample; presumably automatic cloud-SAM verification (undocumented).',
  CSOFFAUTH: 'Shown as DISABLE in NHI’s 5.1.5.7 sample (undocumented).',
  CSREMOTE: '支援遠端桌面連線功能: remote-desktop support (default DISABLE).',
  CLSCSFSIM: 'When 先結束程式 closes the console, the HIS program is not closed with it (default ENABLE).',
};

// ---------------------------------------------------------------------------------------------------------
// typed document
// ---------------------------------------------------------------------------------------------------------

export type CsdllEncoding = 'ANSI' | 'UTF8_BOM' | 'UTF16LE_BOM';
export type LineEnding = 'CRLF' | 'LF';

export interface CsdllReaderSetting {
  /** The value as written, e.g. "PC/SC". */
  readonly value: string;
  /** PC_SC for the one documented value; OTHER for anything else (e.g. what csUpRDType.exe writes). */
  readonly type: 'PC_SC' | 'OTHER';
}

export interface CsdllComSetting {
  /** Upper-case, e.g. "COMX1" or "COM3". */
  readonly value: string;
  /** CLOUD_SAM_SLOT for COMXn, SERIAL_PORT for COMn (a dedicated reader). */
  readonly kind: 'CLOUD_SAM_SLOT' | 'SERIAL_PORT';
  /** n of COMXn / COMn. */
  readonly number: number;
  /** The csOpenCom argument for it: n − 1 (API 1.31: 0 = COM1; 0 → COMX1 inferred, docs/reference/abi.md). */
  readonly openComIndex: number;
}

/** The [CS] keys, typed. Null when the key is absent or its value is not understood (see `problems`). */
export interface CsdllSettings {
  readonly reader: CsdllReaderSetting | null;
  readonly com: CsdllComSetting | null;
  readonly switches: Readonly<Record<CsdllSwitchKey, CsdllSwitch | null>>;
  readonly csTimeoutSeconds: number | null;
}

/** One `key=value` of the file, as read (every section, unknown keys too). */
export interface CsdllEntry {
  readonly section: string;
  readonly key: string;
  readonly value: string;
}

/** A known key whose value the gateway does not understand, or a key written more than once. */
export interface CsdllProblem {
  readonly key: string;
  readonly rule: string;
}

export interface CsdllIniDocument {
  readonly encoding: CsdllEncoding;
  readonly lineEnding: LineEnding;
  readonly hasCsSection: boolean;
  readonly settings: CsdllSettings;
  /** In file order; for a key written twice in one section, its first value (what Windows reads). */
  readonly entries: readonly CsdllEntry[];
  readonly problems: readonly CsdllProblem[];
}


/**
 * A requested change, keyed by ini key: strings for READER and COM, ENABLE/DISABLE for the switches, a number
 * (seconds) for CSTIMEOUT. Absent (or undefined/null) keys stay as they are.
 */
export type CsdllChange = Partial<Record<CsdllKey, unknown>>;

/** One key that differs between two readings of the file. */
export interface CsdllKeyChange {
  readonly section: string;
  readonly key: string;
  /** null: the key was added. */
  readonly before: string | null;
  /** null: the key was removed. */
  readonly after: string | null;
}

/** One reading of the file. */
export interface CsdllIniSnapshot {
  readonly path: string;
  readonly exists: boolean;
  /**
   * The file is read-only: no write bit in its mode (Windows maps the read-only attribute to that; checking
   * mode bits rather than access() also holds for an administrator, who may write anything).
   */
  readonly readOnly: boolean;
  /** null when the file does not exist. */
  readonly document: CsdllIniDocument | null;
  /** sha256 of the bytes; null when the file does not exist. */
  readonly hash: string | null;
  /** ISO 8601. */
  readonly readAt: string;
}

export interface CsdllWriteResult {
  readonly snapshot: CsdllIniSnapshot;
  /** Where the previous content was saved. */
  readonly backupPath: string;
  /** The keys whose value actually changed. */
  readonly changedKeys: readonly CsdllKeyChange[];
}

/** A rewrite of csdll.ini by something other than this gateway. */
export interface CsdllExternalChange {
  /** ISO 8601: when the gateway noticed it. */
  readonly at: string;
  readonly changedKeys: readonly CsdllKeyChange[];
  /** The file disappeared (changedKeys lists what it had). */
  readonly removed: boolean;
}

/** csdll.ini as a long-lived service (the adapter's CsdllIniFile). */
export interface CsdllIniPort {
  /** Reads the file now; a difference from the known content is recorded as an external change. */
  read(): Promise<CsdllIniSnapshot>;
  /** Validates (InputError naming the ini key) and writes a change atomically, keeping csdll.ini.bak. */
  update(change: CsdllChange): Promise<CsdllWriteResult>;
  /** The last outside rewrite noticed since the gateway started, or null. */
  readonly lastExternalChange: CsdllExternalChange | null;
  /** The backup of the content before the gateway's last change, when one exists. */
  existingBackupPath(): Promise<string | null>;
}
