import { describe, expect, it } from 'vitest';
import type { TaskSummary } from '@gridline/core';
import { applyTaskEvent, canCancel, canReoffer } from './task-list.ts';

const task = (id: number, patch: Partial<TaskSummary> = {}): TaskSummary => ({
  id,
  title: `任务 ${id}`,
  description: '',
  status: 'OFFERING',
  lat: 41.1,
  lng: 122.99,
  address: null,
  skills: [],
  startsAt: '2026-03-05T14:00:00+08:00',
  endsAt: '2026-03-05T16:00:00+08:00',
  durationMinutes: 60,
  slots: 2,
  filledSlots: 0,
  pointsPerHour: 10,
  ticketId: null,
  careRecipientId: null,
  careRecipientFirstName: null,
  gridId: 7,
  communityId: 3,
  offerRound: 0,
  radiusM: 1000,
  version: 1,
  createdById: 9,
  createdAt: '2026-03-05T12:00:00+08:00',
  ...patch,
});

describe('live task list', () => {
  const all = { status: null };

  it('replaces a row with a newer version and ignores older ones', () => {
    const list = [task(3), task(2)];
    const newer = applyTaskEvent(list, { task: task(2, { version: 2, filledSlots: 1 }) }, all);
    expect(newer.map((row) => row.filledSlots)).toEqual([0, 1]);
    expect(applyTaskEvent(newer, { task: task(2, { version: 1 }) }, all)).toBe(newer);
    expect(applyTaskEvent(newer, { task: task(2, { version: 2, filledSlots: 0 }) }, all)).toBe(
      newer,
    );
  });

  it('adds a new task in id order, newest first', () => {
    const list = [task(5), task(2)];
    expect(applyTaskEvent(list, { task: task(7) }, all).map((row) => row.id)).toEqual([7, 5, 2]);
    expect(applyTaskEvent(list, { task: task(3) }, all).map((row) => row.id)).toEqual([5, 3, 2]);
    expect(applyTaskEvent(list, { task: task(1) }, all).map((row) => row.id)).toEqual([5, 2, 1]);
  });

  it('follows the status filter', () => {
    const offering = { status: 'OFFERING' as const };
    const list = [task(2)];
    expect(applyTaskEvent(list, { task: task(3, { status: 'FILLED' }) }, offering)).toBe(list);
    expect(
      applyTaskEvent(list, { task: task(2, { status: 'FILLED', version: 2 }) }, offering),
    ).toEqual([]);
  });

  it('offers cancel and reoffer only when the server would allow them', () => {
    const now = new Date('2026-03-05T13:00:00+08:00');
    expect(canCancel(task(1, { status: 'FILLED' }))).toBe(true);
    expect(canCancel(task(1, { status: 'COMPLETED' }))).toBe(false);
    expect(canCancel(task(1, { status: 'CANCELLED' }))).toBe(false);
    expect(canReoffer(task(1, { status: 'HANDED_OVER' }), now)).toBe(true);
    expect(canReoffer(task(1, { status: 'OFFERING', filledSlots: 2 }), now)).toBe(false);
    expect(canReoffer(task(1, { status: 'IN_PROGRESS' }), now)).toBe(false);
    expect(canReoffer(task(1), new Date('2026-03-05T17:00:00+08:00'))).toBe(false);
  });
});
