import { describe, expect, it } from 'vitest';
import type {
  AssignmentStatus,
  AssignmentSummary,
  TaskEventPayload,
  TaskStatus,
  TaskSummary,
} from '@gridline/core';
import {
  EMPTY_TASKS,
  HISTORY_LIMIT,
  applyActionResult,
  applyTaskEvent,
  bucketOf,
  replaceWithSnapshot,
  type MyTasks,
  type TaskEntry,
} from './task-lists.ts';

const ME = 42;
const OTHER = 43;

function task(id: number, over: Partial<TaskSummary> = {}): TaskSummary {
  return {
    id,
    title: `任务 ${id}`,
    description: '',
    status: 'OFFERING',
    lat: 41.1,
    lng: 122.99,
    address: null,
    skills: [],
    startsAt: '2026-03-01T10:00:00Z',
    endsAt: '2026-03-01T12:00:00Z',
    durationMinutes: 60,
    slots: 1,
    filledSlots: 0,
    pointsPerHour: 10,
    ticketId: null,
    careRecipientId: null,
    careRecipientFirstName: null,
    gridId: 1,
    communityId: 2,
    offerRound: 0,
    radiusM: 1000,
    version: 1,
    createdById: 9,
    createdAt: '2026-03-01T09:00:00Z',
    ...over,
  };
}

function assignment(
  taskId: number,
  status: AssignmentStatus,
  over: Partial<AssignmentSummary> = {},
): AssignmentSummary {
  return {
    id: taskId * 10,
    taskId,
    volunteerId: ME,
    status,
    slot: null,
    round: 0,
    offeredAt: '2026-03-01T09:30:00Z',
    expiresAt: '2026-03-01T09:35:00Z',
    acceptedAt: null,
    checkInAt: null,
    checkOutAt: null,
    distanceM: 320,
    version: 1,
    ...over,
  };
}

const entry = (t: TaskSummary, a: AssignmentSummary): TaskEntry => ({ task: t, assignment: a });

function event(
  type: TaskEventPayload['type'],
  t: TaskSummary,
  a?: AssignmentSummary,
  eventId = 1,
): TaskEventPayload {
  return {
    eventId,
    type,
    at: '2026-03-01T09:31:00Z',
    actorId: null,
    data: {},
    task: t,
    ...(a ? { assignment: a } : {}),
  };
}

const offered = (id: number, taskOver: Partial<TaskSummary> = {}): MyTasks => ({
  ...EMPTY_TASKS,
  offers: [entry(task(id, taskOver), assignment(id, 'OFFERED'))],
});

describe('bucketOf', () => {
  it('puts offers, held slots and finished assignments in their lists', () => {
    expect(bucketOf('OFFERED')).toBe('offers');
    expect(bucketOf('ACCEPTED')).toBe('active');
    expect(bucketOf('CHECKED_IN')).toBe('active');
    for (const status of ['CHECKED_OUT', 'DECLINED', 'EXPIRED', 'NO_SHOW', 'RELEASED'] as const) {
      expect(bucketOf(status)).toBe('history');
    }
  });
});

