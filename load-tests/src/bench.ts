/**
 * `npm run bench`: measures Gridline against DESIGN.md "Targets" on this
 * machine and appends the figures to BENCHMARKS.md. Prints figures and never
 * fails on them: the exit code is 0 unless the system could not start.
 *
 * Phases: prepare `gridline_bench` (migrate, seed the demo city when empty);
 * grid lookup (GridIndex.gridAt over the demo city and a synthetic
 * 10,000-grid city); the floor (bare INSERT commit + bare Socket.IO round
 * trip); start server and workers; connect the socket swarm (server RSS
 * before and after = memory per idle socket); post tickets at a fixed rate
 * and time each until its grid member's socket hears `ticket.assigned`;
 * timer lateness with 100,000 pending accept deadlines (src/timers.ts); the
 * accept race, 50 clients of the assignee per ticket (src/race.ts); the
 * nearest 10 qualified volunteers among 100,000 in Redis (src/nearest-bench.ts);
 * volunteer offer push latency and accepts under contention (src/offers.ts).
 * BENCH_ONLY=pages,lookup,nearest,floor,intake,frames,timers,race,offers runs some of them.
 *
 * Environment (defaults in brackets): BENCH_SOCKETS [5000], BENCH_RATE [200],
 * BENCH_SECONDS [20], BENCH_WARMUP_SECONDS [10], BENCH_SWARM_PROCESSES [2],
 * BENCH_FLOOR_SAMPLES [2000], BENCH_LOOKUPS [100000], BENCH_SYNTHETIC_GRIDS
 * [10000], BENCH_CONNECT_CONCURRENCY [50 per swarm process], BENCH_CONNECT_SPREAD_SECONDS [20:
 * the sockets connect evenly over the server's ping interval, so their heartbeats do not all
 * fall in the same few seconds of the window as they would after a connection burst], BENCH_RECORD [1;
 * 0 = do not append to BENCHMARKS.md], BENCH_DATABASE_URL [DATABASE_URL's
 * server, database gridline_bench], REDIS_URL, BENCH_VERBOSE [0; 1 = echo the
 * server's and workers' output], BENCH_SERVER_NODE_ARGS [extra Node options
 * for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"],
 * BENCH_WORKERS_NODE_ARGS [the same for the workers], BENCH_FROM_SOURCE [0: compile with tsc -b and
 * run server/dist and workers/dist as `npm start` does; 1 = run the TypeScript sources through tsx],
 * BENCH_ONLY [all parts],
 * BENCH_TIMERS [100000], BENCH_TIMER_SAMPLE [2000], BENCH_TIMER_WARMUP [100],
 * BENCH_TIMER_SECONDS [30], BENCH_RACES [10000], BENCH_RACE_CLIENTS [50],
 * BENCH_RACE_LANES [1], BENCH_RACE_GRIDS [200], BENCH_RACE_WARMUP [5],
 * BENCH_RACE_SECONDS [90], BENCH_HISTORY [20000 closed tickets of the past 30 days, so
 * that intake meets a table of a city's size rather than an empty one; 0 = none],
 * BENCH_FRAME_TICKETS [5000], BENCH_FRAME_POSITIONS [2000: every grid member, then volunteers],
 * BENCH_FRAME_SECONDS [15], BENCH_NEAREST_VOLUNTEERS [100000], BENCH_NEAREST_QUERIES [10000],
 * BENCH_OFFER_VOLUNTEERS [200 approved vol-* volunteers on duty with sockets],
 * BENCH_OFFER_TASKS [100 tasks of 10 offers, timed to each offer's socket],
 * BENCH_OFFER_RACES [100 tasks whose BENCH_OFFER_RACERS [50] offered volunteers all
 * accept at once; every fifth has 3 slots], BENCH_FRAMES_PROFILE [0; 1 = print the map page's hottest
 * functions and trace events], BENCH_FRAMES_TRACE [a path to write the Chromium trace to], BENCH_INTAKE_DUMP [a path to write each
 * ticket's send time and latency to, as CSV],
 * CHROMIUM_PATH [/usr/bin/chromium].
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { DEFAULTS, MAX_OFFER_BATCH, SERVER_NODE_FLAGS, type IndexedGrid } from '@gridline/core';
import {
  createSessions,
  deleteSessions,
  loadGrids,
  loadOnDutyMembers,
  prepareDatabase,
  removeLeftovers,
  routedHome,
  serverVersions,
  vacuumChurned,
  insertHistory,
  type MemberGrid,
} from './db.ts';
import {
  measureInsert,
  measureSocketRoundTrip,
  startEchoServer,
  startFloorProbe,
  stopEchoServer,
} from './floor.ts';
import { runPhase, type IntakeTarget } from './intake.ts';
import { benchLookups, seededRandom, syntheticCity } from './lookup-bench.ts';
import { benchNearest, describeNearest, type NearestResult } from './nearest-bench.ts';
import { runOffersPhase } from './offers.ts';
import { pageWeights, type PageWeight } from './page-weight.ts';
import { runFramePhase } from './frames.ts';
import {
  busyPercent,
  cpuCount,
  cpuModel,
  gcDelta,
  machineJiffies,
  prometheusValue,
} from './machine.ts';
import { IntakeMatcher } from './matcher.ts';
import { orderedParts, parseParts, SYSTEM_PARTS, type Part } from './parts.ts';
import {
  CpuMeter,
  delay,
  freePort,
  NamedCpuMeter,
  WorkMeter,
  rssBytes,
  spawnNode,
  spawnTs,
  waitForReady,
  type Child,
} from './processes.ts';
import type { SwarmSocketSpec } from './protocol.ts';
import { RacePhase } from './race.ts';
import {
  BENCHMARKS_HEADER,
  renderMarkdown,
  renderText,
  type BenchResult,
  type BenchSettings,
  type CpuShare,
  type FloorResult,
  type IntakeResult,
  type LookupResult,
  type MachineInfo,
  type MemoryResult,
} from './report.ts';
import { loopDelayMs, percentile, slowWindows, summarize } from './stats.ts';
import { SwarmHandle } from './swarm-client.ts';
import { redisHz, TimerPhase } from './timers.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const BENCHMARKS_FILE = path.join(ROOT, 'BENCHMARKS.md');
const BENCH_DATABASE = 'gridline_bench';

const READY_TIMEOUT_MS = 90_000;
const SOCKET_TIMEOUT_MS = 20_000;
const RECEIPT_WAIT_MS = 5_000;
const SETTLE_MS = 3_000;
const LOOP_RESOLUTION_MS = 2;
/** The floor probe during the intake: one INSERT and one round trip this often (about 1% of a core). */
const FLOOR_PROBE_INTERVAL_MS = 50;

