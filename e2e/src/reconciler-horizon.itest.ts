import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketSummary, TicketTimerJob } from '@gridline/core';
import { reconcileTimers } from '@gridline/workers';
import { startSystem, type Session, type TestSystem } from './support/system.ts';

// The reconciler looks only at timers due before now + horizon; these tests move `now`
// around real deadlines of real tickets and check what it would schedule.
const HORIZON_MS = 60_000;

describe('the reconciler re-creates the timers due within its horizon', () => {
  let system: TestSystem;
  let member: Session;
  let where: { lat: number; lng: number };

  beforeAll(async () => {
    system = await startSystem({ workers: false });
    member = await system.login('member');
    const grid = await member.get<{ region: { centroid: { lat: number; lng: number } } }>(
      `/api/regions/${member.user.regionId}`,
    );
    where = grid.body.region.centroid;
  });
  afterAll(() => system?.close());

  const report = async () => {
    const response = await member.post<{ ticket: TicketSummary }>('/api/tickets', {
      categoryCode: 'NOISE',
      priority: 'NORMAL',
      description: '夜间施工噪音',
      location: where,
    });
    expect(response.status).toBe(201);
    return response.body.ticket;
  };

  /** The jobs one pass would schedule for this ticket, with the clock at `now`. */
  const jobsFor = async (ticketId: number, now: Date, horizonMs = HORIZON_MS) => {
    const jobs: TicketTimerJob[] = [];
    await reconcileTimers(
      system.server.prisma,
      async (batch) => {
        jobs.push(...batch);
      },
      1,
      now,
      horizonMs,
    );
    return jobs
      .filter((job) => job.ticketId === ticketId)
      .map((job) => `${job.kind}@${job.dueAt}`)
      .sort();
  };

  it('schedules an accept deadline only once it falls within the horizon', async () => {
    const ticket = await report();
    const acceptBy = Date.parse(ticket.acceptBy!);
    const due = `accept-deadline@${ticket.acceptBy}`;

    expect(await jobsFor(ticket.id, new Date(acceptBy - HORIZON_MS - 5000))).toEqual([]);
    expect(await jobsFor(ticket.id, new Date(acceptBy - HORIZON_MS + 5000))).toEqual([due]);
    // Already past due (the workers were down): still there, to fire at once.
    expect(await jobsFor(ticket.id, new Date(acceptBy + 60 * 60_000))).toEqual([due]);
    // Without a horizon, every pending deadline.
    expect(await jobsFor(ticket.id, new Date(0), Number.POSITIVE_INFINITY)).toEqual([due]);
  });

  it("brings in an accepted ticket's resolve deadline when its first reminder comes near", async () => {
    const ticket = await report();
    const accepted = await member.post<{ ticket: TicketSummary }>(
      `/api/tickets/${ticket.id}/accept`,
      {},
    );
    expect(accepted.status).toBe(200);
    const { resolveBy } = accepted.body.ticket;
    const all = await jobsFor(ticket.id, new Date(), Number.POSITIVE_INFINITY);
    const reminders = all.filter((job) => job.startsWith('reminder@'));
    expect(reminders.length).toBeGreaterThan(0);
    expect(all).toContain(`resolve-deadline@${resolveBy}`);
    const firstReminderAt = Math.min(...reminders.map((job) => Date.parse(job.split('@')[1]!)));
    expect(firstReminderAt).toBeLessThan(Date.parse(resolveBy!));

    expect(await jobsFor(ticket.id, new Date(firstReminderAt - HORIZON_MS - 5000))).toEqual([]);
    const near = await jobsFor(ticket.id, new Date(firstReminderAt - HORIZON_MS + 5000));
    expect(near).toContain(`resolve-deadline@${resolveBy}`);
    expect(near.filter((job) => job.startsWith('reminder@')).length).toBe(reminders.length);
  });
});
