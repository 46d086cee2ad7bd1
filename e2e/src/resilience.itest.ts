import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AWAITING_ACCEPT,
  TICKET_TIMERS_QUEUE,
  parseCommonEnv,
  ticketTimerJobId,
  type Priority,
  type TicketSummary,
  type TicketTimerJob,
} from '@gridline/core';
import type { PrismaClient } from '@gridline/db';
import { eventually, startSystem, type Session, type TestSystem } from './support/system.ts';

// TIME_SCALE 600: an urgent ticket's 5-minute accept deadline passes in 0.5 s, a
// normal one's 30 minutes in 3 s; each level up the chain gets its own deadline
// (urgent 0.5 / 1 / 1.5 s, high 1.5 / 2 / 3 s, normal 3 / 4.5 / 6 s).
const TIME_SCALE = 600;
// The workers' reconciler runs every 30 s in production; here every second, so the
// "rebuilt from PostgreSQL" path is exercised within the test's time budget.
const RECONCILE_MS = 1000;
// DESIGN.md: after Redis loses everything, every pending deadline still fires within
// one reconcile interval of due. The margin covers the reconcile pass itself, the job
// and its transaction, and a loaded CI machine.
const MARGIN_MS = 2000;
const LATENESS_BOUND_MS = RECONCILE_MS + MARGIN_MS;

const redisUrl = parseCommonEnv(process.env).redisUrl;

interface Escalation {
  eventId: number;
  ticketId: number;
  fromLevel: number;
  toLevel: number;
  reason: string;
  /** When the event row was written (ms). */
  at: number;
  /** The deadline the timer job was scheduled for (ms), from the event's payload. */
  dueAt: number;
}

/** A deadline a ticket was waiting on: at `level`, due at `acceptBy`. */
interface PendingDeadline {
  ticketId: number;
  level: number;
  version: number;
  acceptBy: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function escalationsOf(prisma: PrismaClient, ticketIds: number[]): Promise<Escalation[]> {
  const rows = await prisma.ticketEvent.findMany({
    where: { ticketId: { in: ticketIds }, type: 'ticket.escalated' },
    orderBy: { id: 'asc' },
  });
  return rows.map((row) => {
    const payload = (row.payload ?? {}) as Record<string, unknown>;
    return {
      eventId: row.id,
      ticketId: row.ticketId,
      fromLevel: Number(payload.fromLevel),
      toLevel: Number(payload.toLevel),
      reason: String(payload.reason),
      at: row.createdAt.getTime(),
      dueAt: typeof payload.dueAt === 'string' ? Date.parse(payload.dueAt) : Number.NaN,
    };
  });
}

/** Deadlines the database says are pending: tickets still awaiting acceptance with an accept-by. */
async function pendingDeadlines(
  prisma: PrismaClient,
  ticketIds: number[],
): Promise<PendingDeadline[]> {
  const rows = await prisma.ticket.findMany({
    where: {
      id: { in: ticketIds },
      status: { in: [...AWAITING_ACCEPT] },
      acceptBy: { not: null },
    },
    select: { id: true, escalationLevel: true, version: true, acceptBy: true },
  });
  return rows.map((row) => ({
    ticketId: row.id,
    level: row.escalationLevel,
    version: row.version,
    acceptBy: row.acceptBy!.getTime(),
  }));
}

/** Fails on any ticket escalated twice from the same level for the same reason: a deadline that fired twice. */
function expectNoDoubleFiring(escalations: Escalation[]): void {
  const seen = new Map<string, number>();
  for (const escalation of escalations) {
    const key = `${escalation.ticketId}@${escalation.fromLevel}:${escalation.reason}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const doubles = [...seen].filter(([, count]) => count > 1).map(([key]) => key);
  expect(doubles, 'tickets escalated twice from the same level').toEqual([]);
}

/** The accept-deadline escalation that answered a pending deadline. */
const findEscalation = (escalations: Escalation[], deadline: PendingDeadline) =>
  escalations.find(
    (escalation) =>
      escalation.ticketId === deadline.ticketId &&
      escalation.fromLevel === deadline.level &&
      escalation.reason === 'accept-deadline',
  );

/** Escalations because nobody accepted in time (resolve deadlines escalate too, for accepted tickets). */
const acceptEscalations = (escalations: Escalation[], ticketId: number) =>
  escalations.filter(
    (escalation) => escalation.ticketId === ticketId && escalation.reason === 'accept-deadline',
  );

/**
 * Deletes every Redis key of one test system, in one atomic step.
 *
 * Each test system has its own REDIS_PREFIX and every key the server and workers
 * write starts with `<prefix>:` (BullMQ under `<prefix>:bull:*`, login rate limits
 * under `<prefix>:rl:*`; Socket.IO fan-out is pub/sub and keeps no keys). Deleting
 * exactly those keys is FLUSHALL as far as this system can tell, without wiping the
 * timers of test files that run in parallel against the same Redis.
 *
 * SCAN + DEL run inside one Lua script, so Redis executes them atomically like
 * FLUSHALL would: no half-deleted state (a job hash gone but its id still in the
 * delayed set, or the reverse) that a real flush could never leave behind.
 */
const WIPE_PREFIX = `
local deleted = {}
local cursor = '0'
repeat
  local reply = redis.call('SCAN', cursor, 'MATCH', ARGV[1], 'COUNT', 1000)
  cursor = reply[1]
  for _, key in ipairs(reply[2]) do
    redis.call('DEL', key)
    table.insert(deleted, key)
  end
until cursor == '0'
return deleted
`;

async function wipeRedisPrefix(redis: Redis, prefix: string): Promise<string[]> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}:*`;
  return (await redis.eval(WIPE_PREFIX, 0, pattern)) as string[];
}

async function countKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let count = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    count += keys.length;
  } while (cursor !== '0');
  return count;
}

