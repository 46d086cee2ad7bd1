/**
 * Timer lateness with many pending deadlines: tickets awaiting acceptance are
 * inserted with SQL, their accept-deadline jobs added to the workers' BullMQ
 * queue exactly as the reconciler adds them (`ticketTimerJob`, deterministic
 * ids `accept-deadline-<ticket id>-<version>`), and a sample due during the
 * measurement window is timed: deadline vs. the created_at of the
 * `ticket.escalated` event the workers write, while the rest stay pending.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { TICKET_TIMERS_QUEUE, ticketTimerJob, type TicketTimerJob } from '@gridline/core';
import { BENCH_ADDRESS, deleteTickets, insertTickets, vacuumChurned } from './db.ts';
import { prometheusValue } from './machine.ts';
import { CpuMeter, delay, NamedCpuMeter } from './processes.ts';
import type { CpuShare, TimerResult } from './report.ts';
import { summarize } from './stats.ts';
import {
  busySpans,
  countAbove,
  histogramDelta,
  histogramQuantileBound,
  latenessMs,
  parseHistogram,
  scriptCounters,
  scriptIntervals,
  shareAtOrBelow,
  splitBySpans,
  splitTimers,
  spreadEvenly,
  worstBySecond,
  type Firing,
  type Histogram,
  type ScriptSample,
} from './timer-stats.ts';

export const TIMER_ADDRESS = `${BENCH_ADDRESS} timers`;
const PAGE = 2000;
/** The first background deadline is this far out, so none fires during the run. */
const BACKGROUND_OFFSET_MS = 5 * 60_000;
const BACKGROUND_SPAN_MS = 10 * 60_000;
/** Between the sample's scheduling and its first deadline (the warm-up's, with one). */
const LEAD_MS = 3000;
/** The warm-up deadlines fall due over this long, then a pause before the window. */
const WARMUP_MS = 3000;
const WARMUP_GAP_MS = 1000;
/** How long after the window the last firings may still come in. */
const GRACE_MS = 15_000;
/** Longer than a reconciler page's addBulk: a page read before the delete lands before the drain. */
const RECONCILER_SETTLE_MS = 2000;
const LATENESS_METRIC = 'gridline_timer_lateness_seconds';
/** Redis's INFO commandstats is read this often during the window. */
const SCRIPT_SAMPLE_MS = 500;
/**
 * Script calls per second that mark Redis as busy with something else than
 * firing the sample (~67 deadlines/s, a handful of scripts each): in practice
 * the workers' reconciler re-adding every pending deadline.
 */
export const BUSY_SCRIPTS_PER_SECOND = 3000;

export interface TimerPhaseOptions {
  pool: pg.Pool;
  redisUrl: string;
  redisPrefix: string;
  workersMetricsPort: number;
  workersPid: number;
  /** Grids with an on-duty member; the tickets go round them. */
  gridIds: readonly number[];
  total: number;
  sample: number;
  /** Deadlines due just before the window, not measured: the workers' pool and JIT warm up. */
  warmup: number;
  windowSeconds: number;
  /** Unique per run, for ticket codes. */
  runTag: string;
  log: (message: string) => void;
}

/** Opens the workers' timer queue under the run's prefix. */
export function openTimerQueue(
  redisUrl: string,
  redisPrefix: string,
): { queue: Queue<TicketTimerJob>; close: () => Promise<void> } {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  connection.on('error', () => undefined);
  const queue = new Queue<TicketTimerJob>(TICKET_TIMERS_QUEUE, {
    connection,
    prefix: `${redisPrefix}:bull`,
  });
  return {
    queue,
    async close() {
      await queue.close().catch(() => undefined);
      connection.disconnect();
    },
  };
}

/** Redis's `hz` (CONFIG GET hz), or null when CONFIG is not allowed. */
export async function redisHz(redisUrl: string): Promise<number | null> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const reply: unknown = await redis.config('GET', 'hz');
    const value = Array.isArray(reply) ? Number(reply[1]) : Number.NaN;
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  } finally {
    redis.disconnect();
  }
}

/**
 * Removes every waiting and delayed timer job of the run's queue (the
 * reconciler re-adds those of tickets that still exist within its interval).
 */
