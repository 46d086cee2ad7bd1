import { createHash, randomBytes } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LatLng, TicketEventPayload, TicketSummary } from '@gridline/core';
import { freePort } from './support/processes.ts';
import { startServerProcessOn, type ObservedServerProcess } from './support/server-on-port.ts';
import {
  openSocket,
  recordEvents,
  sessionAt,
  startSystem,
  waitFor,
  type ClientSocket,
  type Session,
  type TestSystem,
} from './support/system.ts';

// Load: concurrent client loops, each posting one anonymous report after another, each
// report with its own Idempotency-Key.
const CLIENTS = 30;
const MAX_KEYS_PER_CLIENT = 400;
// The server is killed once it has acknowledged this many and the load has run this long.
const MIN_ACKS_BEFORE_KILL = 100;
const MIN_LOAD_BEFORE_KILL_MS = 1500;
const KILL_WAIT_LIMIT_MS = 10_000;
// After the new process answers /readyz, the load goes on this long.
const LOAD_AFTER_RESTART_MS = 800;
// A client whose request failed retries the same key and body this often, for at most this long.
const RETRY_DELAY_MS = 50;
const RETRY_WINDOW_MS = 20_000;
const REQUEST_TIMEOUT_MS = 5000;

// Graceful shutdown.
const TRICKLE_CLIENTS = 4;
const TRICKLE_GAP_MS = 15;
const MAX_TRICKLE_PER_CLIENT = 2000;
const READYZ_POLL_MS = 25;
// "Within a few seconds": main.ts forces exit(1) after 10 s, so a clean close must beat that
// by far.
const EXIT_BOUND_MS = 5000;
// How long the test waits for the process to end on its own (past main.ts's 10 s force exit).
const EXIT_WAIT_MS = 12_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

interface ReportBody {
  categoryCode: string;
  description: string;
  location: LatLng;
  address: string;
  priority: 'NORMAL';
}

interface CreateReply {
  ticket: TicketSummary;
  trackingToken: string;
  likelyDuplicates?: unknown[];
}

type Outcome =
  | { kind: 'response'; status: number; body: unknown }
  | { kind: 'network'; error: string };

function isCreateReply(body: unknown): body is CreateReply {
  if (body === null || typeof body !== 'object') return false;
  const { ticket, trackingToken } = body as Record<string, unknown>;
  return (
    typeof trackingToken === 'string' &&
    ticket !== null &&
    typeof ticket === 'object' &&
    typeof (ticket as Record<string, unknown>).id === 'number'
  );
}

function errorCode(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const error = (body as Record<string, unknown>).error;
  if (error === null || typeof error !== 'object') return undefined;
  const code = (error as Record<string, unknown>).code;
  return typeof code === 'string' ? code : undefined;
}

