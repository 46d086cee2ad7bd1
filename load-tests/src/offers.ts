/**
 * Bench part `offers`: approved volunteers of the demo city (`vol-*`) put on
 * duty through the public API at known positions around one place, each with
 * a Socket.IO client listening for `task.offered`.
 * - Offer push latency: tasks posted one after another through
 *   `POST /api/tasks` (offerBatch 10) by the admin; from the moment each POST
 *   is sent, and from its 201, to each `task.offered` at a volunteer's socket.
 * - Accepts under contention: tasks offered to `racers` volunteers at once,
 *   all of whom accept at the same moment; accepts per second (every answer
 *   over the wall time of the races), accept latency, and whether exactly
 *   `slots` volunteers won each task and everyone else got 409.
 * Afterwards its tasks (offers, events, ledger rows), timers and sessions are
 * removed and the volunteers go off duty again.
 */
import http from 'node:http';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { TASK_TIMERS_QUEUE, type LatLng } from '@gridline/core';
import { BENCH_AGENT, createSessionsPerUser } from './db.ts';
import { describeStatuses } from './race-stats.ts';
import { summarize, type Summary } from './stats.ts';

export interface OffersResult {
  volunteers: number;
  /** Offer push latency: tasks posted (measured ones; `warmup` more went first). */
  pushTasks: number;
  /** Offers per push task (the task's offerBatch). */
  offerBatch: number;
  /** Unmeasured tasks, and unmeasured races, before the measured ones. */
  warmup: number;
  offersExpected: number;
  offersReceived: number;
  /** From sending the POST to the offer at the volunteer's socket. */
  pushMs: Summary | null;
  /** From the 201 to the offer; negative when the offer arrived before the answer. */
  pushAfterAnswerMs: Summary | null;
  /** Offers that reached the socket before the POST's 201 reached the client. */
  offersBeforeAnswer: number;
  /** Accept contention: measured races. */
  races: number;
  racers: number;
  /** Races (warm-up included) that found fewer than `racers` offered volunteers. */
  shortRaces: number;
  acceptRequests: number;
  acceptsPerSecond: number | null;
  acceptMs: Summary | null;
  /** 200s, and the slots there were to win, over every race (warm-up included). */
  winners: number;
  slots: number;
  /** Races where the winners were not exactly the slots, or a loser got something other than 409. */
  violations: number;
  /** Answers other than 200 and 409, e.g. "403 x2, no answer x1"; empty when none. */
  otherStatuses: string;
}

export interface OffersOptions {
  pool: pg.Pool;
  port: number;
  sessionSecret: string;
  redisUrl: string;
  redisPrefix: string;
  volunteers: number;
  pushTasks: number;
  races: number;
  racers: number;
  runTag: string;
  log: (message: string) => void;
}

const AGENT = `${BENCH_AGENT} offers`;
/** Every task of this part is titled `<TITLE_PREFIX><run tag> <n>`. */
const TITLE_PREFIX = 'bench-offers-';
const PUSH_BATCH = 10;
const WARMUP = 3;
/** Volunteers stand within this distance of the place; tasks search 1 km. */
const CLUSTER_RADIUS_M = 600;
const TASK_RADIUS_M = 1000;
const OFFER_WAIT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 30_000;
const SETUP_CONCURRENCY = 25;

interface Reply {
  status: number;
  body: unknown;
}