class StartupError extends Error {}
/** Thrown when the parts asked for need no server: skips to the report. */
class PartsDone extends Error {}

function intEnv(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new StartupError(`${name} must be an integer >= ${min}, got "${raw}"`);
  return value;
}

function numberEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new StartupError(`${name} must be a positive number, got "${raw}"`);
  return value;
}

function benchDatabaseUrl(): string {
  if (process.env.BENCH_DATABASE_URL) return process.env.BENCH_DATABASE_URL;
  const url = new URL(process.env.DATABASE_URL || DEFAULTS.databaseUrl);
  url.pathname = `/${BENCH_DATABASE}`;
  return url.toString();
}

function log(message: string): void {
  const seconds = (performance.now() / 1000).toFixed(1).padStart(6);
  console.log(`[bench ${seconds}s] ${message}`);
}

/** Cleanup steps run in reverse order of registration, each bounded and allowed to fail. */
class Cleanup {
  private readonly steps: Array<{ name: string; run: () => Promise<void> }> = [];
  private running: Promise<void> | null = null;

  add(name: string, run: () => Promise<void>): void {
    this.steps.push({ name, run });
  }

  runAll(): Promise<void> {
    this.running ??= (async () => {
      while (this.steps.length > 0) {
        const step = this.steps.pop()!;
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            step.run(),
            new Promise<void>((_, reject) => {
              timer = setTimeout(() => reject(new Error('timed out')), 20_000);
            }),
          ]);
        } catch (error) {
          console.error(`cleanup: ${step.name} failed: ${(error as Error).message}`);
        } finally {
          clearTimeout(timer);
        }
      }
    })();
    return this.running;
  }
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

async function redisVersion(redisUrl: string): Promise<string | null> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const info = await redis.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? null;
  } catch {
    return null;
  } finally {
    redis.disconnect();
  }
}

/** Deletes the run's Redis keys (BullMQ timers, rate limits), bounded in count and time. */
async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  let deleted = 0;
  const deadline = Date.now() + 15_000;
  try {
    let cursor = '0';
    for (let round = 0; round < 10_000 && Date.now() < deadline; round++) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) deleted += await redis.unlink(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    redis.disconnect();
  }
  return deleted;
}

async function scrapeMetrics(port: number): Promise<string | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, {
      signal: AbortSignal.timeout(5000),
    });
    return response.ok ? await response.text() : null;
  } catch {
    return null;
  }
}

interface SystemContext {
  pool: pg.Pool;
  cleanup: Cleanup;
  notes: string[];
  port: number;
  baseUrl: string;
  server: Child;
  workers: Child;
  sessionSecret: string;
  grids: IndexedGrid[];
  members: MemberGrid[];
  settings: BenchSettings;
  concurrency: number;
  floor: FloorResult;
  /** The floor's echo server, still running for the probe during the intake. */
  echoPort: number | null;
  databaseUrl: string;
  machine: MachineInfo;
}