export async function drainTimers(queue: Queue<TicketTimerJob>): Promise<number> {
  const before = await queue.getJobCounts('delayed', 'waiting', 'prioritized');
  await queue.drain(true);
  return (before.delayed ?? 0) + (before.waiting ?? 0) + (before.prioritized ?? 0);
}

/** Adds the accept-deadline job of every ticket in the range, a page of 2,000 at a time, as the reconciler does. */
async function scheduleAcceptDeadlines(
  pool: pg.Pool,
  queue: Queue<TicketTimerJob>,
  address: string,
  minId: number,
  maxId: number,
): Promise<number> {
  let cursor = minId - 1;
  let added = 0;
  const pages = Math.ceil((maxId - minId + 1) / PAGE) + 1;
  for (let page = 0; page < pages; page++) {
    const { rows } = await pool.query<{
      id: number;
      version: number;
      escalation_level: number;
      accept_by: Date;
    }>(
      `SELECT id, version, escalation_level, accept_by FROM tickets
        WHERE address = $1 AND id > $2 AND id <= $3 AND accept_by IS NOT NULL
        ORDER BY id LIMIT ${PAGE}`,
      [address, cursor, maxId],
    );
    if (rows.length === 0) break;
    const now = new Date();
    await queue.addBulk(
      rows.map((row) =>
        ticketTimerJob(
          {
            kind: 'accept-deadline',
            ticketId: row.id,
            version: row.version,
            level: row.escalation_level,
            dueAt: row.accept_by.toISOString(),
          },
          now,
        ),
      ),
    );
    added += rows.length;
    cursor = rows.at(-1)!.id;
  }
  return added;
}

async function scrape(port: number): Promise<string | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, {
      signal: AbortSignal.timeout(5000),
    });
    return response.ok ? await response.text() : null;
  } catch {
    return null;
  }
}

function acceptHistogram(text: string | null): Histogram | null {
  return text ? parseHistogram(text, LATENESS_METRIC, { kind: 'accept-deadline' }) : null;
}

/** Samples Redis's script counters every SCRIPT_SAMPLE_MS until stopped (at most `maxSamples`). */
function sampleScripts(
  redisUrl: string,
  maxSamples: number,
): { stop: () => Promise<ScriptSample[]> } {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  const samples: ScriptSample[] = [];
  let busy = false;
  const take = () => {
    if (busy || samples.length >= maxSamples) return;
    busy = true;
    redis
      .info('commandstats')
      .then((info) => samples.push({ atMs: Date.now(), ...scriptCounters(info) }))
      .catch(() => undefined)
      .finally(() => (busy = false));
  };
  take();
  const timer = setInterval(take, SCRIPT_SAMPLE_MS);
  return {
    async stop() {
      clearInterval(timer);
      for (let i = 0; i < 20 && busy; i++) await delay(50);
      redis.disconnect();
      return samples;
    },
  };
}

interface Batch {
  minId: number;
  maxId: number;
  count: number;
}

/** The phase; `cleanup()` may run at any time (also from Ctrl-C) and runs once. */
export class TimerPhase {
  private readonly batches: Batch[] = [];
  private readonly timerQueue: ReturnType<typeof openTimerQueue>;
  private cleaning: Promise<string[]> | null = null;

  constructor(private readonly options: TimerPhaseOptions) {
    this.timerQueue = openTimerQueue(options.redisUrl, options.redisPrefix);
  }

