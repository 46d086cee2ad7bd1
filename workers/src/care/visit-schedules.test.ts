import { describe, expect, it } from 'vitest';
import type { CareVisitJob } from '@gridline/core';
import {
  processVisitJob,
  slotOf,
  syncVisitSchedules,
  visitTaskInput,
  type ExistingScheduler,
  type VisitHousehold,
  type VisitPorts,
  type VisitSchedulerQueue,
  type VisitTaskInput,
} from './visit-schedules.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-11-22T08:00:00Z');

class FakeQueue implements VisitSchedulerQueue {
  schedulers = new Map<string, { every: number; startDate: Date; data: CareVisitJob }>();
  calls: string[] = [];
  async list(): Promise<ExistingScheduler[]> {
    return [...this.schedulers.entries()].map(([id, s]) => ({ id, every: s.every }));
  }
  async upsert(id: string, every: number, startDate: Date, data: CareVisitJob) {
    this.calls.push(`upsert ${id}`);
    this.schedulers.set(id, { every, startDate, data });
  }
  async remove(id: string) {
    this.calls.push(`remove ${id}`);
    this.schedulers.delete(id);
  }
}

describe('syncVisitSchedules', () => {
  it('adds one scheduler per household with a cadence, first firing when the visit falls due', async () => {
    const queue = new FakeQueue();
    const result = await syncVisitSchedules(
      [
        { id: 1, visitEveryDays: 7, lastVisitAt: null, createdAt: new Date(NOW.getTime() - DAY) },
        {
          id: 2,
          visitEveryDays: 3,
          lastVisitAt: new Date(NOW.getTime() - 5 * DAY),
          createdAt: new Date(0),
        },
      ],
      queue,
      NOW,
      1,
    );
    expect(result).toEqual({ created: 2, updated: 0, removed: 0, kept: 0 });
    expect(queue.schedulers.get('care-visit-1')).toEqual({
      every: 7 * DAY,
      startDate: new Date(NOW.getTime() + 6 * DAY),
      data: { careRecipientId: 1 },
    });
    // Overdue: the first visit is now.
    expect(queue.schedulers.get('care-visit-2')?.startDate).toEqual(NOW);
  });

  it('leaves an unchanged scheduler alone, changes a new cadence, removes the cadence-less and the gone', async () => {
    const queue = new FakeQueue();
    const household = (id: number, visitEveryDays: number) => ({
      id,
      visitEveryDays,
      lastVisitAt: null,
      createdAt: NOW,
    });
    await syncVisitSchedules([household(1, 7), household(2, 7), household(3, 7)], queue, NOW, 60);
    queue.schedulers.set('some-other-scheduler', {
      every: 5,
      startDate: NOW,
      data: { careRecipientId: 0 },
    });
    queue.calls = [];
    const result = await syncVisitSchedules([household(1, 7), household(2, 14)], queue, NOW, 60);
    expect(result).toEqual({ created: 0, updated: 1, removed: 1, kept: 1 });
    expect(queue.calls).toEqual(['upsert care-visit-2', 'remove care-visit-3']);
    expect(queue.schedulers.get('care-visit-2')?.every).toBe((14 * DAY) / 60);
    expect([...queue.schedulers.keys()].sort()).toEqual([
      'care-visit-1',
      'care-visit-2',
      'some-other-scheduler',
    ]);
  });
});

function fakePorts(household: VisitHousehold | null) {
  const created: VisitTaskInput[] = [];
  const claims = new Set<string>();
  const state = { openTask: false, taskSince: null as Date | null, failCreate: false };
  const ports: VisitPorts = {
    timeScale: 1,
    now: () => NOW,
    loadHousehold: async () => household,
    hasVisitTask: async (_id, slotAt) =>
      state.openTask || (state.taskSince !== null && state.taskSince >= slotAt),
    creatorFor: async () => 42,
    claimSlot: async (id, slotAt) => {
      const key = `${id}:${slotAt.getTime()}`;
      if (claims.has(key)) return false;
      claims.add(key);
      return true;
    },
    releaseSlot: async (id, slotAt) => void claims.delete(`${id}:${slotAt.getTime()}`),
    tasks: {
      createVisitTask: async (task) => {
        if (state.failCreate) throw new Error('database down');
        created.push(task);
        state.taskSince = NOW;
        return { taskId: 100 + created.length };
      },
    },
  };
  return { ports, created, claims, state };
}

