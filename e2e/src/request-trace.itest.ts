import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ticketTimerJobId, type TicketSummary, type TicketTimerJob } from '@gridline/core';
import { startSystem, type Session, type TestSystem } from './support/system.ts';

// A request id follows a ticket from HTTP into the timers the request scheduled, so the
// workers' log line of a deadline names the request that set it.
describe('request ids in timers', () => {
  let system: TestSystem;
  let member: Session;
  let where: { lat: number; lng: number };

  beforeAll(async () => {
    system = await startSystem();
    member = await system.login('member');
    const grid = await member.get<{ region: { centroid: { lat: number; lng: number } } }>(
      `/api/regions/${member.user.regionId}`,
    );
    where = grid.body.region.centroid;
  });
  afterAll(() => system?.close());

  const jobData = async (id: string) =>
    ((await system.workers!.queue.getJob(id))?.data as TicketTimerJob | undefined) ?? null;

  it('carries the creating and the accepting request ids into the deadlines they set', async () => {
    const created = await member.post<{ ticket: TicketSummary }>(
      '/api/tickets',
      { categoryCode: 'NOISE', description: '夜间施工', location: where },
      { 'x-request-id': 'trace-create-0001' },
    );
    expect(created.status).toBe(201);
    const { ticket } = created.body;
    // The intake's timer goes to Redis within a few milliseconds of the answer.
    const acceptJob = await vi.waitFor(async () => {
      const data = await jobData(ticketTimerJobId('accept-deadline', ticket.id, ticket.version));
      expect(data).not.toBeNull();
      return data;
    });
    expect(acceptJob?.requestId).toBe('trace-create-0001');

    const accepted = await member.post<{ ticket: TicketSummary }>(
      `/api/tickets/${ticket.id}/accept`,
      { version: ticket.version },
      { 'x-request-id': 'trace-accept-0002' },
    );
    expect(accepted.status).toBe(200);
    const next = accepted.body.ticket;
    const resolveJob = await jobData(ticketTimerJobId('resolve-deadline', ticket.id, next.version));
    expect(resolveJob).toMatchObject({ kind: 'resolve-deadline', requestId: 'trace-accept-0002' });
    const reminder = await jobData(ticketTimerJobId('reminder', ticket.id, next.version, 0));
    expect(reminder).toMatchObject({ kind: 'reminder', requestId: 'trace-accept-0002' });
  });
});
