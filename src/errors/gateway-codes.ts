/**
 * Errors that do not come from a control-software return code but belong in the same catalogue (the README
 * error table lists both). Same shape as the vendor table, with `vendorCode: null`.
 */
import { ERROR_CLASSES, type ErrorCategory, type ErrorText } from './gateway-errors.ts';

export interface GatewayCodeEntry {
  readonly code: string;
  readonly category: Exclude<ErrorCategory, 'UNKNOWN_VENDOR_CODE'>;
  readonly text: ErrorText;
  readonly retryable: boolean;
  readonly hint?: ErrorText;
}

export const GATEWAY_CODES = [
  {
    code: 'CALL_TIMEOUT',
    category: 'CONTROL_SOFTWARE',
    text: { zh: '控制軟體呼叫逾時，正在重設', en: 'A control-software call timed out; the gateway is resetting it' },
    retryable: true,
    hint: {
      zh: '稍候再試；若持續發生，請確認讀卡機連線與雲端安全模組主控台 (csfsim.exe)',
      en: 'Try again shortly; if it keeps happening, check the reader connection and the cloud SAM console (csfsim.exe)',
    },
  },
  {
    code: 'CONTROL_SOFTWARE_UNAVAILABLE',
    category: 'CONTROL_SOFTWARE',
    text: { zh: '無法載入健保讀卡機控制軟體 (CSHIS.dll)', en: 'The NHI control software (CSHIS.dll) could not be loaded' },
    retryable: false,
    hint: {
      zh: '請安裝健保署讀卡機控制軟體 5.1.5.x；32 位元的 CSHIS.dll 需使用 nhi-gateway-win-x86.exe',
      en: 'Install NHI control software 5.1.5.x; a 32-bit CSHIS.dll needs nhi-gateway-win-x86.exe',
    },
  },
  {
    code: 'MISSING_EXPORT',
    category: 'CONTROL_SOFTWARE',
    text: { zh: '此版本控制軟體不提供這項功能', en: 'This control-software version does not provide this function' },
    retryable: false,
    hint: { zh: '請更新讀卡機控制軟體至最新版', en: 'Update the control software to the latest version' },
  },
  {
    code: 'CARD_CHANGED',
    category: 'CARD',
    text: {
      zh: '讀卡機中的卡片已不是這位病人的卡片，未寫入任何資料',
      en: 'The card in the reader is no longer the one this write was meant for; nothing was written',
    },
    retryable: false,
    hint: {
      zh: '請清除畫面上的病人資料，重新讀取讀卡機中的卡片後再操作',
      en: 'Clear the patient on screen, read the card now in the reader, then write for that patient',
    },
  },
  {
    code: 'CARD_REMOVED',
    category: 'CARD',
    text: { zh: '作業中卡片已被移除', en: 'The card was removed during the operation' },
    retryable: true,
    hint: { zh: '請重新插入卡片後再試', en: 'Insert the card again and retry' },
  },
  {
    code: 'NOT_AN_NHI_CARD',
    category: 'CARD',
    text: { zh: '插入的卡片不是健保卡', en: 'The inserted card is not an NHI health card' },
    retryable: true,
    hint: { zh: '請插入健保卡', en: 'Insert an NHI health card' },
  },
  {
    code: 'READER_NOT_FOUND',
    category: 'READER',
    text: { zh: '找不到指定的讀卡機', en: 'No such card reader' },
    retryable: true,
    hint: { zh: '請確認讀卡機已連接，並以 readers 查詢可用的讀卡機', en: 'Check the reader is connected; the readers query lists them' },
  },
  {
    code: 'ACTION_PENDING',
    category: 'PIN',
    text: { zh: '另一個密碼驗證作業進行中', en: 'Another PIN operation is already in progress' },
    retryable: true,
    hint: { zh: '請先完成或取消讀卡機上的密碼輸入', en: 'Finish or cancel the PIN entry in progress first' },
  },
  {
    code: 'SIMULATOR_ONLY',
    category: 'CONTROL_SOFTWARE',
    text: { zh: '此功能僅限模擬器使用', en: 'This operation is only available on the simulator' },
    retryable: false,
    hint: { zh: '以 --backend simulator 啟動閘道', en: 'Start the gateway with --backend simulator' },
  },
  {
    code: 'TREATMENT_ID_PENDING',
    category: 'VISIT',
    text: { zh: '已取得就醫序號，但尚未取得就醫識別碼', en: 'The visit is registered but its treatment ID is not available yet' },
    retryable: true,
    hint: { zh: '稍後以 treatmentIdForVisit 補取', en: 'Complete it later with treatmentIdForVisit' },
  },
  {
    code: 'WEB_API_NOT_CONFIGURED',
    category: 'CONTROL_SOFTWARE',
    text: { zh: '尚未設定就醫識別碼 Web API', en: 'The treatment-ID Web API is not configured' },
    retryable: false,
    hint: {
      zh: '改用其他取號方式 (--visit-strategy n1 或 seq256-treatnum)',
      en: 'Use another visit strategy (--visit-strategy n1 or seq256-treatnum)',
    },
  },
  {
    code: 'IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_INPUT',
    category: 'CARD_WRITE',
    text: { zh: '此冪等鍵已用於不同內容的請求', en: 'This idempotency key was already used for a request with different input' },
    retryable: false,
    hint: { zh: '每個新的寫卡請求請使用新的冪等鍵 (例如 UUID)', en: 'Use a new idempotency key (e.g. a UUID) for every new card write' },
  },
  {
    code: 'IDEMPOTENCY_KEY_SPENT',
    category: 'CARD_WRITE',
    text: { zh: '此冪等鍵的請求已結束且無可重送的結果', en: 'The request with this idempotency key has ended and has no result to return again' },
    retryable: false,
    hint: { zh: '確認卡片狀態後，以新的冪等鍵重新送出', en: 'Check the card, then send the request again with a new idempotency key' },
  },
  {
    code: 'OUTCOME_UNKNOWN',
    category: 'CARD_WRITE',
    text: {
      zh: '寫卡作業中斷 (閘道程式停止或控制軟體呼叫逾時)，結果未知，為避免重複寫入不會自動重做',
      en: 'A card write was interrupted (the gateway stopped, or the control-software call timed out); its outcome is unknown and it is not repeated automatically',
    },
    retryable: false,
    hint: {
      zh: '以 unresolvedCardWrites 查詢，並用 checkCardWrite 或 confirmCardWrite 確認結果',
      en: 'List it with unresolvedCardWrites and settle it with checkCardWrite or confirmCardWrite',
    },
  },
  {
    code: 'JOURNAL_UNAVAILABLE',
    category: 'CARD_WRITE',
    text: { zh: '無法寫入寫卡日誌，為安全起見未寫卡', en: 'The card-write journal cannot be written, so the card was not touched' },
    retryable: true,
    hint: { zh: '請檢查磁碟空間與資料夾權限', en: 'Check free disk space and the data folder’s permissions' },
  },
  // ---- access: refused before any card call (docs/security.md); top-level errors with an HTTP status ----
  {
    code: 'ORIGIN_NOT_ALLOWED',
    category: 'ACCESS',
    text: { zh: '此網頁來源未獲准呼叫讀卡閘道', en: 'This web page’s origin is not allowed to call the gateway' },
    retryable: false,
    hint: {
      zh: '以 --allowed-origin 或 NHI_GATEWAY_ALLOWED_ORIGINS 加入 HIS 網頁的來源 (例如 https://his.example:443) 後重新啟動閘道',
      en: 'Add the HIS page’s origin (scheme://host[:port]) with --allowed-origin or NHI_GATEWAY_ALLOWED_ORIGINS and restart the gateway',
    },
  },
  {
    code: 'HOST_NOT_ALLOWED',
    category: 'ACCESS',
    text: { zh: '請求的主機名稱不是本機位址 (防 DNS rebinding)', en: 'The request’s Host is not a local address of this gateway (DNS rebinding protection)' },
    retryable: false,
    hint: {
      zh: '請以 http://127.0.0.1 或 http://localhost 加上閘道埠號呼叫閘道；其他主機名稱需以 --allow-remote 啟動',
      en: 'Call the gateway as http://127.0.0.1 or http://localhost with its port; other host names need --allow-remote',
    },
  },
  {
    code: 'LOOPBACK_ONLY',
    category: 'ACCESS',
    text: { zh: '此頁面只提供給本機使用', en: 'This page is only served to this computer' },
    retryable: false,
    hint: { zh: '請在工作站本機以 http://127.0.0.1 加上閘道埠號開啟', en: 'Open it on the workstation itself, at http://127.0.0.1 and the gateway’s port' },
  },
  {
    code: 'CSRF_HEADER_MISSING',
    category: 'ACCESS',
    text: { zh: '請求缺少閘道要求的 CSRF 標頭', en: 'The request lacks the gateway’s CSRF header' },
    retryable: false,
    hint: {
      zh: '加上標頭 x-nhi-gateway: 1，或以 Content-Type: application/json 送出 POST',
      en: 'Send the header x-nhi-gateway: 1 (or x-graphql-yoga-csrf), or POST JSON with Content-Type: application/json',
    },
  },
  {
    code: 'TOKEN_REQUIRED',
    category: 'ACCESS',
    text: { zh: '此作業需要閘道的存取權杖', en: 'This operation needs the gateway’s access token' },
    retryable: false,
    hint: {
      zh: '送出標頭 Authorization: Bearer 加上權杖（WebSocket 則放在 connectionParams.authorization）；權杖檔位置見閘道啟動訊息。網頁可改用配對 (POST /pair) 取得綁定來源的配對權杖',
      en: 'Send the header Authorization: Bearer followed by the token (over WebSocket, the same text in connectionParams.authorization); the token file’s path is printed at startup. A web page on an allowed origin gets its own token by pairing (POST /pair)',
    },
  },
  {
    code: 'TOKEN_INVALID',
    category: 'ACCESS',
    text: { zh: '存取權杖不正確、已撤銷或已過期', en: 'The access token is not this gateway’s token, or the pairing was revoked or expired' },
    retryable: false,
    hint: {
      zh: '重新讀取權杖檔中的權杖 (只有刪除權杖檔後重新啟動才會更換)',
      en: 'Read the token again from the token file (it changes only when the file is deleted and the gateway restarted)',
    },
  },
  {
    code: 'PAIRING_CODE_INVALID',
    category: 'ACCESS',
    text: { zh: '配對碼不正確或已逾時', en: 'The pairing code is wrong, expired, or no pairing was requested from this origin' },
    retryable: false,
    hint: {
      zh: '輸入閘道主控台或本機狀態頁 (/status) 顯示的 6 位數配對碼；配對碼 2 分鐘內有效、可試 5 次，逾時請重新要求配對',
      en: 'Type the 6-digit code the gateway shows in its console and on /status on this computer; a code lasts 2 minutes and 5 tries, then request pairing again',
    },
  },
  {
    code: 'PAIRING_ORIGIN_MISMATCH',
    category: 'ACCESS',
    text: { zh: '配對權杖不屬於此網頁來源', en: 'The pairing token belongs to another origin' },
    retryable: false,
    hint: {
      zh: '配對權杖只能由完成配對的網頁來源使用；請由此網頁重新配對',
      en: 'A pairing token works only from the origin that paired; pair again from this page',
    },
  },
  {
    code: 'RATE_LIMITED',
    category: 'ACCESS',
    text: { zh: '此來源讀取身分資料過於頻繁', en: 'Too many identity reads from this origin' },
    retryable: true,
    hint: {
      zh: '等待 retryAfter 秒後再試；上限以 --identity-reads-per-minute 設定',
      en: 'Wait extensions.retryAfter seconds and try again; the limit is set with --identity-reads-per-minute',
    },
  },
  {
    code: 'QUERY_TOO_DEEP',
    category: 'ACCESS',
    text: { zh: '查詢巢狀層數超過上限', en: 'The query is nested deeper than the gateway allows' },
    retryable: false,
    hint: { zh: '減少查詢的巢狀層數', en: 'Select fewer nested levels (extensions.limit is the maximum depth)' },
  },
  {
    code: 'QUERY_TOO_COMPLEX',
    category: 'ACCESS',
    text: { zh: '查詢成本超過上限', en: 'The query costs more than the gateway allows' },
    retryable: false,
    hint: { zh: '減少查詢的欄位，或拆成數個查詢', en: 'Select fewer fields or split the query into several' },
  },
  {
    code: 'TOO_MANY_ALIASES',
    category: 'ACCESS',
    text: { zh: '查詢使用的別名過多', en: 'The query uses more aliases than the gateway allows' },
    retryable: false,
    hint: { zh: '減少別名數量', en: 'Use fewer aliases (extensions.limit is the maximum)' },
  },
  {
    code: 'TOO_MANY_TOKENS',
    category: 'ACCESS',
    text: { zh: '查詢文字過長', en: 'The query document is longer than the gateway allows' },
    retryable: false,
    hint: { zh: '縮短查詢文字', en: 'Send a shorter document (extensions.limit is the maximum number of tokens)' },
  },
  {
    code: 'TOO_MANY_DIRECTIVES',
    category: 'ACCESS',
    text: { zh: '查詢使用的指令過多', en: 'The query uses more directives than the gateway allows' },
    retryable: false,
    hint: { zh: '減少 @include/@skip 等指令', en: 'Use fewer directives such as @include/@skip' },
  },
  {
    code: 'REQUEST_ENTITY_TOO_LARGE',
    category: 'ACCESS',
    text: { zh: '請求內容過大', en: 'The request body is larger than the gateway allows (HTTP 413)' },
    retryable: false,
    hint: { zh: '縮小請求內容', en: 'Send a smaller request; the limit is 1 MiB by default' },
  },
  // ---- NHI treatment-ID Web API and its SAM signer (issue 5, docs/webapi.md); RtnCodes are in webapi-codes.ts ----
  {
    code: 'WEB_API_UNREACHABLE',
    category: 'NETWORK',
    text: { zh: '無法連線健保署就醫識別碼 Web API（請求未送出）', en: 'NHI’s treatment-ID Web API could not be reached (the request was not sent)' },
    retryable: true,
    hint: {
      zh: '請檢查網路與健保 VPN（需能連線 medvpndti.nhi.gov.tw:443），恢復後再試一次',
      en: 'Check the network and the NHI VPN (medvpndti.nhi.gov.tw:443 must be reachable), then try again',
    },
  },
  {
    code: 'WEB_API_TLS_UNTRUSTED',
    category: 'NETWORK',
    text: { zh: 'Web API 伺服器憑證無法驗證，為安全起見未送出請求', en: 'The Web API server’s certificate could not be verified, so nothing was sent' },
    retryable: false,
    hint: {
      zh: '請取得健保署憑證鏈 (CA) 檔，以 --nhi-ca-file 指定（見 docs/webapi.md）；閘道不會關閉憑證驗證',
      en: 'Get NHI’s CA chain as a file and pass it with --nhi-ca-file (see docs/webapi.md); certificate verification is never turned off',
    },
  },
  {
    code: 'WEB_API_TIMEOUT',
    category: 'NETWORK',
    text: { zh: 'Web API 未在時限內回應（請求已送出，結果未知）', en: 'The Web API did not answer in time (the request was sent; its outcome is unknown)' },
    retryable: true,
    hint: {
      zh: '就診資料已保留：稍後以 treatmentIdForVisit 補取就醫識別碼；若經常發生請檢查健保 VPN',
      en: 'The visit is kept: complete its treatment ID later with treatmentIdForVisit; if it keeps happening, check the NHI VPN',
    },
  },
  {
    code: 'WEB_API_CONNECTION_LOST',
    category: 'NETWORK',
    text: { zh: 'Web API 連線在回應前中斷（請求已送出，結果未知）', en: 'The connection to the Web API was lost before its answer (the request was sent; its outcome is unknown)' },
    retryable: true,
    hint: {
      zh: '就診資料已保留：稍後以 treatmentIdForVisit 補取就醫識別碼；若經常發生請檢查健保 VPN',
      en: 'The visit is kept: complete its treatment ID later with treatmentIdForVisit; if it keeps happening, check the NHI VPN',
    },
  },
  {
    code: 'WEB_API_BAD_RESPONSE',
    category: 'NETWORK',
    text: { zh: 'Web API 的回應無法辨識', en: 'The Web API’s answer could not be understood' },
    retryable: true,
    hint: {
      zh: '請確認 --webapi-url（作業路徑未公開，預設值為推定，見 docs/webapi.md）；稍後以 treatmentIdForVisit 補取',
      en: 'Check --webapi-url (the operation path is not public; the default is an assumption, see docs/webapi.md); complete it later with treatmentIdForVisit',
    },
  },
  {
    code: 'WEB_API_CA_FILE_INVALID',
    category: 'NETWORK',
    text: { zh: '健保署 CA 憑證檔 (--nhi-ca-file) 無法讀取或不含憑證', en: 'The NHI CA file (--nhi-ca-file) cannot be read or holds no certificate' },
    retryable: false,
    hint: {
      zh: '請將健保署 CA 憑證匯出為 Base-64 (PEM) 或 DER 格式的 .cer 檔，再以 --nhi-ca-file 指定',
      en: 'Export NHI’s CA certificates as a Base-64 (PEM) or DER .cer file and point --nhi-ca-file at it',
    },
  },
  {
    code: 'WEB_API_REQUEST_INVALID',
    category: 'VISIT',
    text: { zh: 'Web API 請求欄位不符規格，未送出', en: 'A Web API request field does not meet the specification, so nothing was sent' },
    retryable: false,
    hint: {
      zh: '請確認卡片與安全模組資料；就診資料已保留，可改以其他方式取得就醫識別碼',
      en: 'Check the card and SAM data; the visit is kept and its treatment ID can be obtained another way',
    },
  },
  {
    code: 'SIGNER_UNAVAILABLE',
    category: 'SAM',
    text: { zh: '無法使用 VPN 加值元件 (CsHisX) 取得安全模組簽章', en: 'The VPN value-added component (CsHisX COM object) is not available for signing' },
    retryable: false,
    hint: {
      zh: '以系統管理員身分註冊 C:\\NHI\\LIB\\csHisX.dll：C:\\Windows\\SysWOW64\\regsvr32.exe C:\\NHI\\LIB\\csHisX.dll（32 位元元件需搭配 32 位元閘道 nhi-gateway-win-x86.exe）',
      en: 'Register C:\\NHI\\LIB\\csHisX.dll as administrator: C:\\Windows\\SysWOW64\\regsvr32.exe C:\\NHI\\LIB\\csHisX.dll (a 32-bit component needs the 32-bit gateway, nhi-gateway-win-x86.exe)',
    },
  },
  {
    code: 'SIGNER_FAILED',
    category: 'SAM',
    text: { zh: 'Web API 安全模組簽章 (VPNGetRandomX / VPNH_SignX) 失敗', en: 'The SAM signature for the Web API (VPNGetRandomX / VPNH_SignX) failed' },
    retryable: true,
    hint: {
      zh: '請確認雲端安全模組主控台 (csfsim.exe) 已啟動且安全模組已認證 (verifySam)，然後再試一次',
      en: 'Make sure the cloud SAM console (csfsim.exe) is running and the SAM is authenticated (verifySam), then try again',
    },
  },
  // ---- PC/SC backend (issue 4, docs/pcsc.md) ----
  {
    code: 'NOT_SUPPORTED_BY_BACKEND',
    category: 'CONTROL_SOFTWARE',
    text: {
      zh: '目前的後端不支援此功能 (PC/SC 直接讀卡僅能讀取基本資料)',
      en: 'The current backend cannot do this (direct PC/SC access reads basic data only)',
    },
    retryable: false,
    hint: {
      zh: '需要健保署讀卡機控制軟體：在安裝控制軟體的工作站以 --backend cshis 啟動閘道',
      en: 'This needs NHI’s control software: start the gateway with --backend cshis on a workstation where it is installed',
    },
  },
  {
    code: 'PCSC_UNAVAILABLE',
    category: 'READER',
    text: { zh: '智慧卡服務 (PC/SC) 無法使用', en: 'The smart-card service (PC/SC) is not available' },
    retryable: true,
    hint: {
      zh: '請啟動 pcscd (Linux) 或 Windows 的「智慧卡」服務並連接讀卡機；服務出現後閘道會自動連上',
      en: 'Start pcscd (Linux) or the Windows Smart Card service and connect a reader; the gateway attaches once it is up',
    },
  },
  {
    code: 'CARD_IN_USE',
    category: 'CARD',
    text: { zh: '卡片正由其他程式獨占使用', en: 'Another application is using the card exclusively' },
    retryable: true,
    hint: {
      zh: '請等候其他程式 (例如讀卡機控制軟體) 完成作業後再試',
      en: 'Wait for the other application (e.g. NHI’s control software) to finish, then try again',
    },
  },
  {
    code: 'CONTROL_SOFTWARE_TOO_OLD',
    category: 'CONTROL_SOFTWARE',
    text: { zh: '讀卡機控制軟體版本過舊，不支援這項功能', en: 'The control software is too old for this function' },
    retryable: false,
    hint: {
      zh: '請將健保署讀卡機控制軟體更新至 5.1.5.7 以上（1.53 需 5.1.5.1、1.56 需 5.1.5.3），或改用此版本支援的取號方式 (--visit-strategy)',
      en: 'Update the NHI control software to 5.1.5.7 or later (1.53 needs 5.1.5.1, 1.56 needs 5.1.5.3), or pick a visit strategy this version supports (--visit-strategy)',
    },
  },
  {
    code: 'CSDLL_INI_NOT_FOUND',
    category: 'CONTROL_SOFTWARE',
    text: { zh: '找不到 csdll.ini', en: 'csdll.ini not found' },
    retryable: false,
    hint: {
      zh: '請安裝健保署讀卡機控制軟體（會建立 C:\\NHI\\INI\\csdll.ini），或以 --csdll-ini 指定檔案位置',
      en: 'Install the NHI control software (it creates C:\\NHI\\INI\\csdll.ini) or point --csdll-ini at the file',
    },
  },
  {
    code: 'CSDLL_INI_READ_ONLY',
    category: 'CONTROL_SOFTWARE',
    text: { zh: 'csdll.ini 為唯讀檔案，閘道未做任何變更', en: 'csdll.ini is read-only, so the gateway did not change it' },
    retryable: false,
    hint: {
      zh: '健保署建議將 csdll.ini 設為唯讀，以免 VPN 網頁改寫 COM=。若要修改，請先取消檔案內容中的「唯讀」，修改後再設回唯讀',
      en: 'NHI advises keeping csdll.ini read-only so the VPN page cannot rewrite COM=. To change it, clear the read-only attribute, apply the change, then set read-only again',
    },
  },
  {
    code: 'CSDLL_INI_IO_FAILED',
    category: 'CONTROL_SOFTWARE',
    text: { zh: '無法讀寫 csdll.ini', en: 'Cannot read or write csdll.ini' },
    retryable: true,
    hint: {
      zh: '請確認資料夾權限（C:\\NHI\\INI 可能需要系統管理員權限），以及沒有其他程式鎖住此檔案',
      en: 'Check the permissions of the folder (C:\\NHI\\INI may need an administrator) and that no program holds the file open',
    },
  },
  {
    code: 'CSDLL_INI_NOT_CONFIGURED',
    category: 'CONTROL_SOFTWARE',
    text: { zh: '此後端沒有 csdll.ini（模擬器不使用此檔案）', en: 'This backend has no csdll.ini (the simulator does not use one)' },
    retryable: false,
    hint: {
      zh: '請以 --backend cshis 啟動閘道（檔案不在 C:\\NHI\\INI 時加上 --csdll-ini）',
      en: 'Start the gateway with --backend cshis (and --csdll-ini if the file is not in C:\\NHI\\INI)',
    },
  },
  // ---- the request itself (top-level errors[] only; docs/api-conventions.md) ----
  {
    code: 'BAD_REQUEST',
    category: 'REQUEST',
    text: { zh: '請求格式錯誤', en: 'The request is malformed' },
    retryable: false,
    hint: {
      zh: '請以 POST（JSON，含 query 欄位）或 GET 傳送 GraphQL 請求',
      en: 'Send GraphQL as POST (JSON with a query field) or GET',
    },
  },
  {
    code: 'GRAPHQL_PARSE_FAILED',
    category: 'REQUEST',
    text: { zh: 'GraphQL 查詢語法錯誤', en: 'The GraphQL document does not parse' },
    retryable: false,
    hint: { zh: '請修正 message 所指的語法位置', en: 'Fix the syntax at the location the message names' },
  },
  {
    code: 'GRAPHQL_VALIDATION_FAILED',
    category: 'REQUEST',
    text: { zh: 'GraphQL 查詢不符合結構描述 (schema)', en: 'The GraphQL document does not match the schema' },
    retryable: false,
    hint: {
      zh: '請對照 GraphiQL 的 Docs 或 schema/schema.graphql 修正欄位與參數',
      en: 'Check the fields and arguments against GraphiQL’s Docs or schema/schema.graphql',
    },
  },
  {
    code: 'BAD_USER_INPUT',
    category: 'REQUEST',
    text: { zh: '輸入資料不正確', en: 'An input value is not valid' },
    retryable: false,
    hint: {
      zh: '請依 extensions.field 與 extensions.rule 修正該欄位後再送出；卡片未被讀寫',
      en: 'Fix the field named in extensions.field as extensions.rule says, then send again; no card was touched',
    },
  },
  {
    // yoga's own code (HTTP) and src/transport/ws.ts: a document with several operations and no operationName,
    // or an operationName the document does not have.
    code: 'OPERATION_RESOLUTION_FAILURE',
    category: 'REQUEST',
    text: { zh: '無法判斷要執行哪一項操作', en: 'Could not determine which operation to run' },
    retryable: false,
    hint: {
      zh: '文件含多項操作時，請以 operationName 指定其中一項（名稱須與文件中的操作相同）',
      en: 'The document holds several operations: name one of them in operationName',
    },
  },
  {
    // src/early-server.ts: a request held while the gateway was still loading its app, for longer than it waits.
    code: 'GATEWAY_STARTING',
    category: 'REQUEST',
    text: { zh: '閘道仍在啟動中', en: 'The gateway is still starting' },
    retryable: true,
    hint: { zh: '稍候一秒再試；可先查詢 /ready', en: 'Try again in a second; /ready says when the gateway is ready' },
  },
  {
    code: 'OPERATION_NOT_FOUND',
    category: 'REQUEST',
    text: { zh: '找不到這項長時間作業', en: 'No such long operation' },
    retryable: false,
    hint: {
      zh: '作業編號不正確，或作業已結束太久（閘道只保留最近 50 筆）；請以 operation(id) 查詢或重新開始作業',
      en: 'The id is wrong or the operation finished long ago (the gateway keeps the last 50); query operation(id) or start it again',
    },
  },
  {
    code: 'INTERNAL_SERVER_ERROR',
    category: 'REQUEST',
    text: { zh: '閘道發生非預期的錯誤', en: 'Unexpected error in the gateway' },
    retryable: false,
    hint: {
      zh: '請記下時間並將閘道日誌提供給維護人員',
      en: 'Note the time and give the gateway log to whoever maintains it',
    },
  },
] as const satisfies readonly GatewayCodeEntry[];

