import { describe, expect, it } from 'vitest';
import type { TicketEventPayload } from '@gridline/core';
import type { TicketDetail, TimelineEntry } from './api.ts';
import { entryAction, entryNote, entrySystemReason, mergeLiveEvent } from './timeline.ts';

const detail: TicketDetail = {
  id: 1,
  code: 'GL-1',
  status: 'ASSIGNED',
  categoryCode: 'NOISE',
  priority: 'NORMAL',
  channel: 'WEB',
  location: { lat: 41, lng: 123 },
  address: null,
  gridId: 1,
  communityId: 2,
  streetId: 3,
  districtId: 4,
  assigneeId: 5,
  escalationLevel: 0,
  acceptBy: null,
  resolveBy: null,
  overdue: false,
  outsideGrid: false,
  version: 2,
  createdAt: '2026-11-22T07:00:00Z',
  updatedAt: '2026-11-22T07:00:00Z',
  description: '噪音',
  reporter: { name: null, phone: null },
  photos: [],
};

const entry = (eventId: number, patch: Partial<TimelineEntry> = {}): TimelineEntry => ({
  eventId,
  type: 'ticket.updated',
  at: '2026-11-22T07:00:00Z',
  actorId: null,
  fromStatus: null,
  toStatus: null,
  data: {},
  ...patch,
});

describe('mergeLiveEvent', () => {
  it('takes a newer version and appends the event once, in id order', () => {
    const payload: TicketEventPayload = {
      ...entry(5, { type: 'ticket.escalated', data: { toLevel: 1 } }),
      ticket: { ...detail, version: 3, escalationLevel: 1 },
    };
    const first = mergeLiveEvent(detail, [entry(1), entry(7)], payload);
    expect(first.detail.escalationLevel).toBe(1);
    expect(first.detail.description).toBe('噪音');
    expect(first.timeline.map((item) => item.eventId)).toEqual([1, 5, 7]);
    const again = mergeLiveEvent(first.detail, first.timeline, payload);
    expect(again.timeline).toBe(first.timeline);
  });

  it('keeps the detail when the event carries an older version', () => {
    const payload: TicketEventPayload = {
      ...entry(3),
      ticket: { ...detail, version: 1, status: 'NEW' },
    };
    expect(mergeLiveEvent(detail, [], payload).detail.status).toBe('ASSIGNED');
  });
});

describe('timeline entries', () => {
  it('names the action, else the event type', () => {
    expect(entryAction(entry(1, { data: { action: 'summon' } }))).toBe('summon');
    expect(entryAction(entry(1, { type: 'ticket.escalated' }))).toBe('escalated');
  });

  it('tells typed notes from reasons the system writes', () => {
    expect(entryNote(entry(1, { data: { reason: '居民要求' } }))).toBe('居民要求');
    expect(entryNote(entry(1, { data: { reason: 'accept-deadline' } }))).toBeNull();
    expect(entrySystemReason(entry(1, { data: { reason: 'accept-deadline' } }))).toBe(
      'accept-deadline',
    );
  });
});
