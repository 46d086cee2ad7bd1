/** Strings of /admin, in Simplified Chinese and English (keys start with 'admin.'). */
export const zh = {
  'admin.title': '系统管理',
} as const;

export const en: Record<keyof typeof zh, string> = {
  'admin.title': 'Administration',
};