/** "TypeError: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1234" and the like. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  const parts = [error.name];
  if (cause !== null && typeof cause === 'object') {
    if ('code' in cause) parts.push(String(cause.code));
    if (cause instanceof Error) parts.push(cause.message);
  } else {
    if ('code' in error) parts.push(String(error.code));
    parts.push(error.message);
  }
  return parts.join(': ');
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

/** One POST /api/tickets through fetch (keep-alive, like browsers and proxies). */
async function postReport(baseUrl: string, key: string, body: ReportBody): Promise<Outcome> {
  try {
    const response = await fetch(`${baseUrl}/api/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    // A response whose body was cut off is not an acknowledgement.
    const text = await response.text();
    return { kind: 'response', status: response.status, body: parseJson(text) };
  } catch (error) {
    return { kind: 'network', error: describeError(error) };
  }
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** Runs `run` over `items`, at most `width` at a time. */
async function inParallel<T, R>(
  items: readonly T[],
  width: number,
  run: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  return results;
}

/** Every event after `after` the session may see, page by page. */
async function catchUp(session: Session, after: number): Promise<TicketEventPayload[]> {
  const events: TicketEventPayload[] = [];
  let cursor = after;
  for (let page = 0; page < 50; page++) {
    const { status, body } = await session.get<{ events: TicketEventPayload[] }>(
      `/api/events?after=${cursor}&limit=1000`,
    );
    if (status !== 200) throw new Error(`GET /api/events?after=${cursor}: ${status}`);
    events.push(...body.events);
    if (body.events.length < 1000) break;
    cursor = body.events.at(-1)!.eventId;
  }
  return events;
}

interface WatchedSocket {
  who: string;
  socket: ClientSocket;
  events: TicketEventPayload[];
  disconnects: Array<{ reason: string; at: number }>;
}

function watch(who: string, socket: ClientSocket): WatchedSocket {
  const watched: WatchedSocket = { who, socket, events: recordEvents(socket), disconnects: [] };
  socket.on('disconnect', (reason) => watched.disconnects.push({ reason, at: Date.now() }));
  return watched;
}

interface SlowPost {
  /** Sends the rest of the body. */
  finish(): void;
  result: Promise<Outcome>;
}

/**
 * A POST whose headers and first half of the body go out now and the rest on finish():
 * a request the server has accepted and is still reading, for as long as the test likes.
 * Without an agent the connection closes after the answer; with a keep-alive agent it is
 * kept for the agent's next request, as browsers and proxies do.
 */
function startSlowPost(
  port: number,
  key: string,
  body: ReportBody,
  agent: Agent | false = false,
): SlowPost {
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  const half = Math.floor(bytes.length / 2);
  const request = httpRequest({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/api/tickets',
    agent,
    headers: {
      'content-type': 'application/json',
      'content-length': String(bytes.length),
      'idempotency-key': key,
    },
  });
  request.setTimeout(EXIT_WAIT_MS + 5000, () => request.destroy(new Error('slow POST timed out')));
  const result = new Promise<Outcome>((resolve) => {
    request.once('error', (error) => resolve({ kind: 'network', error: describeError(error) }));
    request.once('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('error', (error) => resolve({ kind: 'network', error: describeError(error) }));
      response.once('end', () =>
        resolve({
          kind: 'response',
          status: response.statusCode ?? 0,
          body: parseJson(Buffer.concat(chunks).toString('utf8')),
        }),
      );
    });
  });
  request.flushHeaders();
  request.write(bytes.subarray(0, half));
  return { finish: () => request.end(bytes.subarray(half)), result };
}

/** GET through a given node:http agent. */
function getThrough(agent: Agent, port: number, path: string): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('error', (error) => resolve({ kind: 'network', error: describeError(error) }));
      response.once('end', () =>
        resolve({
          kind: 'response',
          status: response.statusCode ?? 0,
          body: parseJson(Buffer.concat(chunks).toString('utf8')),
        }),
      );
    });
    request.setTimeout(REQUEST_TIMEOUT_MS, () => request.destroy(new Error('GET timed out')));
    request.once('error', (error) => resolve({ kind: 'network', error: describeError(error) }));
    request.end();
  });
}

describe('crash safety of a server process', () => {
  let system: TestSystem;
  let member: Session;
  let community: Session;
  let dispatcher: Session;
  let location: LatLng;
  const children: ObservedServerProcess[] = [];
  const sockets: ClientSocket[] = [];
  // The server killed with SIGKILL (test 1), the one stopped with SIGTERM (test 2) and the
  // one its clients move to.
  let crashPort = 0;
  let crashServer: ObservedServerProcess;
  let drainServer: ObservedServerProcess;
  let successor: ObservedServerProcess;

  const startChild = async (port: number, logLevel?: string) => {
    const child = await startServerProcessOn(port, {
      databaseUrl: system.databaseUrl,
      redisPrefix: system.redisPrefix,
      sessionSecret: 'test-secret',
      ...(logLevel ? { logLevel } : {}),
    });
    children.push(child);
    return child;
  };

  const report = (description: string): ReportBody => ({
    categoryCode: 'NOISE',
    description,
    location,
    address: '和平街道健身社区',
    priority: 'NORMAL',
  });

  beforeAll(async () => {
    // The in-process server of startSystem only provides the seeded database and the
    // sign-ins; it stays idle. No workers: the tickets keep exactly their first two events.
    system = await startSystem({ workers: false });
    [member, community, dispatcher] = await Promise.all([
      system.login('member'),
      system.login('community'),
      system.login('dispatcher'),
    ]);
    const region = await member.get<{ region: { centroid: LatLng } }>(
      `/api/regions/${member.user.regionId}`,
    );
    location = region.body.region.centroid;
    const ports = new Set<number>();
    while (ports.size < 3) ports.add(await freePort());
    const [first, second, third] = [...ports] as [number, number, number];
    crashPort = first;
    // 'info' so that the test sees the moment close() begins ("shutting down").
    [crashServer, drainServer, successor] = await Promise.all([
      startChild(first),
      startChild(second, 'info'),
      startChild(third),
    ]);
  }, 90_000);

  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await Promise.all(
      children.map(async (child) => {
        const how = await child.stop(2000);
        if (how !== 'exit 0' && how !== 'SIGKILL' && how !== 'SIGTERM') {
          console.warn(`[crash-safety] ${child.baseUrl} ended with ${how}:\n${child.output()}`);
        }
      }),
    );
    await system?.close();
  });

  describe('SIGKILL in the middle of a load of creations whose clients retry with their Idempotency-Key', () => {
    it('keeps every acknowledged ticket exactly once and every retried one at most once', async () => {
      const prisma = system.server.prisma;
      const run = randomBytes(4).toString('hex');
      const keyPrefix = `crash-${run}`;
      const prefix = `崩溃测试 ${run}`;
      const baseUrl = `http://127.0.0.1:${crashPort}`;

      type Phase = 'before-kill' | 'down' | 'after-restart';
      interface KeyRecord {
        key: string;
        body: ReportBody;
        attempts: Array<{ sentIn: Phase; endedIn: Phase; outcome: Outcome }>;
        ack: { ticketId: number; trackingToken: string; replayed: boolean; in: Phase } | null;
      }
      const records: KeyRecord[] = [];
      const inFlight = new Set<KeyRecord>();
      let phase: Phase = 'before-kill';
      let stopping = false;
      const started = Date.now();
      const hardDeadline = started + 30_000;

      const client = async (index: number) => {
        for (let n = 0; n < MAX_KEYS_PER_CLIENT && !stopping && Date.now() < hardDeadline; n++) {
          const record: KeyRecord = {
            key: `${keyPrefix}-${index}-${n}`,
            body: report(`${prefix} 客户${index} 第${n}条: 夜间施工噪音`),
            attempts: [],
            ack: null,
          };
          records.push(record);
          const giveUpAt = Date.now() + RETRY_WINDOW_MS;
          while (record.ack === null && Date.now() < giveUpAt) {
            const sentIn = phase;
            inFlight.add(record);
            const outcome = await postReport(baseUrl, record.key, record.body);
            inFlight.delete(record);
            record.attempts.push({ sentIn, endedIn: phase, outcome });
            if (outcome.kind === 'response') {
              if (outcome.status === 201 && isCreateReply(outcome.body)) {
                record.ack = {
                  ticketId: outcome.body.ticket.id,
                  trackingToken: outcome.body.trackingToken,
                  // A replay carries no likelyDuplicates: the first request committed but
                  // its answer was lost with the process.
                  replayed: !('likelyDuplicates' in outcome.body),
                  in: phase,
                };
              }
              // Any other answer is not retried; it is reported below.
              break;
            }
            await sleep(RETRY_DELAY_MS);
          }
        }
      };
      const loops = Array.from({ length: CLIENTS }, (_, index) => client(index));
      const acked = () => records.filter((record) => record.ack !== null).length;

      await waitFor(
        () => acked() >= MIN_ACKS_BEFORE_KILL && Date.now() - started >= MIN_LOAD_BEFORE_KILL_MS,
        KILL_WAIT_LIMIT_MS,
        `${MIN_ACKS_BEFORE_KILL} acknowledged reports before the kill`,
      );
      const ackedBeforeKill = acked();
      const inFlightAtKill = inFlight.size;
      phase = 'down';
      const killedAt = Date.now();
      crashServer.child.kill('SIGKILL');
      expect(await crashServer.exited).toBe('SIGKILL');
      const restarted = await startChild(crashPort);
      const downMs = Date.now() - killedAt;
      phase = 'after-restart';
      await sleep(LOAD_AFTER_RESTART_MS);
      stopping = true;
      await Promise.all(loops);
      const loadMs = Date.now() - started;

      // Every key ended with a 201, and nothing else was ever answered.
      const unacknowledged = records.filter((record) => record.ack === null);
      expect(
        unacknowledged.map((record) => ({ key: record.key, attempts: record.attempts.slice(-3) })),
      ).toEqual([]);
      const otherAnswers = records.flatMap((record) =>
        record.attempts
          .filter(
            (attempt) => attempt.outcome.kind === 'response' && attempt.outcome.status !== 201,
          )
          .map((attempt) => ({ key: record.key, ...attempt })),
      );
      expect(otherAnswers).toEqual([]);
      // The crash did hit requests in flight, and they were retried.
      const retried = records.filter((record) =>
        record.attempts.some((attempt) => attempt.outcome.kind === 'network'),
      );
      expect(inFlightAtKill).toBeGreaterThan(0);
      expect(retried.length).toBeGreaterThan(0);
      // Only the crash made requests fail: nothing failed while the first process was up.
      const failedWhileUp = retried.filter((record) =>
        record.attempts.some(
          (attempt) =>
            attempt.outcome.kind === 'network' &&
            attempt.sentIn === 'before-kill' &&
            attempt.endedIn === 'before-kill',
        ),
      );
      expect(failedWhileUp.map((record) => record.attempts)).toEqual([]);

      // Asking again with the same key and body gives the same ticket and tracking token
      // (every retried key, and a sample of the others); another body under a used key is a 422.
      const replayTargets = records.filter(
        (record, index) => retried.includes(record) || index % 10 === 0,
      );
      const replays = await inParallel(replayTargets, 20, async (record) => ({
        record,
        outcome: await postReport(baseUrl, record.key, record.body),
      }));
      const replayMismatches = replays.filter(
        ({ record, outcome }) =>
          !(
            outcome.kind === 'response' &&
            outcome.status === 201 &&
            isCreateReply(outcome.body) &&
            outcome.body.ticket.id === record.ack?.ticketId &&
            outcome.body.trackingToken === record.ack.trackingToken
          ),
      );
      expect(
        replayMismatches.map(({ record, outcome }) => ({
          key: record.key,
          ack: record.ack,
          outcome,
        })),
      ).toEqual([]);
      const firstKey = records[0]!;
      const otherBody = await postReport(restarted.baseUrl, firstKey.key, {
        ...firstKey.body,
        description: `${firstKey.body.description} (改)`,
      });
      expect(otherBody.kind === 'response' && otherBody.status).toBe(422);
      expect(otherBody.kind === 'response' && errorCode(otherBody.body)).toBe(
        'IDEMPOTENCY_MISMATCH',
      );

      // PostgreSQL: each acknowledged ticket exactly once, by id and by description.
      const tickets = await prisma.ticket.findMany({
        where: { description: { startsWith: prefix } },
        select: {
          id: true,
          description: true,
          status: true,
          assigneeId: true,
          trackingTokenHash: true,
          events: {
            orderBy: { id: 'asc' },
            select: { id: true, type: true, fromStatus: true, toStatus: true },
          },
        },
      });
      const byDescription = new Map<string, typeof tickets>();
      for (const ticket of tickets) {
        byDescription.set(ticket.description, [
          ...(byDescription.get(ticket.description) ?? []),
          ticket,
        ]);
      }
      const duplicated = [...byDescription].filter(([, rows]) => rows.length > 1);
      expect(
        duplicated.map(([description, rows]) => ({ description, ids: rows.map((r) => r.id) })),
      ).toEqual([]);
      const byId = new Map(tickets.map((ticket) => [ticket.id, ticket]));
      const wrong: Array<{ key: string; problem: string }> = [];
      for (const record of records) {
        const rows = byDescription.get(record.body.description) ?? [];
        if (rows.length > 1) wrong.push({ key: record.key, problem: `${rows.length} tickets` });
        if (!record.ack) continue;
        const ticket = byId.get(record.ack.ticketId);
        if (!ticket)
          wrong.push({ key: record.key, problem: `ticket ${record.ack.ticketId} missing` });
        else if (ticket.description !== record.body.description)
          wrong.push({ key: record.key, problem: `ticket ${ticket.id} has another description` });
        else if (ticket.trackingTokenHash !== tokenHash(record.ack.trackingToken))
          wrong.push({ key: record.key, problem: `tracking token is not ticket ${ticket.id}'s` });
      }
      expect(wrong).toEqual([]);
      // No ticket that no client asked for.
      const described = new Set(records.map((record) => record.body.description));
      expect(tickets.filter((ticket) => !described.has(ticket.description))).toEqual([]);
      const ackedKeys = new Set(records.filter((r) => r.ack).map((record) => record.key));
      expect(tickets.length).toBe(ackedKeys.size);

      // One idempotency record per acknowledged key, pointing at that key's ticket.
      const keyRows = await prisma.idempotencyKey.findMany({
        where: { key: { startsWith: keyPrefix } },
        select: { key: true, status: true, response: true },
      });
      expect(keyRows.length).toBe(ackedKeys.size);
      const recordByKey = new Map(records.map((record) => [record.key, record]));
      const keyProblems = keyRows.filter((row) => {
        const response = row.response as { ticketId?: unknown; trackingToken?: unknown } | null;
        const ack = recordByKey.get(row.key)?.ack;
        return (
          row.status !== 201 ||
          !ack ||
          response?.ticketId !== ack.ticketId ||
          response.trackingToken !== ack.trackingToken
        );
      });
      expect(keyProblems).toEqual([]);

      // Ticket and events were written by one statement: every ticket has exactly its
      // ticket.created and ticket.assigned, in that order, nothing more and nothing less.
      const memberId = member.user.id;
      const inconsistent = tickets.filter(
        (ticket) =>
          ticket.status !== 'ASSIGNED' ||
          ticket.assigneeId !== memberId ||
          ticket.events.length !== 2 ||
          ticket.events[0]?.type !== 'ticket.created' ||
          ticket.events[0].toStatus !== 'NEW' ||
          ticket.events[1]?.type !== 'ticket.assigned' ||
          ticket.events[1].fromStatus !== 'NEW' ||
          ticket.events[1].toStatus !== 'ASSIGNED',
      );
      expect(inconsistent).toEqual([]);
      const eventCount = await prisma.ticketEvent.count({
        where: { ticket: { description: { startsWith: prefix } } },
      });
      expect(eventCount).toBe(2 * tickets.length);

      const replayedRetries = retried.filter((record) => record.ack?.replayed);
      console.info(
        `[crash-safety] SIGKILL: ${records.length} keys from ${CLIENTS} clients in ${loadMs} ms; ` +
          `${ackedBeforeKill} acknowledged before the kill, ${inFlightAtKill} in flight at it; ` +
          `down ${downMs} ms; ${retried.length} keys retried, of which ` +
          `${replayedRetries.length} had committed before the crash (answered by replay); ` +
          `${tickets.length} tickets, ${eventCount} events.`,
      );
    });
  });

  describe('graceful shutdown on SIGTERM under a trickle of requests, with sockets connected', () => {
    const run = randomBytes(4).toString('hex');
    const keyPrefix = `drain-${run}`;
    const prefix = `停机测试 ${run}`;

    interface TrickleRecord {
      key: string;
      body: ReportBody;
      sentAt: number;
      /** The answer (or failure) from the server being stopped. */
      first: Outcome;
      endedAt: number;
      /** Retries on the successor after a failure (same key and body). */
      retries: Outcome[];
    }
    const trickle: TrickleRecord[] = [];
    const polls: Array<{
      sentAt: number;
      answeredAt: number;
      outcome: Outcome;
      via: 'fetch' | 'keep-alive agent';
    }> = [];
    // One kept-alive connection, as a browser or proxy holds: a slow POST is in flight on
    // it when close begins, and /readyz polls follow on the same connection.
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    afterAll(() => keepAlive.destroy());
    const slowResults: Outcome[] = [];
    const slowKeys: Array<{ key: string; body: ReportBody }> = [];
    const onDrain: WatchedSocket[] = [];
    let bystander: WatchedSocket;
    let sigtermAt = 0;
    let closeBeganAt: number | null = null;
    let exitHow = 'still running';
    let exitedAt = 0;
    let baselineEventId = 0;
    const catchUps = new Map<string, { after: number; events: TicketEventPayload[] }>();
    const afterReconnect = new Map<string, WatchedSocket>();
    let lastTicketId = 0;
    const sessionOf = new Map<string, Session>();

    beforeAll(async () => {
      const prisma = system.server.prisma;
      const drain = drainServer;
      const baseline = await prisma.ticketEvent.aggregate({ _max: { id: true } });
      baselineEventId = baseline._max.id ?? 0;

      // Sockets on the server about to stop, and one on another process.
      sessionOf.set('member', member);
      sessionOf.set('community', community);
      sessionOf.set('dispatcher', dispatcher);
      for (const [who, session] of sessionOf) {
        onDrain.push(watch(who, await openSocket(drain.baseUrl, session, sockets)));
      }
      bystander = watch(
        'dispatcher@successor',
        await openSocket(successor.baseUrl, dispatcher, sockets),
      );

      let drainGone = false;
      void drain.exited.then(() => {
        drainGone = true;
      });
      const limit = Date.now() + EXIT_WAIT_MS + 10_000;

      const poller = (async () => {
        while (!drainGone && Date.now() < limit) {
          const sentAt = Date.now();
          let outcome: Outcome;
          try {
            const response = await fetch(`${drain.baseUrl}/readyz`, {
              signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
            });
            outcome = { kind: 'response', status: response.status, body: await response.json() };
          } catch (error) {
            outcome = { kind: 'network', error: describeError(error) };
          }
          polls.push({ sentAt, answeredAt: Date.now(), outcome, via: 'fetch' });
          await sleep(READYZ_POLL_MS);
        }
      })();

      const trickleLoop = async (index: number) => {
        for (let n = 0; n < MAX_TRICKLE_PER_CLIENT && !drainGone && Date.now() < limit; n++) {
          const key = `${keyPrefix}-${index}-${n}`;
          const body = report(`${prefix} 客户${index} 第${n}条: 路灯不亮`);
          const sentAt = Date.now();
          const first = await postReport(drain.baseUrl, key, body);
          const record: TrickleRecord = {
            key,
            body,
            sentAt,
            first,
            endedAt: Date.now(),
            retries: [],
          };
          trickle.push(record);
          if (first.kind === 'network') {
            // The client moves to the other process (as behind a load balancer) once this
            // one is gone, and retries with the same key.
            await Promise.race([drain.exited, sleep(EXIT_WAIT_MS + 2000)]);
            for (let attempt = 0; attempt < 5; attempt++) {
              const retry = await postReport(successor.baseUrl, key, body);
              record.retries.push(retry);
              if (retry.kind === 'response') break;
              await sleep(200);
            }
            return;
          }
          await sleep(TRICKLE_GAP_MS);
        }
      };
      const loops = Array.from({ length: TRICKLE_CLIENTS }, (_, index) => trickleLoop(index));

      await sleep(500);
      // Two requests the server has accepted and is still reading when SIGTERM arrives.
      const slow = [0, 1].map((index) => {
        const key = `${keyPrefix}-slow-${index}`;
        const body = report(`${prefix} slow ${index}: street light out`);
        slowKeys.push({ key, body });
        return startSlowPost(drain.port, key, body, index === 0 ? keepAlive : false);
      });
      // Queued behind the first slow POST on the agent's one connection.
      const stickyPoller = (async () => {
        while (!drainGone && Date.now() < limit) {
          const sentAt = Date.now();
          const outcome = await getThrough(keepAlive, drain.port, '/readyz');
          polls.push({ sentAt, answeredAt: Date.now(), outcome, via: 'keep-alive agent' });
          await sleep(READYZ_POLL_MS);
        }
      })();
      await sleep(300);

      sigtermAt = Date.now();
      drain.child.kill('SIGTERM');
      closeBeganAt = await drain.waitForLine('shutting down', 3000).catch(() => null);
      await sleep(300);
      for (const request of slow) request.finish();
      exitHow = await Promise.race([drain.exited, sleep(EXIT_WAIT_MS).then(() => 'still running')]);
      exitedAt = Date.now();
      if (exitHow === 'still running') {
        drain.child.kill('SIGKILL');
        await drain.exited;
      }
      drainGone = true;
      await Promise.all([...loops, poller, stickyPoller]);
      slowResults.push(...(await Promise.all(slow.map((request) => request.result))));

      // Reconnect to the successor and catch up from the last event each socket saw.
      for (const watched of onDrain) {
        const session = sessionOf.get(watched.who)!;
        const lastSeen = Math.max(baselineEventId, ...watched.events.map((e) => e.eventId));
        const socket = watch(watched.who, await openSocket(successor.baseUrl, session, sockets));
        afterReconnect.set(watched.who, socket);
        const events = await catchUp(sessionAt(session, successor.baseUrl), lastSeen);
        catchUps.set(watched.who, { after: lastSeen, events });
      }
      // And live events reach the new sockets.
      const last = await postReport(
        successor.baseUrl,
        `${keyPrefix}-last`,
        report(`${prefix} 最后一条`),
      );
      if (last.kind !== 'response' || !isCreateReply(last.body)) {
        throw new Error(`report on the successor: ${JSON.stringify(last)}`);
      }
      lastTicketId = last.body.ticket.id;
      for (const socket of afterReconnect.values()) {
        await waitFor(
          () =>
            socket.events.some((e) => e.ticket.id === lastTicketId && e.type === 'ticket.assigned'),
          5000,
          `ticket.assigned of the last report on ${socket.who}'s new socket`,
        ).catch(() => undefined);
      }
      const began = closeBeganAt;
      const servedAfterClose = trickle.filter(
        (r) => r.first.kind === 'response' && began !== null && r.sentAt >= began,
      ).length;
      const stickyAnswered = polls.filter(
        (p) =>
          p.via === 'keep-alive agent' &&
          p.outcome.kind === 'response' &&
          began !== null &&
          p.sentAt >= began,
      ).length;
      const failures = trickle.flatMap((r) => (r.first.kind === 'network' ? [r.first.error] : []));
      const disconnects = onDrain.map((w) => {
        const seen = w.disconnects.map((d) => `${d.reason} +${d.at - sigtermAt} ms`);
        return `${w.who} ${seen.join(', ') || 'none'}`;
      });
      console.info(
        `[crash-safety] SIGTERM: close began ` +
          `${began === null ? '(never seen)' : `${began - sigtermAt} ms`} after the signal; ` +
          `the process ended (${exitHow}) after ${exitedAt - sigtermAt} ms; ` +
          `${trickle.length} trickled reports, ${servedAfterClose} of them sent after close ` +
          `began and still answered by the stopping process, ${failures.length} failed there ` +
          `(${[...new Set(failures)].join(' | ')}); ${polls.length} /readyz polls, ` +
          `${stickyAnswered} answered on the kept-alive connection after close began; ` +
          `socket disconnects: ${disconnects.join('; ')}.`,
      );
    }, 60_000);

    it('finishes the requests in flight: the slow ones are answered, no accepted request is reset, nothing answers 5xx', async () => {
      const prisma = system.server.prisma;
      expect(closeBeganAt).not.toBeNull();
      expect(trickle.length).toBeGreaterThan(0);
      // The two requests still being read when close began are answered 201, and stored.
      expect(
        slowResults.map((result) => (result.kind === 'response' ? result.status : result.error)),
      ).toEqual([201, 201]);
      for (const { body } of slowKeys) {
        expect(await prisma.ticket.count({ where: { description: body.description } })).toBe(1);
      }
      // Every answer from the stopping process is a 201.
      const otherAnswers = trickle.filter(
        (record) => record.first.kind === 'response' && record.first.status !== 201,
      );
      expect(otherAnswers).toEqual([]);
      // A request that failed must not have been accepted: had the stopping process
      // committed its ticket, it was reset after being accepted. (The retry on the
      // successor is the only other writer, and it ran after the process had ended.)
      const failed = trickle.filter((record) => record.first.kind === 'network');
      const tickets = await prisma.ticket.findMany({
        where: { description: { in: failed.map((record) => record.body.description) } },
        select: { description: true, createdAt: true, id: true },
      });
      const resetAfterAccept = failed.flatMap((record) => {
        const ticket = tickets.find((row) => row.description === record.body.description);
        return ticket && ticket.createdAt.getTime() < exitedAt
          ? [
              {
                key: record.key,
                error: record.first.kind === 'network' ? record.first.error : '',
                sentAfterSigtermMs: record.sentAt - sigtermAt,
                failedAfterSigtermMs: record.endedAt - sigtermAt,
                committedAfterSigtermMs: ticket.createdAt.getTime() - sigtermAt,
                ticketId: ticket.id,
              },
            ]
          : [];
      });
      expect(resetAfterAccept).toEqual([]);
      // With the retries, every trickled key has its ticket exactly once.
      const all = await prisma.ticket.groupBy({
        by: ['description'],
        where: { description: { startsWith: prefix } },
        _count: { _all: true },
      });
      expect(all.filter((row) => row._count._all !== 1)).toEqual([]);
      const unanswered = trickle.filter(
        (record) =>
          !(record.first.kind === 'response' && record.first.status === 201) &&
          !record.retries.some((retry) => retry.kind === 'response' && retry.status === 201),
      );
      expect(unanswered).toEqual([]);
      const counted = new Set(all.map((row) => row.description));
      expect(trickle.filter((record) => !counted.has(record.body.description))).toEqual([]);
    });

    it('answers /readyz 503 (or refuses the connection) once close has begun', () => {
      expect(closeBeganAt).not.toBeNull();
      const began = closeBeganAt ?? 0;
      const before = polls.filter((poll) => poll.answeredAt < sigtermAt);
      expect(before.length).toBeGreaterThan(0);
      expect(
        before.filter((poll) => !(poll.outcome.kind === 'response' && poll.outcome.status === 200)),
      ).toEqual([]);
      const after = polls.filter((poll) => poll.sentAt >= began);
      expect(after.length).toBeGreaterThan(0);
      const answeredReady = after.filter(
        (poll) => poll.outcome.kind === 'response' && poll.outcome.status !== 503,
      );
      expect(
        answeredReady.map((poll) => ({ afterCloseMs: poll.sentAt - began, ...poll.outcome })),
      ).toEqual([]);
    });

    it('exits with code 0 within a few seconds', () => {
      expect({ exit: exitHow, withinBound: exitedAt - sigtermAt < EXIT_BOUND_MS }).toEqual({
        exit: 'exit 0',
        withinBound: true,
      });
    });

    it('disconnects its sockets, which reconnect to another process and catch up through GET /api/events with nothing missing', async () => {
      const prisma = system.server.prisma;
      for (const watched of onDrain) {
        expect(watched.disconnects.length, `${watched.who} disconnected`).toBeGreaterThan(0);
        expect(watched.disconnects[0]!.at).toBeGreaterThanOrEqual(sigtermAt);
        // Told by the server (web/src/lib/realtime/live-connection.svelte.ts takes
        // 'io server disconnect' as a restart and reconnects), or dropped with the transport;
        // not left to find out by a ping timeout.
        expect(['io server disconnect', 'transport close']).toContain(
          watched.disconnects[0]!.reason,
        );
        // Before the process ended, i.e. by close() itself.
        expect(watched.disconnects[0]!.at).toBeLessThanOrEqual(exitedAt);
      }
      const expected = await prisma.ticketEvent.findMany({
        where: { ticket: { description: { startsWith: prefix } } },
        orderBy: { id: 'asc' },
        select: { id: true, ticketId: true, type: true },
      });
      expect(expected.length).toBeGreaterThan(0);
      for (const watched of onDrain) {
        const caught = catchUps.get(watched.who)!;
        const live = afterReconnect.get(watched.who)!;
        const seen = new Set([
          ...watched.events.map((e) => e.eventId),
          ...caught.events.map((e) => e.eventId),
          ...live.events.map((e) => e.eventId),
        ]);
        const missing = expected.filter((event) => !seen.has(event.id));
        expect(missing, `events ${watched.who} never got`).toEqual([]);
        expect(caught.events.every((event) => event.eventId > caught.after)).toBe(true);
        expect(
          live.events.some((e) => e.ticket.id === lastTicketId && e.type === 'ticket.assigned'),
          `${watched.who}'s new socket hears live events`,
        ).toBe(true);
      }
    });

    it('leaves the sockets connected to other server processes alone', () => {
      expect(bystander.disconnects).toEqual([]);
      expect(bystander.socket.connected).toBe(true);
    });
  });
});
