import { describe, expect, it } from 'vitest';
import type { TaskEventPayload, TaskSummary, TaskTimerJob } from '@gridline/core';
import type { TaskChange } from '@gridline/db';
import { handleTaskTimer, type TaskTimerPorts } from './task-timers.ts';

const task = { id: 5, title: 't' } as TaskSummary;
const event = (type: TaskEventPayload['type'], action: string): TaskEventPayload => ({
  eventId: 1,
  type,
  at: '2026-11-22T10:00:00.000Z',
  actorId: null,
  data: { action },
  task,
});
const change = (events: TaskEventPayload[], timers: TaskTimerJob[] = []): TaskChange => ({
  task,
  events,
  timers,
  staleTimers: [],
});
const job = (kind: TaskTimerJob['kind']): TaskTimerJob => ({
  kind,
  taskId: 5,
  assignmentId: 9,
  version: 2,
  dueAt: '2026-11-22T10:00:00.000Z',
});
const offerTimer: TaskTimerJob = { ...job('offer-expiry'), assignmentId: 10, version: 1 };

function ports(outcome: { moved: boolean; next?: TaskChange | null }) {
  const log: string[] = [];
  const fake: TaskTimerPorts = {
    store: {
      async expireOffer() {
        log.push('expire');
        return outcome.moved ? change([event('task.updated', 'expired')]) : null;
      },
      async noShow() {
        log.push('no-show');
        return outcome.moved ? change([event('task.updated', 'no-show')]) : null;
      },
      async safetyAlert(_job, _now, notify) {
        log.push(`alert ${notify}`);
        return outcome.moved ? change([event('task.updated', 'safety-alert')]) : null;
      },
    },
    async offerNext() {
      log.push('step');
      return outcome.next ?? null;
    },
    async responsibleFor() {
      return 77;
    },
    publish: (c) => log.push(`publish ${c.events.map((e) => e.data.action).join(',')}`),
    async schedule(timers) {
      log.push(`schedule ${timers.length}`);
    },
    now: () => new Date('2026-11-22T10:00:01.000Z'),
  };
  return { fake, log };
}

describe('task timers', () => {
  it('expires an offer, then offers the next volunteer and schedules their offer timer', async () => {
    const next = change([event('task.offered', 'offered')], [offerTimer]);
    const { fake, log } = ports({ moved: true, next });
    expect(await handleTaskTimer(job('offer-expiry'), fake)).toEqual({
      kind: 'expired',
      offered: 1,
    });
    expect(log).toEqual(['expire', 'publish expired', 'step', 'publish offered', 'schedule 1']);
  });

  it('calls a no-show and re-offers the slot', async () => {
    const { fake, log } = ports({ moved: true, next: null });
    expect(await handleTaskTimer(job('no-show'), fake)).toEqual({ kind: 'no-show', offered: 0 });
    expect(log).toEqual(['no-show', 'publish no-show', 'step', 'schedule 0']);
  });

  it('does nothing when the assignment moved on (a late, early or repeated firing)', async () => {
    for (const kind of ['offer-expiry', 'no-show', 'safety'] as const) {
      const { fake, log } = ports({ moved: false });
      expect(await handleTaskTimer(job(kind), fake)).toEqual({ kind: 'stale' });
      expect(log.some((line) => line.startsWith('publish') || line === 'step')).toBe(false);
    }
  });

  it('alerts the one who answers for the grid when a home visit runs over', async () => {
    const { fake, log } = ports({ moved: true });
    expect(await handleTaskTimer(job('safety'), fake)).toEqual({ kind: 'alerted', notified: 77 });
    expect(log).toEqual(['alert 77', 'publish safety-alert']);
  });
});
