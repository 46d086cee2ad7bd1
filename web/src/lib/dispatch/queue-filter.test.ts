import { describe, expect, it } from 'vitest';
import type { TicketSummary } from '@gridline/core';
import {
  EMPTY_FILTER,
  filterTickets,
  isFilterActive,
  isOverdue,
  looksLikePhone,
  matchesSearch,
} from './queue-filter.ts';

const NOW = Date.parse('2026-11-22T08:00:00Z');

function ticket(patch: Partial<TicketSummary> & { id: number }): TicketSummary {
  return {
    code: `GL-20261122-${String(patch.id).padStart(5, '0')}`,
    status: 'ASSIGNED',
    categoryCode: 'NOISE',
    priority: 'NORMAL',
    channel: 'HOTLINE',
    location: { lat: 41.1, lng: 123 },
    address: null,
    gridId: 10,
    communityId: 9,
    streetId: 8,
    districtId: 7,
    assigneeId: 5,
    escalationLevel: 0,
    acceptBy: '2026-11-22T09:00:00Z',
    resolveBy: '2026-11-23T08:00:00Z',
    overdue: false,
    outsideGrid: false,
    version: 1,
    createdAt: '2026-11-22T07:00:00Z',
    updatedAt: '2026-11-22T07:00:00Z',
    ...patch,
  };
}

const tickets = [
  ticket({ id: 1, address: '铁东区和平街道健身社区 3 号楼' }),
  ticket({ id: 2, categoryCode: 'GARBAGE', status: 'ACCEPTED', acceptBy: null }),
  ticket({ id: 3, escalationLevel: 2, acceptBy: '2026-11-22T07:30:00Z' }),
  ticket({ id: 4, status: 'IN_PROGRESS', overdue: true, escalationLevel: 1 }),
  ticket({ id: 5, status: 'PENDING', resolveBy: '2026-11-22T07:00:00Z', acceptBy: null }),
];

const ids = (list: readonly TicketSummary[]) => list.map((item) => item.id);

describe('filterTickets', () => {
  it('returns the same list when no filter is set', () => {
    expect(isFilterActive(EMPTY_FILTER)).toBe(false);
    expect(filterTickets(tickets, EMPTY_FILTER, NOW)).toBe(tickets);
  });

  it('filters by category, status and escalation level, keeping the order', () => {
    expect(ids(filterTickets(tickets, { ...EMPTY_FILTER, category: 'GARBAGE' }, NOW))).toEqual([2]);
    expect(ids(filterTickets(tickets, { ...EMPTY_FILTER, status: 'ASSIGNED' }, NOW))).toEqual([
      1, 3,
    ]);
    expect(ids(filterTickets(tickets, { ...EMPTY_FILTER, level: 0 }, NOW))).toEqual([1, 2, 5]);
    expect(ids(filterTickets(tickets, { ...EMPTY_FILTER, level: 2 }, NOW))).toEqual([3]);
  });

  it('keeps only overdue tickets: flagged, or a running deadline passed (not paused ones)', () => {
    expect(ids(filterTickets(tickets, { ...EMPTY_FILTER, overdueOnly: true }, NOW))).toEqual([
      3, 4,
    ]);
    expect(isOverdue(tickets[4]!, NOW)).toBe(false);
  });

  it('combines filters', () => {
    const filter = { ...EMPTY_FILTER, overdueOnly: true, status: 'IN_PROGRESS' as const };
    expect(ids(filterTickets(tickets, filter, NOW))).toEqual([4]);
  });
});

describe('matchesSearch', () => {
  it('finds a ticket by part of its code, ignoring case and dashes', () => {
    expect(matchesSearch(tickets[2]!, 'gl-20261122-00003')).toBe(true);
    expect(matchesSearch(tickets[2]!, '2026112200003')).toBe(true);
    expect(matchesSearch(tickets[2]!, '00004')).toBe(false);
  });

  it('finds a ticket by part of its address, full-width characters folded', () => {
    expect(matchesSearch(tickets[0]!, '健身社区')).toBe(true);
    expect(matchesSearch(tickets[0]!, '３ 号楼')).toBe(true);
    expect(matchesSearch(tickets[1]!, '健身社区')).toBe(false);
  });

  it('finds a ticket by the reporter phone digits when known', () => {
    const phones = new Map([[2, '138-1234-5678']]);
    expect(looksLikePhone('1234 5678')).toBe(true);
    expect(looksLikePhone('GL-1')).toBe(false);
    expect(matchesSearch(tickets[1]!, '12345678', phones)).toBe(true);
    expect(matchesSearch(tickets[0]!, '12345678', phones)).toBe(false);
  });

  it('matches everything for an empty query', () => {
    expect(matchesSearch(tickets[0]!, '   ')).toBe(true);
  });
});
