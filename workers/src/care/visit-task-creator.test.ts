import { describe, expect, it } from 'vitest';
import type { TaskSummary } from '@gridline/core';
import type { NewTask, TaskChange } from '@gridline/db';
import { EngineVisitTaskCreator, type TaskEnginePorts } from './visit-task-creator.ts';
import { visitTaskInput, type VisitHousehold } from './visit-schedules.ts';

const NOW = new Date('2026-11-22T08:00:00Z');
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

function change(taskId: number, label: string): TaskChange {
  const task = { id: taskId, title: label } as Pick<TaskSummary, 'id' | 'title'>;
  return { task: task as TaskSummary, events: [], timers: [], staleTimers: [] };
}

function fakeEngine(options: { failOffer?: boolean } = {}) {
  const log: string[] = [];
  const created: NewTask[] = [];
  const engine: TaskEnginePorts = {
    async chainOf(communityId) {
      log.push(`chain ${communityId}`);
      return { streetId: 3, districtId: 2 };
    },
    async create(task) {
      created.push(task);
      log.push('create');
      return change(77, 'created');
    },
    async publish(result) {
      log.push(`publish ${result.task.title}`);
    },
    async offer(taskId, now) {
      log.push(`offer ${taskId} ${now.toISOString()}`);
      if (options.failOffer) throw new Error('redis down');
      return change(taskId, 'offered');
    },
  };
  return { engine, log, created };
}

describe('EngineVisitTaskCreator', () => {
  it('creates the task in the household’s regions, then pushes it and makes the first offers', async () => {
    const { engine, log, created } = fakeEngine();
    const creator = new EngineVisitTaskCreator(engine);
    expect(await creator.createVisitTask(visitTaskInput(home, 42, NOW, 1))).toEqual({ taskId: 77 });
    expect(created).toEqual([
      expect.objectContaining({
        title: '探访 秀兰',
        skills: ['ELDERLY_CARE'],
        lat: 41.1,
        lng: 123.01,
        gridId: 101,
        communityId: 10,
        streetId: 3,
        districtId: 2,
        careRecipientId: 5,
        createdById: 42,
        ticketId: null,
        slots: 1,
        durationMinutes: 60,
        startsAt: NOW,
        createdAt: NOW,
      }),
    ]);
    expect(log).toEqual([
      'chain 10',
      'create',
      'publish created',
      `offer 77 ${NOW.toISOString()}`,
      'publish offered',
    ]);
  });

  it('keeps the committed task when the offers fail (no second task for the slot), and says so', async () => {
    const { engine } = fakeEngine({ failOffer: true });
    const failures: number[] = [];
    const creator = new EngineVisitTaskCreator(engine, (_error, taskId) => failures.push(taskId));
    expect(await creator.createVisitTask(visitTaskInput(home, 42, NOW, 1))).toEqual({ taskId: 77 });
    expect(failures).toEqual([77]);
  });
});