describe('applyTaskEvent', () => {
  it('adds an offer pushed to me, soonest expiry first', () => {
    const first = applyTaskEvent(
      EMPTY_TASKS,
      event(
        'task.offered',
        task(1),
        assignment(1, 'OFFERED', { expiresAt: '2026-03-01T09:40:00Z' }),
      ),
      ME,
    );
    const second = applyTaskEvent(
      first.tasks,
      event(
        'task.offered',
        task(2),
        assignment(2, 'OFFERED', { expiresAt: '2026-03-01T09:33:00Z' }),
      ),
      ME,
    );
    expect(second.changed).toBe(true);
    expect(second.tasks.offers.map((e) => e.task.id)).toEqual([2, 1]);
    expect(second.gone).toEqual([]);
  });

  it('ignores an offer to someone else for a task I do not have', () => {
    const result = applyTaskEvent(
      EMPTY_TASKS,
      event('task.offered', task(1), assignment(1, 'OFFERED', { volunteerId: OTHER })),
      ME,
    );
    expect(result.changed).toBe(false);
    expect(result.tasks).toBe(EMPTY_TASKS);
  });

  it('moves my accepted offer to my tasks, then to history on check-out (credited once)', () => {
    const accepted = applyTaskEvent(
      offered(1),
      event(
        'task.updated',
        task(1, { status: 'FILLED', filledSlots: 1, version: 2 }),
        assignment(1, 'ACCEPTED', { version: 2, slot: 1 }),
      ),
      ME,
    );
    expect(accepted.tasks.offers).toEqual([]);
    expect(accepted.tasks.active.map((e) => e.assignment.status)).toEqual(['ACCEPTED']);
    expect(accepted.gone).toEqual([]);

    const checkedOut = applyTaskEvent(
      accepted.tasks,
      event(
        'task.updated',
        task(1, { status: 'COMPLETED', filledSlots: 1, version: 4 }),
        assignment(1, 'CHECKED_OUT', { version: 4, checkOutAt: '2026-03-01T11:00:00Z' }),
      ),
      ME,
    );
    expect(checkedOut.tasks.active).toEqual([]);
    expect(checkedOut.tasks.history.map((e) => e.assignment.status)).toEqual(['CHECKED_OUT']);
    expect(checkedOut.credited).toBe(true);
    // The same event again changes nothing and credits nothing.
    const again = applyTaskEvent(
      checkedOut.tasks,
      event(
        'task.updated',
        task(1, { status: 'COMPLETED', filledSlots: 1, version: 4 }),
        assignment(1, 'CHECKED_OUT', { version: 4 }),
      ),
      ME,
    );
    expect(again.changed).toBe(false);
    expect(again.credited).toBe(false);
  });

  it('ignores an older assignment that arrives late', () => {
    const held: MyTasks = {
      ...EMPTY_TASKS,
      active: [entry(task(1, { version: 3 }), assignment(1, 'CHECKED_IN', { version: 3 }))],
    };
    const result = applyTaskEvent(
      held,
      event('task.updated', task(1, { version: 2 }), assignment(1, 'ACCEPTED', { version: 2 })),
      ME,
    );
    expect(result.changed).toBe(false);
    expect(result.tasks.active[0]?.assignment.status).toBe('CHECKED_IN');
  });

  it('removes an offer filled by someone else, with a note', () => {
    const result = applyTaskEvent(
      offered(1),
      event(
        'task.filled',
        task(1, { status: 'FILLED', filledSlots: 1, version: 2 }),
        assignment(1, 'ACCEPTED', { id: 999, volunteerId: OTHER }),
      ),
      ME,
    );
    expect(result.tasks.offers).toEqual([]);
    expect(result.tasks.history).toEqual([]);
    expect(result.gone).toEqual([{ taskId: 1, title: '任务 1', reason: 'filled' }]);
  });

  it('says cancelled when the task was cancelled under my offer', () => {
    const result = applyTaskEvent(
      offered(1),
      event('task.updated', task(1, { status: 'CANCELLED', version: 2 })),
      ME,
    );
    expect(result.gone).toEqual([{ taskId: 1, title: '任务 1', reason: 'cancelled' }]);
  });

  it('keeps an offer I am answering even if the task fills meanwhile (it may be me who filled it)', () => {
    const result = applyTaskEvent(
      offered(1),
      event('task.filled', task(1, { status: 'FILLED', filledSlots: 1, version: 2 })),
      ME,
      new Set([1]),
    );
    expect(result.tasks.offers.map((e) => e.task.version)).toEqual([2]);
    expect(result.gone).toEqual([]);
  });

  it('keeps an offer while slots are left on a task with several', () => {
    const result = applyTaskEvent(
      offered(1, { slots: 3 }),
      event('task.filled', task(1, { slots: 3, filledSlots: 1, version: 2 })),
      ME,
    );
    expect(result.tasks.offers[0]?.task.filledSlots).toBe(1);
    expect(result.gone).toEqual([]);
  });

  it('notes an offer of mine that expired, but not one I declined', () => {
    const expired = applyTaskEvent(
      offered(1),
      event('task.updated', task(1, { version: 2 }), assignment(1, 'EXPIRED', { version: 2 })),
      ME,
    );
    expect(expired.gone).toEqual([{ taskId: 1, title: '任务 1', reason: 'expired' }]);
    expect(expired.tasks.history.map((e) => e.assignment.status)).toEqual(['EXPIRED']);

    const declined = applyTaskEvent(
      offered(1),
      event('task.updated', task(1, { version: 2 }), assignment(1, 'DECLINED', { version: 2 })),
      ME,
    );
    expect(declined.gone).toEqual([]);
  });

  it('asks for a refetch when a task I hold is cancelled without word of my assignment', () => {
    const held: MyTasks = {
      ...EMPTY_TASKS,
      active: [entry(task(1, { status: 'FILLED' }), assignment(1, 'ACCEPTED'))],
    };
    const result = applyTaskEvent(
      held,
      event('task.updated', task(1, { status: 'CANCELLED' as TaskStatus, version: 2 })),
      ME,
    );
    expect(result.refetch).toBe(true);
    expect(result.tasks.active[0]?.task.status).toBe('CANCELLED');
  });

  it('keeps at most HISTORY_LIMIT past tasks, latest first', () => {
    let tasks: MyTasks = EMPTY_TASKS;
    for (let id = 1; id <= HISTORY_LIMIT + 5; id++) {
      const at = new Date(Date.UTC(2026, 2, 1, 0, id)).toISOString();
      tasks = applyTaskEvent(
        tasks,
        event('task.updated', task(id), assignment(id, 'CHECKED_OUT', { checkOutAt: at })),
        ME,
      ).tasks;
    }
    expect(tasks.history).toHaveLength(HISTORY_LIMIT);
    expect(tasks.history[0]?.task.id).toBe(HISTORY_LIMIT + 5);
  });
});