/** Sockets, memory per idle socket and the intake scenario; the swarm is stopped afterwards. */
async function runIntakePart(
  context: SystemContext,
): Promise<{ memory: MemoryResult | null; intake: IntakeResult | null }> {
  const { pool, cleanup, notes, port, baseUrl, server, workers, settings, machine } = context;
  const out: { memory: MemoryResult | null; intake: IntakeResult | null } = {
    memory: null,
    intake: null,
  };

  // Who gets sockets, and where tickets go.
  const memberGrids = routedHome(context.members, context.grids);
  const userIds = [...new Set(memberGrids.map((member) => member.userId))];
  if (userIds.length === 0)
    throw new Error('no on-duty grid member whose grid centroid routes to their grid');
  const chosen = userIds.slice(0, Math.min(settings.sockets, userIds.length));
  cleanup.add('bench sessions', async () => {
    await deleteSessions(pool);
  });
  const tokens = await createSessions(pool, context.sessionSecret, chosen);
  const members = chosen.filter((userId) => tokens.has(userId));
  const specs: SwarmSocketSpec[] = [];
  for (let i = 0; i < settings.sockets && members.length > 0; i++) {
    const userId = members[i % members.length]!;
    specs.push({
      cookie: `gl_session=${tokens.get(userId)!}`,
      userId,
      primary: i < members.length,
    });
  }
  log(
    `${specs.length} sockets over ${members.length} grid members' sessions (${userIds.length} members on duty)`,
  );

  // Memory per idle socket.
  const matcher = new IntakeMatcher();
  const swarmCount = Math.max(1, Math.min(settings.swarmProcesses, specs.length));
  const swarms: SwarmHandle[] = [];
  for (let s = 0; s < swarmCount; s++) {
    const swarm = new SwarmHandle(`swarm-${s + 1}`, ROOT, path.join(HERE, 'swarm.ts'), (id, at) =>
      matcher.markReceived(id, at),
    );
    swarms.push(swarm);
    cleanup.add(`swarm ${s + 1}`, () => swarm.stop());
  }
  try {
    await Promise.all(swarms.map((swarm) => swarm.ready(30_000)));
    await delay(1000);
    const rssBefore = rssBytes(server.pid);
    log(
      `server RSS before sockets: ${((rssBefore ?? 0) / 1024 / 1024).toFixed(1)} MB; connecting…`,
    );
    const spreadMs = settings.connectSpreadSeconds * 1000;
    const overallConnectMs = Math.max(60_000, (specs.length / 20) * 1000) + spreadMs;
    const progress = setInterval(() => {
      const connected = swarms.reduce((sum, swarm) => sum + swarm.progress.connected, 0);
      const failed = swarms.reduce((sum, swarm) => sum + swarm.progress.failed, 0);
      log(`  ${connected} connected, ${failed} failed`);
    }, 5000);
    const connectStarted = performance.now();
    const outcomes = await Promise.allSettled(
      swarms.map((swarm, s) =>
        swarm.connect(
          baseUrl,
          specs.filter((_, i) => i % swarmCount === s),
          context.concurrency,
          SOCKET_TIMEOUT_MS,
          overallConnectMs,
          spreadMs,
        ),
      ),
    ).finally(() => clearInterval(progress));
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    let connected = 0;
    let failed = 0;
    const primaries = new Set<number>();
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        notes.push(
          `a swarm process failed while connecting: ${(outcome.reason as Error).message.split('\n')[0]}`,
        );
        continue;
      }
      connected += outcome.value.connected;
      failed += outcome.value.failed;
      for (const userId of outcome.value.primaryUserIds) primaries.add(userId);
      for (const error of outcome.value.errors) notes.push(`socket connect error: ${error}`);
    }
    await delay(SETTLE_MS);
    const rssAfter = rssBytes(server.pid);
    out.memory = {
      sockets: specs.length,
      connected,
      failed,
      connectSeconds,
      rssBeforeBytes: rssBefore,
      rssAfterBytes: rssAfter,
    };
    log(
      `${connected} sockets connected (${failed} failed) in ${connectSeconds.toFixed(1)} s; server RSS ${((rssAfter ?? 0) / 1024 / 1024).toFixed(1)} MB`,
    );
    const metricsBefore = await scrapeMetrics(port);
    const serverSockets = metricsBefore
      ? prometheusValue(metricsBefore, 'gridline_sockets_connected')
      : null;
    if (serverSockets !== null && serverSockets !== connected) {
      notes.push(`the server counts ${serverSockets} sockets, the swarm ${connected}`);
    }

    // Intake.
    const targets: IntakeTarget[] = shuffled(
      memberGrids.filter((member) => primaries.has(member.userId)),
      2103,
    );
    if (targets.length === 0)
      throw new Error('no grid member has a connected socket; intake skipped');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    cleanup.add('http agent', async () => agent.destroy());
    const phase = { port, agent, targets, matcher, drainMs: 30_000, requestTimeoutMs: 30_000 };
    log(`Warm-up: ${settings.rate}/s for ${settings.warmupSeconds} s…`);
    const warm = await runPhase({
      ...phase,
      firstTarget: 0,
      rate: settings.rate,
      seconds: settings.warmupSeconds,
      measured: false,
    });
    if (warm.httpErrors > 0)
      notes.push(`warm-up: ${warm.httpErrors} HTTP errors, e.g. ${warm.errorSamples[0] ?? ''}`);
    // The metrics at the start are read before the pause: a scrape costs the server some
    // work, which should not land in the measured window.
    const metricsAtStart = await scrapeMetrics(port);
    await delay(1000);

    log(`Intake: ${settings.rate}/s for ${settings.seconds} s at ${targets.length} grids…`);
    for (const swarm of swarms) swarm.mark();
    const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    loopDelay.enable();
    const meter = new CpuMeter([
      server.pid,
      workers.pid,
      process.pid,
      ...swarms.map((swarm) => swarm.child.pid),
    ]);
    const serverWork = new WorkMeter(server.pid);
    const workersWork = new WorkMeter(workers.pid);
    const postgresMeter = new NamedCpuMeter(['postgres']);
    const redisMeter = new NamedCpuMeter(['redis-server']);
    const jiffiesBefore = machineJiffies();
    const floorProbe =
      context.echoPort === null
        ? null
        : await startFloorProbe(context.databaseUrl, context.echoPort, FLOOR_PROBE_INTERVAL_MS);
    const run = await runPhase({
      ...phase,
      firstTarget: warm.planned,
      rate: settings.rate,
      seconds: settings.seconds,
      measured: true,
    });
    const floorUnderLoad = floorProbe ? await floorProbe.stop() : null;
    const cpu: CpuShare[] = [
      { name: 'server', percent: meter.percent(server.pid) },
      { name: 'workers', percent: meter.percent(workers.pid) },
      { name: 'postgres', percent: postgresMeter.percent() },
      { name: 'redis', percent: redisMeter.percent() },
      { name: 'driver', percent: meter.percent(process.pid) },
      ...swarms.map((swarm, s) => ({
        name: `swarm-${s + 1}`,
        percent: meter.percent(swarm.child.pid),
      })),
    ];
    const machineBusy = busyPercent(jiffiesBefore, machineJiffies());
    for (const [name, work] of [
      ['server', serverWork.per(run.created)],
      ['workers', workersWork.per(run.created)],
    ] as const) {
      if (work)
        notes.push(
          `${name} per ticket: ${work.cpuMs.toFixed(2)} ms of CPU, ${work.reads.toFixed(1)} read and ` +
            `${work.writes.toFixed(1)} write system calls (each a message to or from another process)`,
        );
    }
    loopDelay.disable();
    const receiptDeadline = Date.now() + RECEIPT_WAIT_MS;
    while (matcher.matchedCount() < matcher.measuredCount() && Date.now() < receiptDeadline)
      await delay(50);
    const swarmStats = await Promise.allSettled(swarms.map((swarm) => swarm.stats()));
    let deliveries = 0;
    let dropped = 0;
    let swarmDelay: number | null = null;
    for (const stats of swarmStats) {
      if (stats.status === 'rejected') {
        notes.push(
          `a swarm process sent no stats: ${(stats.reason as Error).message.split('\n')[0]}`,
        );
        continue;
      }
      deliveries += stats.value.deliveries;
      dropped += stats.value.dropped;
      if (stats.value.loopDelayP99Ms !== null)
        swarmDelay = Math.max(swarmDelay ?? 0, stats.value.loopDelayP99Ms);
    }
    const matched = matcher.results();
    const lag = Float64Array.from(run.sendLagMs).sort();
    out.intake = {
      latency: summarize(matched.latenciesMs),
      http: summarize(run.httpMs),
      planned: run.planned,
      sent: run.sent,
      created: run.created,
      httpErrors: run.httpErrors,
      missing: matched.missing,
      wrongAssignee: run.wrongAssignee,
      deliveries,
      // n sends span n - 1 intervals.
      achievedRate: run.sendSeconds > 0 ? (run.sent - 1) / run.sendSeconds : 0,
      sendLagP99Ms: lag.length > 0 ? percentile(lag, 99) : null,
      cpu,
      swarmLoopDelayP99Ms: swarmDelay,
      driverLoopDelayP99Ms:
        loopDelay.count > 0 ? loopDelayMs(loopDelay.percentile(99), LOOP_RESOLUTION_MS) : null,
      socketsDropped: dropped,
      floorUnderLoad,
    };
    if (run.errorSamples.length > 0)
      notes.push(`HTTP errors, e.g. ${run.errorSamples.join(' | ')}`);
    const tailFrom = Math.max(20, out.intake.latency?.p95 ?? 20);
    const slow = slowWindows(matched.timeline, tailFrom, 250).slice(0, 3);
    if (slow.length > 0) {
      notes.push(
        `intake: 250 ms windows (by send time) with the most tickets over ${tailFrom.toFixed(0)} ms: ` +
          slow
            .map(
              (w) => `+${(w.startMs / 1000).toFixed(2)} s ${w.slow} (max ${w.maxMs.toFixed(0)} ms)`,
            )
            .join(', '),
      );
    }
    if (process.env.BENCH_INTAKE_DUMP) {
      writeFileSync(
        process.env.BENCH_INTAKE_DUMP,
        `# first send at ${new Date(
          Date.now() - Number(process.hrtime.bigint() - matched.firstSentNs) / 1e6,
        ).toISOString()}\n` +
          'sent_ms,latency_ms\n' +
          matched.timeline
            .map((row) => `${row.sentMs.toFixed(3)},${row.latencyMs.toFixed(3)}`)
            .join('\n'),
      );
    }
    if (machineBusy !== null) {
      const busyCores = (machineBusy / 100) * machine.cpus * 100;
      const known = cpu.reduce((sum, share) => sum + (share.percent ?? 0), 0);
      notes.push(
        `machine CPU busy during intake: ${machineBusy.toFixed(0)}% of ${machine.cpus} CPUs ` +
          `(${busyCores.toFixed(0)}% of one core; the processes above account for ${known.toFixed(0)}%, ` +
          `the rest is the kernel's softirq work and other processes on the machine)`,
      );
    }
    for (const share of cpu) {
      if (
        (share.name === 'driver' || share.name.startsWith('swarm')) &&
        share.percent !== null &&
        share.percent > 70
      ) {
        notes.push(
          `${share.name} used ${share.percent.toFixed(0)}% of a core (> 70%): its timings are suspect`,
        );
      }
    }
    const metricsAfter = await scrapeMetrics(port);
    const majorGcs = gcDelta(metricsAtStart, metricsAfter, 'major');
    if (majorGcs)
      notes.push(
        `server major GCs during intake (prom-client): ${majorGcs.count}, ${majorGcs.ms.toFixed(0)} ms in pauses ` +
          `(each also marks concurrently, contending with everything else for the CPUs)`,
      );
    const scavenges = gcDelta(metricsAtStart, metricsAfter, 'minor');
    if (scavenges && scavenges.count > 0)
      notes.push(
        `server scavenges (young-generation GCs) during intake: ${scavenges.count}, ` +
          `${scavenges.ms.toFixed(0)} ms in pauses, ${(scavenges.ms / scavenges.count).toFixed(1)} ms each on average ` +
          `(a ticket that arrives during one waits for it)`,
      );
    const serverLag = metricsAfter
      ? prometheusValue(metricsAfter, 'nodejs_eventloop_lag_p99_seconds')
      : null;
    if (serverLag !== null)
      notes.push(
        `server event-loop lag p99 at the end (prom-client): ${(serverLag * 1000).toFixed(1)} ms`,
      );
    log('intake done');
  } finally {
    // The later parts run without the swarm, as they do alone (BENCH_ONLY).
    await Promise.all(swarms.map((swarm) => swarm.stop()));
  }
  return out;
}