/** The anonymous intake (WEB channel) and the member's grid, shared by every scenario. */
function ticketDesk(system: TestSystem, location: { lat: number; lng: number }) {
  return async (priority: Priority, count: number, label: string): Promise<TicketSummary[]> =>
    Promise.all(
      Array.from({ length: count }, async (_, index) => {
        const response = await fetch(`${system.baseUrl}/api/tickets`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            categoryCode: 'NOISE',
            description: `${label} ${index + 1}`,
            location,
            address: '和平街道健身社区',
            priority,
          }),
        });
        expect(response.status, `create ${label} ${index + 1}`).toBe(201);
        return ((await response.json()) as { ticket: TicketSummary }).ticket;
      }),
    );
}

async function startCity(): Promise<{
  system: TestSystem;
  member: Session;
  community: Session;
  location: { lat: number; lng: number };
}> {
  const system = await startSystem({ timeScale: TIME_SCALE, reconcileIntervalMs: RECONCILE_MS });
  const member = await system.login('member');
  const community = await system.login('community');
  const region = await member.get<{ region: { centroid: { lat: number; lng: number } } }>(
    `/api/regions/${member.user.regionId}`,
  );
  return { system, member, community, location: region.body.region.centroid };
}

async function acceptAll(session: Session, tickets: TicketSummary[]): Promise<void> {
  const statuses = await Promise.all(
    tickets.map(async (ticket) => (await session.post(`/api/tickets/${ticket.id}/accept`)).status),
  );
  expect(statuses).toEqual(tickets.map(() => 200));
}

function summarize(values: number[]): string {
  if (values.length === 0) return 'n/a';
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  return `n=${sorted.length} min=${sorted[0]} mean=${Math.round(mean)} max=${sorted.at(-1)} ms`;
}

