import type { Role } from '@gridline/core';
import type { MessageKey } from './i18n/index.ts';

export type SectionPath =
  | '/dispatch'
  | '/member'
  | '/volunteer'
  | '/hotline'
  | '/community'
  | '/dashboard'
  | '/admin';

export interface Section {
  path: SectionPath;
  label: MessageKey;
  roles: readonly Role[];
}

/** The console's pages and who works in each; the first one a role may use is its home. */
export const SECTIONS: readonly Section[] = [
  { path: '/member', label: 'nav.member', roles: ['GRID_MEMBER'] },
  { path: '/volunteer', label: 'volunteer.nav', roles: ['VOLUNTEER'] },
  { path: '/dispatch', label: 'nav.dispatch', roles: ['DISPATCHER', 'COMMUNITY_STAFF', 'ADMIN'] },
  { path: '/hotline', label: 'nav.hotline', roles: ['DISPATCHER', 'COMMUNITY_STAFF', 'ADMIN'] },
  {
    path: '/community',
    label: 'community.nav',
    roles: ['COMMUNITY_STAFF', 'GRID_MEMBER', 'ADMIN'],
  },
  {
    path: '/dashboard',
    label: 'nav.dashboard',
    roles: ['DISPATCHER', 'COMMUNITY_STAFF', 'ADMIN', 'GRID_MEMBER'],
  },
  { path: '/admin', label: 'nav.admin', roles: ['ADMIN'] },
];

export function sectionsFor(role: Role): Section[] {
  return SECTIONS.filter((section) => section.roles.includes(role));
}

/** Where a user of this role lands after signing in (a resident: their tickets). */
export function homePathFor(role: Role): SectionPath | '/account' {
  if (role === 'RESIDENT') return '/account';
  return sectionsFor(role)[0]?.path ?? '/dispatch';
}
