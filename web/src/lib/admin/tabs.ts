export const ADMIN_TABS = ['regions', 'categories', 'users', 'open311', 'audit'] as const;
export type AdminTab = (typeof ADMIN_TABS)[number];
