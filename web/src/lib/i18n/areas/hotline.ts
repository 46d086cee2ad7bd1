/** Strings of /hotline, in Simplified Chinese and English (keys start with 'hotline.'). */
export const zh = {
  'hotline.title': '热线受理',
} as const;

export const en: Record<keyof typeof zh, string> = {
  'hotline.title': 'Hotline',
};