describe('every deadline still fires after Redis loses everything', () => {
  let system: TestSystem;
  let member: Session;
  let community: Session;
  let redis: Redis;
  let create: ReturnType<typeof ticketDesk>;

  beforeAll(async () => {
    const city = await startCity();
    ({ system, member, community } = city);
    create = ticketDesk(system, city.location);
    redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    redis?.disconnect();
    await system?.close();
  });

  it('escalates every ticket still awaiting acceptance within one reconcile interval of due, once, and never an accepted one', async () => {
    const prisma = system.server.prisma;

    // Stage ~30 tickets at different points of their lives.
    const [escalatedOnce, climbing, acceptedNormal, acceptedUrgent] = await Promise.all([
      create('NORMAL', 8, 'escalated once'), // -> community at ~3 s, next deadline ~6 s
      create('HIGH', 4, 'climbing'), // -> community ~1.5 s, street ~3 s, next deadline ~5 s
      create('NORMAL', 4, 'accepted at the grid'),
      create('URGENT', 2, 'accepted at the grid (urgent)'),
    ]);
    const acceptedAtGrid = [...acceptedNormal, ...acceptedUrgent];
    await acceptAll(member, acceptedAtGrid);
    await eventually(
      async () =>
        (await prisma.ticket.count({
          where: { id: { in: escalatedOnce.map((t) => t.id) }, escalationLevel: { gte: 1 } },
        })) === escalatedOnce.length,
      3000 + LATENESS_BOUND_MS,
      'the first normal tickets to reach the community',
    );
    // Two of them the community accepts: accepted after one escalation.
    const acceptedAtCommunity = escalatedOnce.slice(0, 2);
    const awaitingCommunity = escalatedOnce.slice(2);
    await acceptAll(community, acceptedAtCommunity);
    // Fresh ones, filed just before the loss: their jobs exist only in Redis.
    const [freshNormal, freshUrgent] = await Promise.all([
      create('NORMAL', 6, 'fresh'),
      create('URGENT', 6, 'fresh (urgent)'),
    ]);
    // Their timers reach Redis within a few milliseconds of the answers.
    await eventually(
      async () =>
        (
          await Promise.all(
            [...freshNormal, ...freshUrgent].map((ticket) =>
              redis.exists(
                `${system.redisPrefix}:bull:${TICKET_TIMERS_QUEUE}:${ticketTimerJobId('accept-deadline', ticket.id, ticket.version)}`,
              ),
            ),
          )
        ).every((found) => found === 1),
      5000,
      'the fresh tickets’ timers in Redis',
    );
    const all = [...escalatedOnce, ...climbing, ...acceptedAtGrid, ...freshNormal, ...freshUrgent];
    const ids = all.map((ticket) => ticket.id);
    const accepted = [...acceptedAtGrid, ...acceptedAtCommunity].map((ticket) => ticket.id);

    // Redis loses everything (see wipeRedisPrefix). Snapshots on both sides: a timer
    // may fire between the read and the wipe; what is pending on either side must fire.
    const before = await pendingDeadlines(prisma, ids);
    const keysBefore = await countKeys(redis, system.redisPrefix);
    const wipedAt = Date.now();
    const deleted = new Set(await wipeRedisPrefix(redis, system.redisPrefix));
    const after = await pendingDeadlines(prisma, ids);

    expect(keysBefore).toBeGreaterThan(0);
    expect(deleted.size).toBeGreaterThan(0);
    // The loss was real: every fresh ticket's timer, still ahead at the wipe, was deleted.
    const jobKey = (ticket: TicketSummary) =>
      `${system.redisPrefix}:bull:${TICKET_TIMERS_QUEUE}:${ticketTimerJobId('accept-deadline', ticket.id, ticket.version)}`;
    const freshAhead = [...freshNormal, ...freshUrgent].filter(
      (ticket) => Date.parse(ticket.acceptBy!) > wipedAt,
    );
    expect(freshAhead.length).toBeGreaterThanOrEqual(6);
    for (const ticket of freshAhead)
      expect(deleted, `job of ${ticket.id}`).toContain(jobKey(ticket));

    // The stages are all there at the moment of the loss.
    const levelOf = new Map(after.map((deadline) => [deadline.ticketId, deadline.level]));
    expect(awaitingCommunity.every((ticket) => levelOf.get(ticket.id) === 1)).toBe(true);
    expect(climbing.every((ticket) => (levelOf.get(ticket.id) ?? 0) >= 1)).toBe(true);
    expect(freshNormal.every((ticket) => levelOf.get(ticket.id) === 0)).toBe(true);
    expect(accepted.some((id) => levelOf.has(id))).toBe(false);

    const key = (deadline: PendingDeadline) => `${deadline.ticketId}@${deadline.level}`;
    const pending = [...new Map([...before, ...after].map((d) => [key(d), d])).values()];
    // 22 tickets await acceptance (6 at the community, 4 climbing, 12 fresh); each has a pending deadline.
    const awaiting = all.filter((ticket) => !accepted.includes(ticket.id)).map((t) => t.id);
    expect(awaiting).toHaveLength(22);
    expect(new Set(pending.map((deadline) => deadline.ticketId))).toEqual(new Set(awaiting));

    // Every pending deadline fires: escalationLevel moves past it and a ticket.escalated
    // event from exactly that level exists.
    const lastDue = Math.max(...pending.map((deadline) => deadline.acceptBy));
    const fired = await eventually(
      async () => {
        const escalations = await escalationsOf(prisma, ids);
        return pending.every((deadline) => findEscalation(escalations, deadline)) && escalations;
      },
      lastDue - Date.now() + LATENESS_BOUND_MS + 1000,
      'every pending deadline to fire after the wipe',
      100,
    ).catch(async (error: unknown) => {
      const escalations = await escalationsOf(prisma, ids);
      const missing = pending.filter((deadline) => !findEscalation(escalations, deadline));
      throw new Error(`${String(error)}; never fired: ${JSON.stringify(missing)}`);
    });

    const lateness = pending.map((deadline) => {
      const escalation = findEscalation(fired, deadline)!;
      return { ...deadline, lateMs: escalation.at - deadline.acceptBy, escalation };
    });
    console.info(
      `[resilience] ${pending.length} deadlines pending at the Redis wipe; lateness ${summarize(
        lateness.map((entry) => entry.lateMs),
      )}; bound ${LATENESS_BOUND_MS} ms (reconcile ${RECONCILE_MS} + ${MARGIN_MS})`,
    );
    for (const entry of lateness) {
      expect(entry.lateMs, `ticket ${entry.ticketId} level ${entry.level}`).toBeLessThanOrEqual(
        LATENESS_BOUND_MS,
      );
      expect(entry.escalation.toLevel).toBe(entry.level + 1);
      expect(entry.escalation.reason).toBe('accept-deadline');
    }
    const rows = await prisma.ticket.findMany({
      where: { id: { in: ids } },
      select: { id: true, escalationLevel: true },
    });
    for (const deadline of pending) {
      expect(rows.find((row) => row.id === deadline.ticketId)!.escalationLevel).toBeGreaterThan(
        deadline.level,
      );
    }

    // Keep watching while the chains climb on (urgent tickets reach the city in ~3 s):
    // the timers scheduled after the loss keep firing on time, and nothing is left overdue.
    const watchUntil = Math.max(Date.now(), wipedAt + 4000);
    await sleep(watchUntil - Date.now());
    const overdue = (await pendingDeadlines(prisma, ids)).filter(
      (deadline) => deadline.acceptBy < Date.now() - LATENESS_BOUND_MS,
    );
    expect(overdue, 'deadlines overdue by more than the bound').toEqual([]);
    const afterWipe = (await escalationsOf(prisma, ids)).filter((e) => e.at >= wipedAt);
    expect(afterWipe.length).toBeGreaterThan(pending.length);
    for (const escalation of afterWipe) {
      expect(escalation.at - escalation.dueAt, `event ${escalation.eventId}`).toBeLessThanOrEqual(
        LATENESS_BOUND_MS,
      );
    }

    // Accepted tickets never escalate after acceptance (their deadlines are long past),
    // and no deadline fired twice.
    const everything = await escalationsOf(prisma, ids);
    for (const ticket of acceptedAtGrid) {
      expect(Date.parse(ticket.acceptBy!)).toBeLessThan(Date.now());
      expect(acceptEscalations(everything, ticket.id)).toEqual([]);
    }
    for (const ticket of acceptedAtCommunity) {
      expect(acceptEscalations(everything, ticket.id).map((e) => e.fromLevel)).toEqual([0]);
    }
    const acceptedRows = await prisma.ticket.findMany({
      where: { id: { in: accepted } },
      select: { status: true, acceptBy: true },
    });
    for (const row of acceptedRows) {
      expect(row.status).toBe('ACCEPTED');
      expect(row.acceptBy!.getTime()).toBeLessThan(Date.now());
    }
    expectNoDoubleFiring(everything);
  });
});

