export const ADMIN_TABS = ['regions', 'categories', 'users', 'audit'] as const;
export type AdminTab = (typeof ADMIN_TABS)[number];