  async run(): Promise<{ result: TimerResult; notes: string[] }> {
    const { pool, log } = this.options;
    const notes: string[] = [];
    const queue = this.timerQueue.queue;
    const { sample, warmup, background } = splitTimers(
      this.options.total,
      this.options.sample,
      this.options.warmup,
    );
    const windowMs = this.options.windowSeconds * 1000;
    const hz = await redisHz(this.options.redisUrl);

    // The background: pending all along, due minutes after the run.
    const setupStarted = performance.now();
    const backgroundSpread = spreadEvenly(
      background,
      Date.now() + BACKGROUND_OFFSET_MS,
      BACKGROUND_SPAN_MS,
    );
    const backgroundBatch = await this.insert('b', background, backgroundSpread);
    const insertSeconds = (performance.now() - setupStarted) / 1000;
    const scheduleStarted = performance.now();
    let scheduled = 0;
    if (backgroundBatch) {
      scheduled += await scheduleAcceptDeadlines(
        pool,
        queue,
        TIMER_ADDRESS,
        backgroundBatch.minId,
        backgroundBatch.maxId,
      );
    }
    let scheduleSeconds = (performance.now() - scheduleStarted) / 1000;
    log(
      `  ${background} background deadlines inserted in ${insertSeconds.toFixed(1)} s, ` +
        `scheduled in ${scheduleSeconds.toFixed(1)} s`,
    );

    // The warm-up, then the sample due during the window.
    const warmupStartMs = Date.now() + LEAD_MS;
    const windowStartMs = warmupStartMs + (warmup > 0 ? WARMUP_MS + WARMUP_GAP_MS : 0);
    const warmupBatch = await this.insert(
      'w',
      warmup,
      spreadEvenly(warmup, warmupStartMs, WARMUP_MS),
    );
    const sampleBatch = await this.insert(
      's',
      sample,
      spreadEvenly(sample, windowStartMs, windowMs),
    );
    const sampleScheduleStarted = performance.now();
    for (const batch of [warmupBatch, sampleBatch]) {
      if (!batch) continue;
      scheduled += await scheduleAcceptDeadlines(
        pool,
        queue,
        TIMER_ADDRESS,
        batch.minId,
        batch.maxId,
      );
    }
    scheduleSeconds += (performance.now() - sampleScheduleStarted) / 1000;
    const leadLeftMs = warmupStartMs - Date.now();
    if (leadLeftMs < 200)
      notes.push(
        `timers: the deadlines were scheduled ${(-leadLeftMs).toFixed(0)} ms before the first fell due; the first firings may count late`,
      );
    const pendingBeforeWarmup = await queue.getDelayedCount();
    const scripts = sampleScripts(
      this.options.redisUrl,
      Math.ceil((windowStartMs + windowMs + GRACE_MS - Date.now()) / SCRIPT_SAMPLE_MS) + 10,
    );
    await delay(Math.max(0, windowStartMs - 100 - Date.now()));
    const metricsBefore = await scrape(this.options.workersMetricsPort);
    const pendingAtStart = await queue.getDelayedCount();
    await delay(Math.max(0, windowStartMs - Date.now()));

    log(
      `  measuring: ${sample} deadlines due over ${this.options.windowSeconds} s with ${pendingAtStart} delayed jobs pending ` +
        `(${pendingBeforeWarmup} before ${warmup} warm-up deadlines)…`,
    );
    const meter = new CpuMeter([this.options.workersPid]);
    const postgresMeter = new NamedCpuMeter(['postgres']);
    const redisMeter = new NamedCpuMeter(['redis-server']);
    const windowEndMs = windowStartMs + windowMs;
    await delay(Math.max(0, windowEndMs - Date.now()));
    const cpu: CpuShare[] = [
      { name: 'workers', percent: meter.percent(this.options.workersPid) },
      { name: 'postgres', percent: postgresMeter.percent() },
      { name: 'redis', percent: redisMeter.percent() },
    ];
    const intervals = scriptIntervals(await scripts.stop());
    const spans = busySpans(intervals, BUSY_SCRIPTS_PER_SECOND).filter(
      ([start, end]) => end > windowStartMs && start < windowEndMs,
    );
    const maxScriptBusy = intervals
      .filter((interval) => interval.endMs > windowStartMs && interval.startMs < windowEndMs)
      .reduce((max, interval) => Math.max(max, interval.busyShare), 0);
    let firings: Firing[] = [];
    const graceDeadline = Date.now() + GRACE_MS;
    for (let poll = 0; poll < GRACE_MS / 250 + 1; poll++) {
      firings = sampleBatch ? await this.firings(sampleBatch) : [];
      if (firings.length >= sample || Date.now() >= graceDeadline) break;
      await delay(250);
    }
    const metricsAfter = await scrape(this.options.workersMetricsPort);
    const backgroundFired = backgroundBatch ? (await this.firings(backgroundBatch)).length : 0;

    const lateness = latenessMs(firings);
    const split = splitBySpans(firings, spans);
    const after = acceptHistogram(metricsAfter);
    const metric = after ? histogramDelta(after, acceptHistogram(metricsBefore)) : null;
    const workerLag = metricsAfter
      ? prometheusValue(metricsAfter, 'nodejs_eventloop_lag_p99_seconds')
      : null;
    const worst = worstBySecond(firings, windowStartMs)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3);
    if (worst.length > 0 && (worst[0]?.[1] ?? 0) > 50) {
      notes.push(
        `timers: worst seconds of the window (by due time): ${worst
          .map(([second, ms]) => `+${second} s ${ms.toFixed(0)} ms`)
          .join(', ')}`,
      );
    }
    if (backgroundFired > 0)
      notes.push(`timers: ${backgroundFired} background deadlines fired during the window`);
    if (!metricsAfter)
      notes.push(
        `timers: no answer from the workers' /metrics on port ${this.options.workersMetricsPort}`,
      );

