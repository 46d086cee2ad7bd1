// Regression tests for two bugs in workers/ found while writing resilience.itest.ts:
// the city room missing from a fresh worker's first pushes, and failed timer jobs
// blocking the reconciler (fixed by loading the city before the first job, and by
// removing failed jobs so their deterministic id is free again).
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TICKET_TIMERS_QUEUE,
  parseCommonEnv,
  ticketTimerJobId,
  type TicketEventPayload,
  type TicketSummary,
  type TicketTimerJob,
} from '@gridline/core';
import {
  eventually,
  recordEvents,
  startSystem,
  waitFor,
  type Session,
  type TestSystem,
} from './support/system.ts';

const redisUrl = parseCommonEnv(process.env).redisUrl;

async function gridCentroid(member: Session): Promise<{ lat: number; lng: number }> {
  const region = await member.get<{ region: { centroid: { lat: number; lng: number } } }>(
    `/api/regions/${member.user.regionId}`,
  );
  return region.body.region.centroid;
}

async function fileTicket(
  system: TestSystem,
  body: Record<string, unknown>,
): Promise<TicketSummary> {
  const response = await fetch(`${system.baseUrl}/api/tickets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ address: '和平街道健身社区', ...body }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { ticket: TicketSummary }).ticket;
}

describe('a freshly started worker pushes its first resolve-deadline escalation to the city room too', () => {
  // workers/src/runtime.ts: publish() targets ticketRooms(ticket, cityId ?? null), but
  // cityId is only loaded by responsibleUser(), which the resolve-deadline handler never
  // calls. Until the process has run an accept-deadline escalation, cityId is undefined
  // and the city command centre's room (region:<city>) is left out.
  // TIME_SCALE 1200: a WATER_LEAK (FAST policy) urgent ticket must be resolved within
  // 1 hour, i.e. 3 s.
  let system: TestSystem;

  beforeAll(async () => {
    system = await startSystem({ timeScale: 1200, workers: false });
  });
  afterAll(() => system?.close());

  it('reaches the city dispatcher live, like the accept before it', async () => {
    const member = await system.login('member');
    const dispatcher = await system.login('dispatcher');
    const memberEvents = recordEvents(await member.socket());
    const dispatcherEvents = recordEvents(await dispatcher.socket());

    const ticket = await fileTicket(system, {
      categoryCode: 'WATER_LEAK',
      description: '楼道水管漏水 (resolve deadline)',
      location: await gridCentroid(member),
      priority: 'URGENT',
    });
    // No worker runs yet, so the 150 ms accept deadline cannot escalate it first.
    const accepted = await member.post(`/api/tickets/${ticket.id}/accept`);
    expect(accepted.status).toBe(200);
    const of = (events: TicketEventPayload[], type: string) =>
      events.find((event) => event.ticket.id === ticket.id && event.type === type);
    // Control: the dispatcher's socket is in the city room (the server's push arrives).
    await waitFor(() => of(dispatcherEvents, 'ticket.accepted'), 3000, 'accepted at the city');

    await system.startWorkers();
    const escalated = await waitFor(
      () => of(memberEvents, 'ticket.escalated'),
      Date.parse(ticket.resolveBy!) - Date.now() + 5000,
      'the resolve-deadline escalation on the assignee socket',
    );
    expect(escalated.data).toMatchObject({ reason: 'resolve-deadline' });
    const atCity = await waitFor(
      () => of(dispatcherEvents, 'ticket.escalated') ?? null,
      1000,
      'the same escalation on the city dispatcher socket',
    ).catch(() => null);
    expect(atCity?.eventId, 'city dispatcher never got the overdue escalation').toBe(
      escalated.eventId,
    );
  });
});

describe('a timer job that failed for good does not block the reconciler', () => {
  // Timer jobs have deterministic ids and BullMQ ignores an add whose id exists in any
  // state; a failed job kept under its id would make the reconciler's re-add a no-op, so
  // failed jobs are removed (core/src/jobs.ts, removeOnFail).
  //
  // A job fails for good when all 8 attempts fail (exponential backoff from 500 ms,
  // ~64 s in all: PostgreSQL unreachable for about a minute while deadlines fall due)
  // or when it stalls more than BullMQ's maxStalledCount (a worker crash loop). The test
  // reaches that same end state quickly with a stand-in worker that throws
  // UnrecoverableError, then starts the real workers with a 1 s reconcile interval.
  let system: TestSystem;
  let redis: Redis;
  let inspect: Queue<TicketTimerJob>;

  beforeAll(async () => {
    system = await startSystem({ timeScale: 600, workers: false, reconcileIntervalMs: 1000 });
    redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    inspect = new Queue<TicketTimerJob>(TICKET_TIMERS_QUEUE, {
      connection: redis,
      prefix: `${system.redisPrefix}:bull`,
    });
  });
  afterAll(async () => {
    await inspect?.close();
    redis?.disconnect();
    await system?.close();
  });

  it('escalates a ticket whose timer job failed once the workers are back', async () => {
    const member = await system.login('member');
    const ticket = await fileTicket(system, {
      categoryCode: 'NOISE',
      description: '夜间施工 (failed timer job)',
      location: await gridCentroid(member),
      priority: 'URGENT',
    });
    const jobId = ticketTimerJobId('accept-deadline', ticket.id, ticket.version);

    // The stand-in for workers whose every attempt failed.
    const brokenConnection = redis.duplicate();
    const broken = new Worker<TicketTimerJob>(
      TICKET_TIMERS_QUEUE,
      async () => {
        throw new UnrecoverableError('simulated: PostgreSQL unreachable on every attempt');
      },
      { connection: brokenConnection, prefix: `${system.redisPrefix}:bull` },
    );
    try {
      await eventually(
        // Failed jobs are removed (removeOnFail) so their id is free again.
        async () => ['failed', 'unknown'].includes(await inspect.getJobState(jobId)),
        5000,
        `${jobId} to fail`,
      );
    } finally {
      await broken.close();
      brokenConnection.disconnect();
    }

    // The real workers come back: reconcile at start and every second.
    const startedAt = Date.now();
    await system.startWorkers();
    const escalated = await eventually(
      async () =>
        (
          await system.server.prisma.ticketEvent.findMany({
            where: { ticketId: ticket.id, type: 'ticket.escalated' },
          })
        ).length > 0,
      1000 + 2000,
      'the overdue deadline to fire after the workers return',
    ).catch(() => false);
    expect(
      escalated,
      `ticket ${ticket.id} overdue since ${ticket.acceptBy} never escalated ` +
        `${Date.now() - startedAt} ms after the workers returned; its job ${jobId} is ` +
        `"${await inspect.getJobState(jobId)}" and the reconciler's re-add was ignored`,
    ).toBe(true);
  });
});
