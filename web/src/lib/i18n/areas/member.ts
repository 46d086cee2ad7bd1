/** Strings of /member, in Simplified Chinese and English (keys start with 'member.'). */
export const zh = {
  'member.title': '我的工单',
} as const;

export const en: Record<keyof typeof zh, string> = {
  'member.title': 'My tickets',
};