async function main(): Promise<number> {
  const startedAt = new Date();
  let parts: Set<Part>;
  try {
    parts = parseParts(process.env.BENCH_ONLY);
  } catch (error) {
    console.error(`✖ BENCH_ONLY: ${(error as Error).message}`);
    return 1;
  }
  const settings: BenchSettings = {
    sockets: intEnv('BENCH_SOCKETS', 5000),
    rate: numberEnv('BENCH_RATE', 200),
    seconds: numberEnv('BENCH_SECONDS', 20),
    warmupSeconds: numberEnv('BENCH_WARMUP_SECONDS', 10),
    swarmProcesses: intEnv('BENCH_SWARM_PROCESSES', 2),
    connectSpreadSeconds: numberEnv('BENCH_CONNECT_SPREAD_SECONDS', 20),
  };
  const history = intEnv('BENCH_HISTORY', 20_000, 0);
  const frameSettings = {
    tickets: intEnv('BENCH_FRAME_TICKETS', 5000),
    positions: intEnv('BENCH_FRAME_POSITIONS', 2000),
    seconds: numberEnv('BENCH_FRAME_SECONDS', 15),
  };
  const floorSamples = intEnv('BENCH_FLOOR_SAMPLES', 2000);
  const lookups = intEnv('BENCH_LOOKUPS', 100_000);
  const syntheticGrids = intEnv('BENCH_SYNTHETIC_GRIDS', 10_000);
  const concurrency = intEnv('BENCH_CONNECT_CONCURRENCY', 50);
  const nearestSettings = {
    volunteers: intEnv('BENCH_NEAREST_VOLUNTEERS', 100_000),
    queries: intEnv('BENCH_NEAREST_QUERIES', 10_000),
  };
  const timerSettings = {
    total: intEnv('BENCH_TIMERS', 100_000),
    sample: intEnv('BENCH_TIMER_SAMPLE', 2000),
    warmup: intEnv('BENCH_TIMER_WARMUP', 100, 0),
    windowSeconds: numberEnv('BENCH_TIMER_SECONDS', 30),
  };
  const raceSettings = {
    races: intEnv('BENCH_RACES', 10_000),
    clients: intEnv('BENCH_RACE_CLIENTS', 50),
    lanes: intEnv('BENCH_RACE_LANES', 1),
    grids: intEnv('BENCH_RACE_GRIDS', 200),
    warmup: intEnv('BENCH_RACE_WARMUP', 5, 0),
    budgetSeconds: numberEnv('BENCH_RACE_SECONDS', 90),
  };
  const offerSettings = {
    volunteers: intEnv('BENCH_OFFER_VOLUNTEERS', 200),
    pushTasks: intEnv('BENCH_OFFER_TASKS', 100),
    races: intEnv('BENCH_OFFER_RACES', 100),
    racers: intEnv('BENCH_OFFER_RACERS', 50),
  };
  if (offerSettings.racers > MAX_OFFER_BATCH || offerSettings.racers > offerSettings.volunteers) {
    console.error(
      `✖ BENCH_OFFER_RACERS must be at most ${MAX_OFFER_BATCH} (a task's largest offer batch) and at most BENCH_OFFER_VOLUNTEERS`,
    );
    return 1;
  }
  const record = process.env.BENCH_RECORD !== '0';
  const verbose = process.env.BENCH_VERBOSE === '1';
  const databaseUrl = benchDatabaseUrl();
  const redisUrl = process.env.REDIS_URL || DEFAULTS.redisUrl;
  const runTag = randomBytes(4).toString('hex');
  const redisPrefix = `glbench-${runTag}`;
  const sessionSecret = randomBytes(32).toString('hex');

  const cleanup = new Cleanup();
  const notes: string[] = [];
  const idealServer = process.env.BENCH_SERVER === 'ideal';
  if (idealServer)
    notes.push(
      "BENCH_SERVER=ideal: the server measured is load-tests/src/ideal-server.ts (the intake's two hops and " +
        "nothing else), not Gridline's; its figures show what this machine allows, not what Gridline does",
    );
  let signalled = false;
  // `on`, not `once`: Ctrl-C reaches us twice (from the terminal and relayed by tsx).
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    console.error(`\n${signal}: cleaning up`);
    void cleanup.runAll().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let serverStarted = false;
  let result: BenchResult | null = null;
  try {
    // Machine and database.
    log(`Parts: ${orderedParts(parts).join(', ')}`);
    log(`Preparing ${BENCH_DATABASE} (migrate; seed the demo city when empty)…`);
    const prepared = await prepareDatabase(databaseUrl).catch((error: unknown) => {
      throw new StartupError(`could not prepare the database: ${(error as Error).message}`);
    });
    if (prepared.applied.length > 0) log(`applied migrations: ${prepared.applied.join(', ')}`);
    if (prepared.seededSeconds !== null)
      log(`seeded the demo city in ${prepared.seededSeconds.toFixed(1)} s`);
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
    pool.on('error', () => undefined);
    cleanup.add('database pool', () => pool.end());
    const leftoversStarted = performance.now();
    const leftovers = await removeLeftovers(pool);
    if (leftovers.tickets + leftovers.closed + leftovers.sessions > 0) {
      log(
        `removed leftovers of earlier runs in ${((performance.now() - leftoversStarted) / 1000).toFixed(1)} s: ` +
          `${leftovers.tickets} tickets, ${leftovers.sessions} sessions` +
          (leftovers.closed ? `, closed ${leftovers.closed}` : ''),
      );
    }
    const versions = await serverVersions(pool);
    if (history > 0) {
      const historyStarted = performance.now();
      const inserted = await insertHistory(pool, history, runTag);
      log(
        `history: ${inserted} closed tickets over the past 30 days in ` +
          `${((performance.now() - historyStarted) / 1000).toFixed(1)} s`,
      );
    }
    const vacuumSeconds = await vacuumChurned(pool);
    log(
      vacuumSeconds === null
        ? 'VACUUM of tickets, ticket_events, sessions failed (not their owner?)'
        : `VACUUM (ANALYZE) of tickets, ticket_events, sessions: ${vacuumSeconds.toFixed(1)} s` +
            (versions.autovacuum === 'off' ? ' (autovacuum is off on this server)' : ''),
    );
    const machine: MachineInfo = {
      cpus: cpuCount(),
      cpuModel: cpuModel(),
      totalMemoryBytes: os.totalmem(),
      node: process.version,
      postgres: versions.postgres,
      synchronousCommit: versions.synchronousCommit,
      autovacuum: versions.autovacuum,
      redis: await redisVersion(redisUrl),
      redisHz: await redisHz(redisUrl),
    };

    const grids = await loadGrids(pool);
    if (grids.length === 0)
      throw new StartupError(`${BENCH_DATABASE} has no grids; is the demo city seeded?`);

    // Initial JavaScript of each web page, from the build (made when missing).
    let pages: PageWeight[] = [];
    if (parts.has('pages') || parts.has('frames')) {
      const webDir = path.join(ROOT, 'web');
      if (
        !existsSync(path.join(webDir, '.svelte-kit', 'output', 'client', '.vite')) ||
        !existsSync(path.join(webDir, 'build', 'handler.js'))
      ) {
        log('Building the web app for its page weights…');
        execFileSync('npm', ['run', 'build', '-w', '@gridline/web'], {
          cwd: ROOT,
          stdio: 'ignore',
        });
      }
      if (parts.has('pages')) pages = await pageWeights(webDir);
    }

    // Grid lookup, while nothing else runs.
    const lookupResults: LookupResult[] = [];
    let nearestResult: NearestResult | null = null;
    if (parts.has('lookup')) {
      log(
        `Grid lookup: ${lookups} lookups over ${grids.length} demo grids and ${syntheticGrids} synthetic grids…`,
      );
      lookupResults.push(
        benchLookups('demo city', grids, { lookups }),
        benchLookups('synthetic', syntheticCity(syntheticGrids), { lookups }),
      );
    }

    // Nearest qualified volunteers (Redis GEO), while nothing else runs.
    if (parts.has('nearest')) {
      log(
        `Nearest volunteers: ${nearestSettings.volunteers} volunteers, ${nearestSettings.queries} queries…`,
      );
      try {
        const nearest = await benchNearest({
          redisUrl,
          prefix: `${redisPrefix}-nearest`,
          ...nearestSettings,
        });
        nearestResult = nearest;
        log(describeNearest(nearest));
      } catch (error) {
        console.error(`✖ nearest: ${(error as Error).message}`);
        notes.push(`nearest stopped early: ${(error as Error).message.split('\n')[0]}`);
      }
    }

    // Floor.
    const floor: FloorResult = { insert: null, roundTrip: null };
    let echoPort: number | null = null;
    if (parts.has('floor')) {
      log(`Floor: ${floorSamples} INSERT commits and ${floorSamples} Socket.IO round trips…`);
      floor.insert = await measureInsert(databaseUrl, floorSamples);
      const echo = await startEchoServer(ROOT, path.join(HERE, 'echo-server.ts'));
      cleanup.add('echo server', () => stopEchoServer(echo.child));
      floor.roundTrip = await measureSocketRoundTrip(echo.port, floorSamples);
      // Kept for the intake, which takes the floor again under its load.
      if (parts.has('intake')) echoPort = echo.port;
      else await stopEchoServer(echo.child);
    }

    const partial: BenchResult = {
      nearest: nearestResult,
      startedAt,
      durationSeconds: 0,
      machine,
      parts: orderedParts(parts),
      settings,
      floor,
      intake: null,
      lookups: lookupResults,
      pages,
      frames: null,
      memory: null,
      timers: null,
      race: null,
      notes,
    };
    result = partial;
    if (!SYSTEM_PARTS.some((part) => parts.has(part))) throw new PartsDone();

    // The system.
    const port = await freePort();
    const workersMetricsPort = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: redisPrefix,
      PORT: String(port),
      HOST: '127.0.0.1',
      TIME_SCALE: '1',
      // The dispatcher's page is served only for the frame-time part.
      WEB_HANDLER: parts.has('frames') ? path.join(ROOT, 'web/build/handler.js') : 'none',
      LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
      SESSION_SECRET: sessionSecret,
    };
    log(`Starting server (127.0.0.1:${port}) and workers, REDIS_PREFIX=${redisPrefix}…`);
    // Registered first, so it runs after server and workers have stopped.
    cleanup.add('redis keys', async () => {
      const deleted = await deleteRedisKeys(redisUrl, redisPrefix);
      if (verbose) log(`deleted ${deleted} redis keys under ${redisPrefix}:`);
    });
    // As deployed (`npm start` runs the compiled server), unless BENCH_FROM_SOURCE=1.
    const fromSource = process.env.BENCH_FROM_SOURCE === '1';
    if (!fromSource) {
      log('Compiling server and workers (tsc -b tsconfig.build.json)…');
      execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
    }
    const start = (name: 'server' | 'workers', options: Parameters<typeof spawnTs>[2]) =>
      fromSource
        ? spawnTs(name, path.join(ROOT, `${name}/src/main.ts`), options)
        : spawnNode(name, path.join(ROOT, `${name}/dist/main.js`), options);
    const serverNodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const serverOptions = {
      cwd: ROOT,
      env,
      echo: verbose,
      nodeArgs: [...SERVER_NODE_FLAGS, ...serverNodeArgs],
    };
    const server = idealServer
      ? spawnTs('server', path.join(HERE, 'ideal-server.ts'), serverOptions)
      : start('server', serverOptions);
    cleanup.add('server', () => server.stop(10_000));
    const workers = start('workers', {
      cwd: ROOT,
      env: { ...env, WORKERS_METRICS_PORT: String(workersMetricsPort) },
      echo: verbose,
      nodeArgs: (process.env.BENCH_WORKERS_NODE_ARGS ?? '').split(' ').filter(Boolean),
    });
    cleanup.add('workers', () => workers.stop(10_000));
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitForReady(`${baseUrl}/readyz`, [server, workers], READY_TIMEOUT_MS).catch(
      (error: unknown) => {
        throw new StartupError((error as Error).message);
      },
    );
    await waitForReady(
      `http://127.0.0.1:${workersMetricsPort}/metrics`,
      [workers],
      READY_TIMEOUT_MS,
    ).catch((error: unknown) => {
      throw new StartupError(`workers: ${(error as Error).message}`);
    });
    serverStarted = true;
    log('server and workers ready');

    const members = await loadOnDutyMembers(pool);
    const context: SystemContext = {
      pool,
      cleanup,
      notes,
      port,
      baseUrl,
      server,
      workers,
      sessionSecret,
      grids,
      members,
      settings,
      concurrency,
      floor,
      echoPort,
      databaseUrl,
      machine,
    };

    if (parts.has('intake')) {
      try {
        const intakeResults = await runIntakePart(context);
        partial.memory = intakeResults.memory;
        partial.intake = intakeResults.intake;
      } catch (error) {
        console.error(`✖ intake: ${(error as Error).message}`);
        notes.push(`intake stopped early: ${(error as Error).message.split('\n')[0]}`);
      }
    }

    if (parts.has('frames')) {
      log(
        `Dispatcher map in Chromium: ${frameSettings.tickets} open tickets, ` +
          `${frameSettings.positions} moving people…`,
      );
      try {
        const { rows } = await pool.query<{ id: number }>(
          `SELECT id FROM users WHERE username = 'dispatcher'`,
        );
        partial.frames = await runFramePhase({
          pool,
          port,
          sessionSecret,
          members,
          dispatcherId: rows[0]!.id,
          ...frameSettings,
          runTag,
          log,
        });
      } catch (error) {
        console.error(`✖ frames: ${(error as Error).message}`);
        notes.push(`frames stopped early: ${(error as Error).message.split('\n')[0]}`);
      }
    }

    if (parts.has('timers')) {
      const gridIds = [...new Set(members.map((member) => member.gridId))];
      log(
        `Timers: ${timerSettings.total} pending accept deadlines over ${gridIds.length} grids, ` +
          `${Math.min(timerSettings.sample, timerSettings.total)} due over ${timerSettings.windowSeconds} s…`,
      );
      const timers = new TimerPhase({
        pool,
        redisUrl,
        redisPrefix,
        workersMetricsPort,
        workersPid: workers.pid,
        gridIds,
        ...timerSettings,
        runTag,
        log,
      });
      cleanup.add('timer tickets', async () => {
        await timers.cleanup();
      });
      try {
        const outcome = await timers.run();
        partial.timers = outcome.result;
        notes.push(...outcome.notes);
      } catch (error) {
        console.error(`✖ timers: ${(error as Error).message}`);
        notes.push(`timers stopped early: ${(error as Error).message.split('\n')[0]}`);
      } finally {
        log('Cleaning up the timer tickets and jobs…');
        notes.push(...(await timers.cleanup()));
      }
    }

    if (parts.has('race')) {
      log(
        `Accept race: ${raceSettings.races} races of ${raceSettings.clients} accepts over ${raceSettings.grids} grids…`,
      );
      const race = new RacePhase({
        pool,
        port,
        sessionSecret,
        redisUrl,
        redisPrefix,
        serverPid: server.pid,
        workersPid: workers.pid,
        members,
        ...raceSettings,
        runTag,
        log,
      });
      cleanup.add('race tickets', async () => {
        await race.cleanup();
      });
      try {
        const outcome = await race.run();
        partial.race = outcome.result;
        notes.push(...outcome.notes);
      } catch (error) {
        console.error(`✖ race: ${(error as Error).message}`);
        notes.push(`race stopped early: ${(error as Error).message.split('\n')[0]}`);
      } finally {
        log('Cleaning up the race tickets and sessions…');
        notes.push(...(await race.cleanup()));
      }
    }

    if (parts.has('offers')) {
      log(
        `Volunteer offers: ${offerSettings.volunteers} volunteers, ${offerSettings.pushTasks} tasks, ${offerSettings.races} accept races of ${offerSettings.racers}…`,
      );
      try {
        partial.offers = await runOffersPhase({
          pool,
          port,
          sessionSecret,
          redisUrl,
          redisPrefix,
          ...offerSettings,
          runTag,
          log,
        });
      } catch (error) {
        console.error(`✖ offers: ${(error as Error).message}`);
        notes.push(`offers stopped early: ${(error as Error).message.split('\n')[0]}`);
      }
    }
  } catch (error) {
    if (!(error instanceof PartsDone)) {
      if (error instanceof StartupError || !serverStarted) {
        console.error(`✖ the system could not start: ${(error as Error).message}`);
        await cleanup.runAll();
        return 1;
      }
      console.error(`✖ ${(error as Error).message}`);
      notes.push(`run stopped early: ${(error as Error).message.split('\n')[0]}`);
    }
  }

  log('Cleaning up…');
  await cleanup.runAll();
  if (!result) return 1;
  result.durationSeconds = (Date.now() - startedAt.getTime()) / 1000;
  console.log(renderText(result));
  if (record) {
    if (!existsSync(BENCHMARKS_FILE)) writeFileSync(BENCHMARKS_FILE, BENCHMARKS_HEADER);
    appendFileSync(BENCHMARKS_FILE, `\n${renderMarkdown(result)}`);
    console.log(
      `\nAppended to ${path.relative(process.cwd(), BENCHMARKS_FILE) || BENCHMARKS_FILE}`,
    );
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
