import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseCommonEnv, ticketTimerJobId, type TicketTimerJob } from '@gridline/core';
import { BullTimerScheduler } from './timer-queue.ts';

const NOW = new Date('2026-12-07T00:00:00Z');
const acceptDeadline = (ticketId: number, minutes = 10): TicketTimerJob => ({
  kind: 'accept-deadline',
  ticketId,
  version: 1,
  level: 0,
  dueAt: new Date(NOW.getTime() + minutes * 60_000).toISOString(),
});

describe('ticket timers against real Redis', () => {
  let redis: Redis;
  let timers: BullTimerScheduler;
  const prefix = `timer-queue-itest-${randomUUID()}`;

  beforeAll(() => {
    redis = new Redis(parseCommonEnv(process.env).redisUrl, { maxRetriesPerRequest: 1 });
    timers = new BullTimerScheduler(redis, prefix, { now: () => NOW });
  });
  afterAll(async () => {
    await timers?.queue.obliterate({ force: true }).catch(() => undefined);
    await timers?.close();
    redis?.disconnect();
  });

  it('sends the jobs scheduled in one turn in one round trip, each with its id and delay', async () => {
    const addBulk = vi.spyOn(timers.queue, 'addBulk');
    const add = vi.spyOn(timers.queue, 'add');
    await Promise.all(
      Array.from({ length: 20 }, (_, n) => timers.schedule(acceptDeadline(n + 1, n + 1))),
    );
    expect(addBulk).toHaveBeenCalledTimes(1);
    expect(add).not.toHaveBeenCalled();
    for (let n = 0; n < 20; n++) {
      const job = await timers.queue.getJob(ticketTimerJobId('accept-deadline', n + 1, 1));
      expect(job?.data.ticketId).toBe(n + 1);
      expect(job?.opts.delay).toBe((n + 1) * 60_000);
      expect(await job?.getState()).toBe('delayed');
    }
    addBulk.mockRestore();
    add.mockRestore();
  });

  it('sends a lone job on its own, at the end of its turn', async () => {
    const add = vi.spyOn(timers.queue, 'add');
    await timers.schedule(acceptDeadline(100));
    expect(add).toHaveBeenCalledTimes(1);
    expect(await timers.queue.getJob(ticketTimerJobId('accept-deadline', 100, 1))).toBeDefined();
    add.mockRestore();
  });

  it('drops a job cancelled before its batch went out, and removes one already in Redis', async () => {
    const scheduled = timers.schedule(acceptDeadline(200));
    const kept = timers.schedule(acceptDeadline(201));
    await timers.cancel('accept-deadline', 200, 1);
    await Promise.all([scheduled, kept]);
    expect(await timers.queue.getJob(ticketTimerJobId('accept-deadline', 200, 1))).toBeUndefined();
    expect(await timers.queue.getJob(ticketTimerJobId('accept-deadline', 201, 1))).toBeDefined();

    await timers.cancel('accept-deadline', 201, 1);
    expect(await timers.queue.getJob(ticketTimerJobId('accept-deadline', 201, 1))).toBeUndefined();
  });

  it('fails every job of a batch that Redis refused, so their callers know', async () => {
    const failing = vi
      .spyOn(timers.queue, 'addBulk')
      .mockRejectedValueOnce(new Error('Redis is gone'));
    const results = await Promise.allSettled([
      timers.schedule(acceptDeadline(300)),
      timers.schedule(acceptDeadline(301)),
    ]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    failing.mockRestore();
  });

  it('gathers the jobs of scheduleSoon over a few milliseconds into one batch, delayed from when it goes', async () => {
    let now = NOW.getTime();
    const lost: string[][] = [];
    // A long gathering time, so that a slow machine does not end it between the steps.
    const gathering = new BullTimerScheduler(
      redis,
      prefix,
      { now: () => new Date(now) },
      (_, ids) => lost.push(ids),
      400,
    );
    const addBulk = vi.spyOn(gathering.queue, 'addBulk');
    const add = vi.spyOn(gathering.queue, 'add');
    try {
      // One job per turn of the event loop; none is sent at the end of its turn.
      for (let n = 0; n < 3; n++) {
        gathering.scheduleSoon(acceptDeadline(400 + n));
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(addBulk).not.toHaveBeenCalled();
      now += 5_000;
      await vi.waitFor(() => expect(addBulk).toHaveBeenCalledTimes(1), { timeout: 1000 });
      expect(add).not.toHaveBeenCalled();
      for (let n = 0; n < 3; n++) {
        const job = await vi.waitFor(async () => {
          const found = await gathering.queue.getJob(
            ticketTimerJobId('accept-deadline', 400 + n, 1),
          );
          expect(found).toBeDefined();
          return found!;
        });
        // Due ten minutes after NOW, sent five seconds after it: the due time did not move.
        expect(job.opts.delay).toBe(10 * 60_000 - 5_000);
      }
      expect(lost).toEqual([]);
    } finally {
      addBulk.mockRestore();
      add.mockRestore();
      await gathering.close();
    }
  });

  it('sends a gathered job with the next batch of its turn, and lets cancel drop it', async () => {
    const gathering = new BullTimerScheduler(redis, prefix, { now: () => NOW });
    const addBulk = vi.spyOn(gathering.queue, 'addBulk');
    try {
      gathering.scheduleSoon(acceptDeadline(500));
      gathering.scheduleSoon(acceptDeadline(501));
      await gathering.cancel('accept-deadline', 501, 1);
      await gathering.schedule(acceptDeadline(502));
      expect(addBulk).toHaveBeenCalledTimes(1);
      expect(addBulk.mock.calls[0]![0].map((job) => job.opts?.jobId)).toEqual([
        ticketTimerJobId('accept-deadline', 500, 1),
        ticketTimerJobId('accept-deadline', 502, 1),
      ]);
      expect(
        await gathering.queue.getJob(ticketTimerJobId('accept-deadline', 501, 1)),
      ).toBeUndefined();
    } finally {
      addBulk.mockRestore();
      await gathering.close();
    }
  });

  it('sends a job due within a second at the end of its turn, and reports jobs Redis refused', async () => {
    const lost: string[][] = [];
    const gathering = new BullTimerScheduler(redis, prefix, { now: () => NOW }, (_, ids) =>
      lost.push(ids),
    );
    const add = vi.spyOn(gathering.queue, 'add');
    try {
      gathering.scheduleSoon({
        ...acceptDeadline(600),
        dueAt: new Date(NOW.getTime() + 500).toISOString(),
      });
      await new Promise((resolve) => setImmediate(resolve));
      expect(add).toHaveBeenCalledTimes(1);

      vi.spyOn(gathering.queue, 'addBulk').mockRejectedValueOnce(new Error('Redis is gone'));
      gathering.scheduleSoon(acceptDeadline(601));
      gathering.scheduleSoon(acceptDeadline(602));
      await vi.waitFor(() => expect(lost).toHaveLength(1), { timeout: 1000 });
      expect(lost[0]).toEqual([
        ticketTimerJobId('accept-deadline', 601, 1),
        ticketTimerJobId('accept-deadline', 602, 1),
      ]);
    } finally {
      add.mockRestore();
      await gathering.close();
    }
  });
});