describe('restart the workers mid-job', () => {
  let system: TestSystem;
  let redis: Redis;
  let create: ReturnType<typeof ticketDesk>;

  beforeAll(async () => {
    const city = await startCity();
    system = city.system;
    create = ticketDesk(system, city.location);
    redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    redis?.disconnect();
    await system?.close();
  });

  it('fires every deadline that fell due while the workers were down, exactly once, soon after they return', async () => {
    const prisma = system.server.prisma;
    const [urgent, normal] = await Promise.all([
      create('URGENT', 12, 'restart urgent'),
      create('NORMAL', 6, 'restart normal'),
    ]);
    // Stop the workers just as the urgent deadlines fall due, so that some of those
    // jobs are running while the workers close and others are left waiting.
    const firstDue = Math.min(...urgent.map((ticket) => Date.parse(ticket.acceptBy!)));
    await sleep(firstDue - Date.now() + 20);
    await system.stopWorkers();
    const stoppedAt = Date.now();
    expect(system.workers).toBeNull();

    // While they are down: more tickets are filed (the server still schedules their
    // timers in Redis) and every deadline so far falls due.
    const whileDown = await create('URGENT', 4, 'filed while the workers are down');
    const ids = [...urgent, ...normal, ...whileDown].map((ticket) => ticket.id);
    const lastInitialDue = Math.max(
      ...[...normal, ...whileDown].map((ticket) => Date.parse(ticket.acceptBy!)),
    );
    await sleep(lastInitialDue - Date.now() + 300);
    const escalatedWhileDown = (await escalationsOf(prisma, ids)).filter(
      (e) => e.at > stoppedAt + 200,
    );
    expect(escalatedWhileDown, 'escalations while no worker runs').toEqual([]);

    const overdue = (await pendingDeadlines(prisma, ids)).filter(
      (deadline) => deadline.acceptBy < Date.now(),
    );
    // At least the normal and the filed-while-down ones; urgent ones the closing
    // workers escalated wait at the community level, also overdue by now.
    expect(overdue.length).toBeGreaterThanOrEqual(normal.length + whileDown.length);

    const restartedAt = Date.now();
    await system.startWorkers();
    const fired = await eventually(
      async () => {
        const escalations = await escalationsOf(prisma, ids);
        return overdue.every((deadline) => findEscalation(escalations, deadline)) && escalations;
      },
      LATENESS_BOUND_MS + 1000,
      'the overdue deadlines to fire after the restart',
    );
    const delays = overdue.map(
      (deadline) => findEscalation(fired, deadline)!.at - Math.max(deadline.acceptBy, restartedAt),
    );
    console.info(
      `[resilience] workers down ${restartedAt - stoppedAt} ms; ${overdue.length} overdue deadlines fired after restart: ${summarize(delays)} after the restart`,
    );
    for (const delay of delays) expect(delay).toBeLessThanOrEqual(LATENESS_BOUND_MS);

    // Give any duplicate (the restart's reconcile re-adding jobs, retries of jobs cut
    // off by the shutdown) time to show, then check that each deadline fired once.
    await sleep(RECONCILE_MS + 500);
    const everything = await escalationsOf(prisma, ids);
    for (const deadline of overdue) {
      expect(
        acceptEscalations(everything, deadline.ticketId).filter(
          (e) => e.fromLevel === deadline.level,
        ),
      ).toHaveLength(1);
    }
    expectNoDoubleFiring(everything);
    // Every urgent ticket got past the grid exactly once, whether before, during or after the stop.
    for (const ticket of urgent) {
      const fromGrid = acceptEscalations(everything, ticket.id).filter((e) => e.fromLevel === 0);
      expect(fromGrid).toHaveLength(1);
    }
  });

  it('escalates once when the same deadline job is queued several times under different ids', async () => {
    const prisma = system.server.prisma;
    const tickets = await create('NORMAL', 8, 'duplicate timer');
    const queue = new Queue<TicketTimerJob>(TICKET_TIMERS_QUEUE, {
      connection: redis,
      prefix: `${system.redisPrefix}:bull`,
    });
    try {
      const dueAt = new Date().toISOString();
      const copies = ['dup-a', 'dup-b', 'dup-c'];
      const jobIds = new Map<number, string[]>();
      await queue.addBulk(
        tickets.flatMap((ticket) => {
          const data: TicketTimerJob = {
            kind: 'accept-deadline',
            ticketId: ticket.id,
            version: ticket.version,
            level: 0,
            dueAt,
          };
          const ids = copies.map((copy) => `${copy}-${ticket.id}`);
          jobIds.set(ticket.id, ids);
          return ids.map((jobId) => ({
            name: 'accept-deadline',
            data,
            opts: { jobId, removeOnComplete: false, removeOnFail: false },
          }));
        }),
      );

      // Every copy runs; exactly one per ticket escalates, the others find the ticket moved on.
      const outcomes = await eventually(
        async () => {
          const results: Array<{ ticketId: number; kind: string }> = [];
          for (const [ticketId, ids] of jobIds) {
            for (const id of ids) {
              const job = await queue.getJob(id);
              const state = job ? await job.getState() : 'missing';
              if (state === 'failed')
                results.push({ ticketId, kind: `failed: ${job?.failedReason}` });
              else if (state !== 'completed') return null;
              else {
                // Read the job again: the copy fetched above may predate its completion.
                const done = await queue.getJob(id);
                const outcome = done?.returnvalue as { kind: string } | null | undefined;
                if (!outcome) return null;
                results.push({ ticketId, kind: outcome.kind });
              }
            }
          }
          return results;
        },
        5000,
        'every duplicate job to finish',
      );
      for (const ticket of tickets) {
        const kinds = outcomes.filter((o) => o.ticketId === ticket.id).map((o) => o.kind);
        expect(kinds.sort(), `ticket ${ticket.id}`).toEqual(['escalated', 'stale', 'stale']);
      }

      // Let the real timer (scheduled by the server for the same deadline) fire too: a no-op.
      const realDue = Math.max(...tickets.map((ticket) => Date.parse(ticket.acceptBy!)));
      await sleep(realDue - Date.now() + 1000);
      for (const ticket of tickets) {
        const real = await queue.getJob(
          ticketTimerJobId('accept-deadline', ticket.id, ticket.version),
        );
        expect(real, `the real timer of ${ticket.id} has run`).toBeUndefined();
      }
      const escalations = await escalationsOf(
        prisma,
        tickets.map((ticket) => ticket.id),
      );
      for (const ticket of tickets) {
        expect(
          acceptEscalations(escalations, ticket.id).filter((e) => e.fromLevel === 0),
          `ticket ${ticket.id}`,
        ).toHaveLength(1);
      }
      expectNoDoubleFiring(escalations);
    } finally {
      await queue.close();
    }
  });
});