export type GatewayCodeName = (typeof GATEWAY_CODES)[number]['code'];

/** The catalogue entry of a gateway code (for errors that add context, such as a file path, to its text). */
export function gatewayCodeEntry(code: GatewayCodeName): GatewayCodeEntry {
  const entry = GATEWAY_CODES.find((e) => e.code === code);
  if (!entry) throw new Error(`unknown gateway code ${code}`);
  return entry;
}

const BY_CODE = new Map<string, GatewayCodeEntry>(GATEWAY_CODES.map((entry) => [entry.code, entry]));

type EntryOf<C extends GatewayCodeName> = Extract<(typeof GATEWAY_CODES)[number], { readonly code: C }>;
/** The class a gateway code constructs, e.g. `GatewayErrorFor<'CARD_REMOVED'>` is `CardError`. */
export type GatewayErrorFor<C extends GatewayCodeName> = InstanceType<(typeof ERROR_CLASSES)[EntryOf<C>['category']]>;

/** The typed error for a gateway code; `overrides` may replace the text (never with patient data). */
export function gatewayError<C extends GatewayCodeName>(
  code: C,
  overrides: Partial<Pick<GatewayCodeEntry, 'text' | 'hint' | 'retryable'>> = {},
): GatewayErrorFor<C> {
  const entry = BY_CODE.get(code);
  if (!entry) throw new Error(`unknown gateway code ${code}`);
  const ErrorClass = ERROR_CLASSES[entry.category];
  return new ErrorClass({
    code: entry.code,
    vendorCode: null,
    text: overrides.text ?? entry.text,
    retryable: overrides.retryable ?? entry.retryable,
    hint: overrides.hint ?? entry.hint,
  }) as GatewayErrorFor<C>;
}

