/** Strings of /dashboard, in Simplified Chinese and English (keys start with 'dashboard.'). */
export const zh = {
  'dashboard.title': '统计看板',
} as const;

export const en: Record<keyof typeof zh, string> = {
  'dashboard.title': 'Dashboard',
};