const home: VisitHousehold = {
  id: 5,
  communityId: 10,
  gridId: 101,
  firstName: '秀兰',
  address: '3号楼501室',
  lat: 41.1,
  lng: 123.01,
  visitEveryDays: 7,
  lastVisitAt: null,
};

describe('processVisitJob', () => {
  it('creates the visit task of the household: first name, skills, place, a day to do it', async () => {
    const { ports, created } = fakePorts(home);
    expect(await processVisitJob({ careRecipientId: 5 }, NOW, ports)).toEqual({
      kind: 'created',
      taskId: 101,
    });
    expect(created).toEqual([
      {
        title: '探访 秀兰',
        description: expect.stringContaining('秀兰'),
        skills: ['ELDERLY_CARE'],
        location: { lat: 41.1, lng: 123.01 },
        address: '3号楼501室',
        startsAt: NOW,
        endsAt: new Date(NOW.getTime() + DAY),
        durationMinutes: 60,
        slots: 1,
        careRecipientId: 5,
        gridId: 101,
        communityId: 10,
        createdById: 42,
      },
    ]);
  });

  it('creates one task per slot however often the slot fires', async () => {
    const { ports, created } = fakePorts(home);
    const outcomes = await Promise.all([
      processVisitJob({ careRecipientId: 5 }, NOW, ports),
      processVisitJob({ careRecipientId: 5 }, NOW, ports),
    ]);
    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['created', 'slot-claimed']);
    expect((await processVisitJob({ careRecipientId: 5 }, NOW, ports)).kind).toBe('task-exists');
    expect(created).toHaveLength(1);
  });

  it('does nothing for a household gone, without cadence, just visited, or with an open visit', async () => {
    expect((await processVisitJob({ careRecipientId: 5 }, NOW, fakePorts(null).ports)).kind).toBe(
      'gone',
    );
    const noCadence = fakePorts({ ...home, visitEveryDays: null });
    expect((await processVisitJob({ careRecipientId: 5 }, NOW, noCadence.ports)).kind).toBe(
      'no-cadence',
    );
    const visited = fakePorts({ ...home, lastVisitAt: new Date(NOW.getTime() - 3 * DAY) });
    expect((await processVisitJob({ careRecipientId: 5 }, NOW, visited.ports)).kind).toBe(
      'recently-visited',
    );
    const longAgo = fakePorts({ ...home, lastVisitAt: new Date(NOW.getTime() - 4 * DAY) });
    expect((await processVisitJob({ careRecipientId: 5 }, NOW, longAgo.ports)).kind).toBe(
      'created',
    );
    const open = fakePorts(home);
    open.state.openTask = true;
    expect((await processVisitJob({ careRecipientId: 5 }, NOW, open.ports)).kind).toBe(
      'task-exists',
    );
    expect([...noCadence.created, ...visited.created, ...open.created]).toEqual([]);
  });

  it('gives the slot back when the task cannot be created, so a retry can', async () => {
    const { ports, created, state, claims } = fakePorts(home);
    state.failCreate = true;
    await expect(processVisitJob({ careRecipientId: 5 }, NOW, ports)).rejects.toThrow(
      'database down',
    );
    expect(claims.size).toBe(0);
    state.failCreate = false;
    expect((await processVisitJob({ careRecipientId: 5 }, NOW, ports)).kind).toBe('created');
    expect(created).toHaveLength(1);
  });

  it('reads the slot from the scheduler job id; the visit window is scaled', () => {
    expect(slotOf('repeat:care-visit-5:1795334400000', 1)).toEqual(new Date(1795334400000));
    expect(slotOf(undefined, 1234)).toEqual(new Date(1234));
    expect(visitTaskInput(home, 1, NOW, 24).endsAt).toEqual(new Date(NOW.getTime() + 3600_000));
  });
});