function request(
  port: number,
  agent: http.Agent,
  method: 'POST' | 'GET',
  path: string,
  cookie: string,
  body?: unknown,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        agent,
        timeout: REQUEST_TIMEOUT_MS,
        headers: { 'content-type': 'application/json', cookie },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: parseJson(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer`)));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

/** A point about `eastMetres` east and `northMetres` north of `origin`. */
export function offset(origin: LatLng, eastMetres: number, northMetres: number): LatLng {
  const metresPerDegree = 111_320;
  return {
    lat: origin.lat + northMetres / metresPerDegree,
    lng: origin.lng + eastMetres / (metresPerDegree * Math.cos((origin.lat * Math.PI) / 180)),
  };
}

/**
 * `count` positions spread evenly over the disc of `radiusM` around `center`
 * (a sunflower spiral: the i-th at radius R·sqrt((i + 0.5) / count), turned
 * by the golden angle), so every volunteer stands at a known, different
 * distance. Deterministic.
 */
export function clusterPositions(center: LatLng, count: number, radiusM: number): LatLng[] {
  const golden = Math.PI * (3 - Math.sqrt(5));
  return Array.from({ length: count }, (_, i) => {
    const r = radiusM * Math.sqrt((i + 0.5) / count);
    const angle = i * golden;
    return offset(center, r * Math.cos(angle), r * Math.sin(angle));
  });
}

/** Exactly `slots` winners and nothing but 409 for the others. */
export function raceViolated(statuses: readonly number[], slots: number): boolean {
  const winners = statuses.filter((status) => status === 200).length;
  return winners !== slots || statuses.some((status) => status !== 200 && status !== 409);
}

/** Every fifth race has three slots, the others one. */
export function slotsOfRace(n: number): number {
  return n % 5 === 4 ? 3 : 1;
}

/**
 * One pushed task's offers against when its POST was sent and answered
 * (performance.now() ms): delays from the send, signed delays from the
 * answer (negative = the offer came first), and how many came first.
 */
export function pushDelays(
  sentAt: number,
  answeredAt: number,
  arrivals: readonly number[],
): { fromSend: number[]; fromAnswer: number[]; beforeAnswer: number } {
  return {
    fromSend: arrivals.map((at) => at - sentAt),
    fromAnswer: arrivals.map((at) => at - answeredAt),
    beforeAnswer: arrivals.filter((at) => at < answeredAt).length,
  };
}

/** The task id of a `task.offered` payload meant for `userId`, or null for anything else. */
export function offeredTaskId(payload: unknown, userId: number): number | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const { task, assignment } = payload as { task?: unknown; assignment?: unknown };
  if (typeof task !== 'object' || task === null) return null;
  const id = (task as { id?: unknown }).id;
  if (typeof id !== 'number' || !Number.isInteger(id)) return null;
  if (typeof assignment === 'object' && assignment !== null) {
    const volunteerId = (assignment as { volunteerId?: unknown }).volunteerId;
    if (volunteerId !== undefined && volunteerId !== userId) return null;
  }
  return id;
}

function createdTaskId(reply: Reply): number {
  const task = (reply.body as { task?: { id?: unknown } } | null)?.task;
  if (reply.status !== 201 || typeof task?.id !== 'number') {
    throw new Error(`POST /api/tasks: ${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`);
  }
  return task.id;
}

export async function runOffersPhase(options: OffersOptions): Promise<OffersResult> {
  const { pool, port, log } = options;
  await cleanupOffers(pool, `${TITLE_PREFIX}%`); // a run that was killed left these
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const tag = `${TITLE_PREFIX}${options.runTag}`;
  const volunteerRows = (
    await pool.query<{ id: number }>(
      `SELECT u.id FROM users u JOIN volunteers v ON v.user_id = u.id
       WHERE v.status = 'APPROVED' AND u.active AND u.role = 'VOLUNTEER' AND u.username LIKE 'vol-%'
       ORDER BY u.id LIMIT $1`,
      [options.volunteers],
    )
  ).rows.map((row) => row.id);
  const admin = (
    await pool.query<{ id: number }>(
      `SELECT id FROM users WHERE role = 'ADMIN' AND active ORDER BY id LIMIT 1`,
    )
  ).rows[0]?.id;
  // The centre of the first grid: a place inside the city where every task goes.
  const place = (
    await pool.query<{ lat: number; lng: number }>(
      `SELECT centroid_lat AS lat, centroid_lng AS lng FROM regions
       WHERE level = 'GRID' ORDER BY id LIMIT 1`,
    )
  ).rows[0];
  if (
    admin === undefined ||
    !place ||
    volunteerRows.length < Math.max(options.racers, PUSH_BATCH)
  ) {
    throw new Error(
      `the offers bench needs the demo city: an admin, grids and at least ${Math.max(options.racers, PUSH_BATCH)} approved vol-* volunteers (found ${volunteerRows.length})`,
    );
  }
  const sessions = await createSessionsPerUser(
    pool,
    options.sessionSecret,
    [...volunteerRows, admin],
    1,
    AGENT,
  );
  const cookieOf = (userId: number) => `gl_session=${sessions.get(userId)?.[0] ?? ''}`;
  const positions = clusterPositions(place, volunteerRows.length, CLUSTER_RADIUS_M);
  const sockets: Socket[] = [];
  const onDuty: number[] = [];
  const offered = new Map<number, Array<{ volunteerId: number; at: number }>>();
  const waiters = new Map<number, { count: number; resolve: () => void }>();
  try {
    // On duty at a known position, each with a socket.
    for (let i = 0; i < volunteerRows.length; i += SETUP_CONCURRENCY) {
      await Promise.all(
        volunteerRows.slice(i, i + SETUP_CONCURRENCY).map(async (userId, n) => {
          const cookie = cookieOf(userId);
          const socket = io(`http://127.0.0.1:${port}`, {
            transports: ['websocket'],
            extraHeaders: { cookie },
            reconnection: false,
          });
          sockets.push(socket);
          socket.on('task.offered', (payload: unknown) => {
            const at = performance.now();
            const taskId = offeredTaskId(payload, userId);
            if (taskId === null) return;
            const list = offered.get(taskId) ?? [];
            list.push({ volunteerId: userId, at });
            offered.set(taskId, list);
            const waiter = waiters.get(taskId);
            if (waiter && list.length >= waiter.count) waiter.resolve();
          });
          await new Promise<void>((resolve, reject) => {
            socket.once('connect', () => resolve());
            socket.once('connect_error', reject);
          });
          const duty = await request(port, agent, 'POST', '/api/volunteers/me/duty', cookie, {
            onDuty: true,
          });
          if (duty.status !== 200) throw new Error(`duty of volunteer ${userId}: ${duty.status}`);
          onDuty.push(userId);
          const report = await request(
            port,
            agent,
            'POST',
            '/api/volunteers/me/location',
            cookie,
            positions[i + n],
          );
          if (report.status !== 200)
            throw new Error(`location of volunteer ${userId}: ${report.status}`);
        }),
      );
    }
    log(
      `  ${sockets.length} volunteers on duty within ${CLUSTER_RADIUS_M} m of (${place.lat.toFixed(4)}, ${place.lng.toFixed(4)}), each with a socket`,
    );

    const post = (offerBatch: number, slots: number, n: number) =>
      request(port, agent, 'POST', '/api/tasks', cookieOf(admin), {
        title: `${tag} ${n}`,
        description: 'gridline bench: offers',
        location: place,
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 2 * 3600_000).toISOString(),
        durationMinutes: 60,
        slots,
        offerBatch,
        radiusM: TASK_RADIUS_M,
      });
    const waitFor = (taskId: number, count: number) =>
      new Promise<void>((resolve) => {
        if ((offered.get(taskId)?.length ?? 0) >= count) return resolve();
        const timer = setTimeout(() => {
          waiters.delete(taskId);
          resolve();
        }, OFFER_WAIT_MS);
        waiters.set(taskId, {
          count,
          resolve: () => {
            clearTimeout(timer);
            waiters.delete(taskId);
            resolve();
          },
        });
      });

    // Offer push latency: one task at a time, ten offers each.
    const push: number[] = [];
    const pushAfterAnswer: number[] = [];
    let offersReceived = 0;
    let offersBeforeAnswer = 0;
    let taskNumber = 0;
    for (let n = 0; n < WARMUP + options.pushTasks; n++) {
      const sentAt = performance.now();
      const reply = await post(PUSH_BATCH, 1, taskNumber++);
      const answeredAt = performance.now();
      const taskId = createdTaskId(reply);
      await waitFor(taskId, PUSH_BATCH);
      if (n < WARMUP) continue;
      const arrivals = (offered.get(taskId) ?? []).map((offer) => offer.at);
      const delays = pushDelays(sentAt, answeredAt, arrivals);
      offersReceived += arrivals.length;
      offersBeforeAnswer += delays.beforeAnswer;
      push.push(...delays.fromSend);
      pushAfterAnswer.push(...delays.fromAnswer);
    }
    log(`  offer push: ${offersReceived} offers of ${options.pushTasks} tasks`);

    // Accepts under contention: every racer offered, then all accept at once.
    const acceptMs: number[] = [];
    const otherStatuses: Record<string, number> = {};
    let acceptRequests = 0;
    let winners = 0;
    let slotsTotal = 0;
    let violations = 0;
    let shortRaces = 0;
    let racingMs = 0;
    for (let n = 0; n < WARMUP + options.races; n++) {
      const slots = slotsOfRace(n);
      const taskId = createdTaskId(await post(options.racers, slots, taskNumber++));
      await waitFor(taskId, options.racers);
      const racers = (offered.get(taskId) ?? []).map((offer) => offer.volunteerId);
      if (racers.length < options.racers) shortRaces++;
      const started = performance.now();
      const answers = await Promise.all(
        racers.map(async (volunteerId) => {
          const begun = performance.now();
          const status = await request(
            port,
            agent,
            'POST',
            `/api/tasks/${taskId}/accept`,
            cookieOf(volunteerId),
            {},
          ).then(
            (answer) => answer.status,
            () => 0,
          );
          return { status, ms: performance.now() - begun };
        }),
      );
      const elapsed = performance.now() - started;
      const statuses = answers.map((answer) => answer.status);
      const slotsHere = Math.min(slots, racers.length);
      winners += statuses.filter((status) => status === 200).length;
      slotsTotal += slotsHere;
      if (raceViolated(statuses, slotsHere)) violations++;
      for (const status of statuses) {
        if (status === 200 || status === 409) continue;
        const key = status === 0 ? 'no answer' : String(status);
        otherStatuses[key] = (otherStatuses[key] ?? 0) + 1;
      }
      if (n < WARMUP) continue;
      racingMs += elapsed;
      acceptRequests += statuses.length;
      for (const answer of answers) acceptMs.push(answer.ms);
    }
    return {
      volunteers: sockets.length,
      pushTasks: options.pushTasks,
      offerBatch: PUSH_BATCH,
      warmup: WARMUP,
      offersExpected: options.pushTasks * PUSH_BATCH,
      offersReceived,
      pushMs: summarize(push),
      pushAfterAnswerMs: summarize(pushAfterAnswer),
      offersBeforeAnswer,
      races: options.races,
      racers: options.racers,
      shortRaces,
      acceptRequests,
      acceptsPerSecond: racingMs > 0 ? acceptRequests / (racingMs / 1000) : null,
      acceptMs: summarize(acceptMs),
      winners,
      slots: slotsTotal,
      violations,
      otherStatuses: describeStatuses(otherStatuses),
    };
  } finally {
    for (const socket of sockets) socket.disconnect();
    for (let i = 0; i < onDuty.length; i += SETUP_CONCURRENCY) {
      await Promise.all(
        onDuty.slice(i, i + SETUP_CONCURRENCY).map((userId) =>
          request(port, agent, 'POST', '/api/volunteers/me/duty', cookieOf(userId), {
            onDuty: false,
          }).catch(() => null),
        ),
      );
    }
    agent.destroy();
    const removed = await cleanupOffers(pool, `${tag} %`).catch((error: unknown) => {
      log(`  offers: cleanup failed: ${(error as Error).message}`);
      return { tasks: 'n/a', sessions: 'n/a' };
    });
    const drained = await drainTaskTimers(options.redisUrl, options.redisPrefix).catch(() => null);
    log(
      `  offers cleaned up: ${removed.tasks} tasks, ${removed.sessions} sessions deleted, ` +
        `${onDuty.length} volunteers off duty, ${drained ?? 'n/a'} task timers drained`,
    );
  }
}