// ---- factories: one per code, typed to its class ----

/** A native call exceeded its timeout; the backend is being reset. `fn` (an export name) refines the text. */
export function callTimeoutError(fn?: string): GatewayErrorFor<'CALL_TIMEOUT'> {
  if (fn === undefined) return gatewayError('CALL_TIMEOUT');
  return gatewayError('CALL_TIMEOUT', {
    text: { zh: `控制軟體呼叫 ${fn} 逾時，正在重設`, en: `The control-software call ${fn} timed out; the gateway is resetting it` },
  });
}
export const controlSoftwareUnavailableError = (): GatewayErrorFor<'CONTROL_SOFTWARE_UNAVAILABLE'> =>
  gatewayError('CONTROL_SOFTWARE_UNAVAILABLE');
/** The loaded DLL lacks an export. `exportName` refines the text. */
export function missingExportError(exportName?: string): GatewayErrorFor<'MISSING_EXPORT'> {
  if (exportName === undefined) return gatewayError('MISSING_EXPORT');
  return gatewayError('MISSING_EXPORT', {
    text: {
      zh: `此版本控制軟體不提供這項功能 (缺少 ${exportName})`,
      en: `This control-software version does not provide this function (no export ${exportName})`,
    },
  });
}
export const cardRemovedError = (): GatewayErrorFor<'CARD_REMOVED'> => gatewayError('CARD_REMOVED');
export const notAnNhiCardError = (): GatewayErrorFor<'NOT_AN_NHI_CARD'> => gatewayError('NOT_AN_NHI_CARD');
export const readerNotFoundError = (): GatewayErrorFor<'READER_NOT_FOUND'> => gatewayError('READER_NOT_FOUND');
export const actionPendingError = (): GatewayErrorFor<'ACTION_PENDING'> => gatewayError('ACTION_PENDING');
export const simulatorOnlyError = (): GatewayErrorFor<'SIMULATOR_ONLY'> => gatewayError('SIMULATOR_ONLY');
export const treatmentIdPendingError = (): GatewayErrorFor<'TREATMENT_ID_PENDING'> => gatewayError('TREATMENT_ID_PENDING');
export const webApiNotConfiguredError = (): GatewayErrorFor<'WEB_API_NOT_CONFIGURED'> => gatewayError('WEB_API_NOT_CONFIGURED');
export const idempotencyKeyReusedError = (): GatewayErrorFor<'IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_INPUT'> =>
  gatewayError('IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_INPUT');
export const idempotencyKeySpentError = (): GatewayErrorFor<'IDEMPOTENCY_KEY_SPENT'> => gatewayError('IDEMPOTENCY_KEY_SPENT');
export const outcomeUnknownError = (): GatewayErrorFor<'OUTCOME_UNKNOWN'> => gatewayError('OUTCOME_UNKNOWN');
export const journalUnavailableError = (): GatewayErrorFor<'JOURNAL_UNAVAILABLE'> => gatewayError('JOURNAL_UNAVAILABLE');
