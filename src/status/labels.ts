/**
 * The words of the status page, shared by the server-rendered HTML and the page script, so the legend and
 * the live labels cannot disagree. Levels and colours are the console's (NHI briefing, CSWATCH window).
 */

export const STATUS_SLOTS = {
  HEALTH_CARD: { zh: '健保卡', en: 'Health card' },
  PROFESSIONAL_CARD: { zh: '醫事人員卡', en: 'Professional card' },
} as const;

export const STATUS_LEVELS = [
  { level: 0, colour: 'WHITE', colourZh: '白色', colourEn: 'white', zh: '無卡片', en: 'no card' },
  { level: 1, colour: 'BROWN', colourZh: '褐色', colourEn: 'brown', zh: '已插入卡片', en: 'card inserted' },
  {
    level: 2,
    colour: 'GREEN',
    colourZh: '綠色／橘色',
    colourEn: 'green (health card) / orange (professional card)',
    zh: '已與安全模組完成認證',
    en: 'authenticated with the SAM',
  },
  {
    level: 3,
    colour: 'PURPLE',
    colourZh: '淡紫色',
    colourEn: 'light purple',
    zh: '醫療模式（醫事人員卡已驗證 PIN）',
    en: 'medical mode (professional card PIN verified)',
  },
] as const;

export const STATUS_COLOURS = {
  WHITE: { zh: '白色', en: 'white' },
  BROWN: { zh: '褐色', en: 'brown' },
  GREEN: { zh: '綠色', en: 'green' },
  ORANGE: { zh: '橘色', en: 'orange' },
  PURPLE: { zh: '淡紫色', en: 'light purple' },
} as const;

export const STATUS_EVENTS = {
  CARD_INSERTED: { zh: '插入卡片', en: 'Card inserted' },
  CARD_REMOVED: { zh: '取出卡片', en: 'Card removed' },
  CARD_AUTHENTICATED: { zh: '卡片完成認證', en: 'Card authenticated' },
  READER_ATTACHED: { zh: '讀卡機已連接', en: 'Reader attached' },
  READER_DETACHED: { zh: '讀卡機已移除', en: 'Reader detached' },
} as const;

/**
 * A card session (every insertion gets one; a swap is a new one) is shown by its last characters only: enough
 * to see the card change, nothing a write could be aimed with.
 */
export const STATUS_SESSION = { zh: '卡片', en: 'card', none: { zh: '無卡片', en: 'no card' }, shownCharacters: 4 } as const;

/** Everything the page script needs, serialised into it. */
export const STATUS_LABELS = {
  session: STATUS_SESSION,
  slots: STATUS_SLOTS,
  levels: Object.fromEntries(STATUS_LEVELS.map((l) => [l.level, { zh: l.zh, en: l.en }])),
  colours: STATUS_COLOURS,
  events: STATUS_EVENTS,
};