/**
 * Removes tasks titled LIKE `titleLike` with their offers, events and ledger
 * rows, and the part's sessions, in one transaction.
 */
export async function cleanupOffers(
  pool: pg.Pool,
  titleLike: string,
): Promise<{ tasks: number; sessions: number }> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const ids = `SELECT id FROM tasks WHERE title LIKE $1`;
    await client.query(`DELETE FROM points_ledger WHERE task_id IN (${ids})`, [titleLike]);
    await client.query(`DELETE FROM task_events WHERE task_id IN (${ids})`, [titleLike]);
    await client.query(`DELETE FROM task_assignments WHERE task_id IN (${ids})`, [titleLike]);
    await client.query(`DELETE FROM task_skills WHERE task_id IN (${ids})`, [titleLike]);
    const tasks = await client.query(`DELETE FROM tasks WHERE title LIKE $1`, [titleLike]);
    const sessions = await client.query('DELETE FROM sessions WHERE user_agent = $1', [AGENT]);
    await client.query('COMMIT');
    return { tasks: tasks.rowCount ?? 0, sessions: sessions.rowCount ?? 0 };
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/** Removes the waiting and delayed task timers (offer expiries, no-shows) of the run. */
async function drainTaskTimers(redisUrl: string, redisPrefix: string): Promise<number> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  connection.on('error', () => undefined);
  const queue = new Queue(TASK_TIMERS_QUEUE, { connection, prefix: `${redisPrefix}:bull` });
  try {
    const before = await queue.getJobCounts('delayed', 'waiting', 'prioritized');
    await queue.drain(true);
    return (before.delayed ?? 0) + (before.waiting ?? 0) + (before.prioritized ?? 0);
  } finally {
    await queue.close().catch(() => undefined);
    connection.disconnect();
  }
}