    const result: TimerResult = {
      total: this.options.total,
      sample,
      warmup,
      windowSeconds: this.options.windowSeconds,
      inserted:
        (backgroundBatch?.count ?? 0) + (warmupBatch?.count ?? 0) + (sampleBatch?.count ?? 0),
      scheduled,
      insertSeconds,
      scheduleSeconds,
      pendingAtStart,
      lateness: summarize(lateness),
      overGoal: countAbove(lateness, 50),
      early: lateness.filter((ms) => ms < 0).length,
      missing: Math.max(0, sample - firings.length),
      metricCount: metric?.count ?? null,
      metricP99BoundSeconds: metric ? histogramQuantileBound(metric, 0.99) : null,
      metricShareWithin50ms: metric ? shareAtOrBelow(metric, 0.05) : null,
      redisHz: hz,
      busySpans: spans.map(([start, end]) => [
        (start - windowStartMs) / 1000,
        (end - windowStartMs) / 1000,
      ]),
      latenessInBusy: summarize(split.inside),
      latenessOutsideBusy: summarize(split.outside),
      redisScriptBusyMaxShare: intervals.length > 0 ? maxScriptBusy : null,
      cpu,
      workersLoopLagP99Ms: workerLag === null ? null : workerLag * 1000,
    };
    return { result, notes };
  }

  /** Deletes the phase's tickets and events, then drains the queue; returns notes. */
  cleanup(): Promise<string[]> {
    this.cleaning ??= (async () => {
      const notes: string[] = [];
      let deleted = 0;
      let closed = 0;
      for (const batch of this.batches.splice(0)) {
        const outcome = await deleteTickets(
          this.options.pool,
          TIMER_ADDRESS,
          batch.minId,
          batch.maxId,
        );
        deleted += outcome.tickets;
        closed += outcome.closed;
      }
      if (closed > 0) notes.push(`timers: could not delete the tickets; closed ${closed} instead`);
      const vacuumStarted = performance.now();
      const vacuumed = deleted > 0 ? await vacuumChurned(this.options.pool) : null;
      const settleMs = RECONCILER_SETTLE_MS - (performance.now() - vacuumStarted);
      await delay(Math.max(0, settleMs));
      const drained = await drainTimers(this.timerQueue.queue);
      this.options.log(
        `  timers cleaned up: ${deleted} tickets deleted, ${drained} jobs drained` +
          (vacuumed === null ? '' : `, VACUUM ${vacuumed.toFixed(1)} s`),
      );
      await this.timerQueue.close();
      return notes;
    })();
    return this.cleaning;
  }

  private async insert(
    tag: string,
    count: number,
    spread: { firstMs: number; stepMs: number },
  ): Promise<Batch | null> {
    if (count <= 0) return null;
    const batch = await insertTickets(this.options.pool, {
      count,
      address: TIMER_ADDRESS,
      codePrefix: `GLB-${this.options.runTag}-t${tag}`,
      gridIds: this.options.gridIds,
      acceptBy: spread,
    });
    this.batches.push(batch);
    return batch;
  }

  /** The first accept-deadline escalation of each ticket in the batch: its due time and when it was written. */
  private async firings(batch: Batch): Promise<Firing[]> {
    const { rows } = await this.options.pool.query<{ due_at: string; created_at: Date }>(
      `SELECT e.payload->>'dueAt' AS due_at, e.created_at
         FROM ticket_events e
         JOIN tickets t ON t.id = e.ticket_id AND t.address = $3
        WHERE e.ticket_id BETWEEN $1 AND $2 AND e.type = 'ticket.escalated'
          AND e.payload->>'reason' = 'accept-deadline' AND e.payload->>'fromLevel' = '0'`,
      [batch.minId, batch.maxId, TIMER_ADDRESS],
    );
    return rows.map((row) => ({ dueAt: row.due_at, firedAt: row.created_at }));
  }
}
