import { describe, expect, it } from 'vitest';
import type { TrackedEventPayload, TrackView } from '@gridline/core';
import { withEntry } from './timeline.ts';

const ticket = {
  code: 'GL-261206-AAAAAA',
  status: 'ASSIGNED' as const,
  categoryCode: 'NOISE',
  priority: 'NORMAL' as const,
  location: { lat: 41, lng: 123 },
  address: null,
  createdAt: '2026-12-06T08:00:00.000Z',
  updatedAt: '2026-12-06T08:00:00.000Z',
  acceptBy: null,
  resolveBy: null,
  overdue: false,
  version: 2,
};
const entry = (eventId: number, step: 'created' | 'assigned' | 'accepted') => ({
  eventId,
  at: '2026-12-06T08:00:00.000Z',
  step,
  status: null,
  note: null,
  rating: null,
  intoCode: null,
});
const view: TrackView = {
  ticket: {
    ...ticket,
    categoryNames: { zh: '噪音', en: 'Noise' },
    description: 'x',
    rating: null,
    ratingComment: null,
    resolvedAt: null,
  },
  holder: 'reporter',
  options: { canRate: false, canReopen: false, reopenUntil: null },
  timeline: [entry(1, 'created'), entry(2, 'assigned')],
  photos: [],
  follows: null,
};
const pushed = (code: string, eventId: number): TrackedEventPayload => ({
  eventId,
  code,
  entry: entry(eventId, 'accepted'),
  ticket: { ...ticket, code, status: 'ACCEPTED', version: 3 },
});

describe('a tracked timeline', () => {
  it('takes a pushed step once, in event order, with the new status', () => {
    const next = withEntry(view, pushed(ticket.code, 5));
    expect(next.ticket).toMatchObject({ status: 'ACCEPTED', version: 3, description: 'x' });
    expect(next.timeline.map((item) => item.eventId)).toEqual([1, 2, 5]);
    expect(withEntry(next, pushed(ticket.code, 5)).timeline).toHaveLength(3);
  });

  it("puts the original's steps under `follows` for a merged duplicate, and ignores strangers", () => {
    const merged = {
      ...view,
      follows: { code: 'GL-261206-BBBBBB', status: 'ASSIGNED' as const, timeline: [] },
    };
    const next = withEntry(merged, pushed('GL-261206-BBBBBB', 9));
    expect(next.follows).toMatchObject({ status: 'ACCEPTED', timeline: [{ eventId: 9 }] });
    expect(next.timeline).toHaveLength(2);
    expect(withEntry(view, pushed('GL-261206-CCCCCC', 9))).toBe(view);
  });
});
