import { describe, expect, it } from 'vitest';
import type { RegionLevel, Role, TicketSummary } from '@gridline/core';
import type { AuthContext } from '../http/types.ts';
import { canSeeTicket, ticketScope } from './scope.ts';
import { canonicalJson } from '../tickets/ticket-service.ts';

const ticket = {
  id: 1,
  gridId: 40,
  communityId: 30,
  streetId: 20,
  districtId: 10,
  assigneeId: 900,
} as TicketSummary;

const as = (
  role: Role,
  regionId: number | null,
  regionLevel: RegionLevel | null,
  id = 1,
): AuthContext => ({
  sessionId: 's',
  regionLevel,
  user: { id, username: 'u', displayName: 'U', role, regionId },
});

describe('ticket scope', () => {
  it.each([
    ['admin', as('ADMIN', null, null), true],
    ['city dispatcher', as('DISPATCHER', 1, 'CITY'), true],
    ['district dispatcher of its district', as('DISPATCHER', 10, 'DISTRICT'), true],
    ['district dispatcher elsewhere', as('DISPATCHER', 11, 'DISTRICT'), false],
    ['street dispatcher of its street', as('DISPATCHER', 20, 'STREET'), true],
    ['community staff of its community', as('COMMUNITY_STAFF', 30, 'COMMUNITY'), true],
    ['community staff elsewhere', as('COMMUNITY_STAFF', 31, 'COMMUNITY'), false],
    ['grid member of its grid', as('GRID_MEMBER', 40, 'GRID'), true],
    ['grid member of another grid', as('GRID_MEMBER', 41, 'GRID'), false],
    ['grid member elsewhere who is the assignee', as('GRID_MEMBER', 41, 'GRID', 900), true],
    ['staff without a region', as('COMMUNITY_STAFF', null, null), false],
    ['volunteer', as('VOLUNTEER', 30, 'COMMUNITY'), false],
    ['resident who did not report it', as('RESIDENT', null, null, 5), false],
  ])('%s: %s', (_name, auth, allowed) => {
    expect(canSeeTicket(auth, ticket, 77)).toBe(allowed);
  });

  it('lets a resident see their own report', () => {
    expect(canSeeTicket(as('RESIDENT', null, null, 77), ticket, 77)).toBe(true);
    expect(ticketScope(as('RESIDENT', null, null, 77))).toEqual({ reporterUserId: 77 });
  });

  it('builds the same rule as a database filter', () => {
    expect(ticketScope(as('ADMIN', null, null))).toEqual({});
    expect(ticketScope(as('DISPATCHER', 20, 'STREET', 3))).toEqual({
      OR: [{ streetId: 20 }, { assigneeId: 3 }],
    });
    expect(ticketScope(as('VOLUNTEER', 30, 'COMMUNITY'))).toEqual({ id: -1 });
  });
});

describe('canonicalJson', () => {
  it('hashes the same body the same whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, { e: 3, f: 2 }] }, b: 1 }),
    );
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
  });
});
