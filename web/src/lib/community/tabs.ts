import type { Role } from '@gridline/core';

export const COMMUNITY_TABS = ['volunteers', 'tasks', 'redemptions', 'care'] as const;
export type CommunityTab = (typeof COMMUNITY_TABS)[number];

/** The console's tabs each role works in: grid members create tasks only. */
export function tabsFor(role: Role): readonly CommunityTab[] {
  if (role === 'COMMUNITY_STAFF' || role === 'ADMIN') return COMMUNITY_TABS;
  if (role === 'GRID_MEMBER') return ['tasks'];
  return [];
}

/** The tab a `?tab=` value names, if this role has it; else the role's first tab. */
export function tabFrom(value: string | null, role: Role): CommunityTab | null {
  const tabs = tabsFor(role);
  return tabs.find((tab) => tab === value) ?? tabs[0] ?? null;
}