describe('replaceWithSnapshot', () => {
  const now = Date.parse('2026-03-01T09:32:00Z');

  it('takes the snapshot and notes offers that vanished without my answer', () => {
    const before: MyTasks = {
      ...EMPTY_TASKS,
      offers: [
        entry(task(1), assignment(1, 'OFFERED')),
        entry(task(2), assignment(2, 'OFFERED')),
        entry(task(3), assignment(3, 'OFFERED')),
        entry(task(4), assignment(4, 'OFFERED', { expiresAt: '2026-03-01T09:31:00Z' })),
      ],
    };
    const snapshot: MyTasks = {
      offers: [],
      // 2: accepted on another device.
      active: [entry(task(2, { status: 'FILLED' }), assignment(2, 'ACCEPTED'))],
      // 3: declined on another device.
      history: [entry(task(3), assignment(3, 'DECLINED'))],
    };
    const { tasks, gone } = replaceWithSnapshot(before, snapshot, now);
    expect(tasks.active.map((e) => e.task.id)).toEqual([2]);
    expect(gone).toEqual([
      { taskId: 1, title: '任务 1', reason: 'filled' },
      { taskId: 4, title: '任务 4', reason: 'expired' },
    ]);
  });

  it('notes nothing for offers that are still there', () => {
    const before = offered(1);
    const { gone } = replaceWithSnapshot(before, offered(1), now);
    expect(gone).toEqual([]);
  });
});

describe('applyActionResult', () => {
  it('places the answer of my action, unless a newer assignment was already heard', () => {
    const accepted = applyActionResult(
      offered(1),
      entry(task(1, { status: 'FILLED', version: 2 }), assignment(1, 'ACCEPTED', { version: 2 })),
    );
    expect(accepted.active.map((e) => e.task.id)).toEqual([1]);
    expect(accepted.offers).toEqual([]);

    const newer: MyTasks = {
      ...EMPTY_TASKS,
      active: [entry(task(1, { version: 3 }), assignment(1, 'CHECKED_IN', { version: 3 }))],
    };
    expect(
      applyActionResult(
        newer,
        entry(task(1, { version: 2 }), assignment(1, 'ACCEPTED', { version: 2 })),
      ),
    ).toBe(newer);
  });
});
