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
 * and time each until its grid member's socket hears `ticket.assigned`.
 *
 * Environment (defaults in brackets): BENCH_SOCKETS [5000], BENCH_RATE [200],
 * BENCH_SECONDS [20], BENCH_WARMUP_SECONDS [3], BENCH_SWARM_PROCESSES [2],
 * BENCH_FLOOR_SAMPLES [2000], BENCH_LOOKUPS [100000], BENCH_SYNTHETIC_GRIDS
 * [10000], BENCH_CONNECT_CONCURRENCY [50 per swarm process], BENCH_RECORD [1;
 * 0 = do not append to BENCHMARKS.md], BENCH_DATABASE_URL [DATABASE_URL's
 * server, database gridline_bench], REDIS_URL, BENCH_VERBOSE [0; 1 = echo the
 * server's and workers' output], BENCH_SERVER_NODE_ARGS [extra Node options
 * for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"].
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { DEFAULTS } from '@gridline/core';
import {
  createSessions,
  deleteSessions,
  loadGrids,
  loadOnDutyMembers,
  prepareDatabase,
  removeLeftovers,
  routedHome,
  serverVersions,
} from './db.ts';
import { measureInsert, measureSocketRoundTrip, startEchoServer, stopEchoServer } from './floor.ts';
import { runPhase, type IntakeTarget } from './intake.ts';
import { benchLookups, seededRandom, syntheticCity } from './lookup-bench.ts';
import { busyPercent, cpuCount, cpuModel, machineJiffies, prometheusValue } from './machine.ts';
import { IntakeMatcher } from './matcher.ts';
import {
  CpuMeter,
  delay,
  freePort,
  NamedCpuMeter,
  rssBytes,
  spawnTs,
  waitForReady,
} from './processes.ts';
import type { SwarmSocketSpec } from './protocol.ts';
import {
  BENCHMARKS_HEADER,
  renderMarkdown,
  renderText,
  type BenchResult,
  type BenchSettings,
  type CpuShare,
  type IntakeResult,
  type LookupResult,
  type MachineInfo,
  type MemoryResult,
} from './report.ts';
import { loopDelayMs, percentile, summarize } from './stats.ts';
import { SwarmHandle } from './swarm-client.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const BENCHMARKS_FILE = path.join(ROOT, 'BENCHMARKS.md');
const BENCH_DATABASE = 'gridline_bench';

const READY_TIMEOUT_MS = 90_000;
const SOCKET_TIMEOUT_MS = 20_000;
const RECEIPT_WAIT_MS = 5_000;
const SETTLE_MS = 3_000;
const LOOP_RESOLUTION_MS = 2;

class StartupError extends Error {}

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

async function main(): Promise<number> {
  const startedAt = new Date();
  const settings: BenchSettings = {
    sockets: intEnv('BENCH_SOCKETS', 5000),
    rate: numberEnv('BENCH_RATE', 200),
    seconds: numberEnv('BENCH_SECONDS', 20),
    warmupSeconds: numberEnv('BENCH_WARMUP_SECONDS', 3),
    swarmProcesses: intEnv('BENCH_SWARM_PROCESSES', 2),
  };
  const floorSamples = intEnv('BENCH_FLOOR_SAMPLES', 2000);
  const lookups = intEnv('BENCH_LOOKUPS', 100_000);
  const syntheticGrids = intEnv('BENCH_SYNTHETIC_GRIDS', 10_000);
  const concurrency = intEnv('BENCH_CONNECT_CONCURRENCY', 50);
  const record = process.env.BENCH_RECORD !== '0';
  const verbose = process.env.BENCH_VERBOSE === '1';
  const databaseUrl = benchDatabaseUrl();
  const redisUrl = process.env.REDIS_URL || DEFAULTS.redisUrl;
  const redisPrefix = `glbench-${randomBytes(4).toString('hex')}`;
  const sessionSecret = randomBytes(32).toString('hex');

  const cleanup = new Cleanup();
  const notes: string[] = [];
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
    const leftovers = await removeLeftovers(pool);
    if (leftovers.tickets + leftovers.closed + leftovers.sessions > 0) {
      log(
        `removed leftovers of earlier runs: ${leftovers.tickets} tickets, ${leftovers.sessions} sessions` +
          (leftovers.closed ? `, closed ${leftovers.closed}` : ''),
      );
    }
    const versions = await serverVersions(pool);
    const machine: MachineInfo = {
      cpus: cpuCount(),
      cpuModel: cpuModel(),
      totalMemoryBytes: os.totalmem(),
      node: process.version,
      postgres: versions.postgres,
      synchronousCommit: versions.synchronousCommit,
      redis: await redisVersion(redisUrl),
    };

    // Grid lookup, while nothing else runs.
    const grids = await loadGrids(pool);
    if (grids.length === 0)
      throw new StartupError(`${BENCH_DATABASE} has no grids; is the demo city seeded?`);
    log(
      `Grid lookup: ${lookups} lookups over ${grids.length} demo grids and ${syntheticGrids} synthetic grids…`,
    );
    const lookupResults: LookupResult[] = [
      benchLookups('demo city', grids, { lookups }),
      benchLookups('synthetic', syntheticCity(syntheticGrids), { lookups }),
    ];

    // Floor.
    log(`Floor: ${floorSamples} INSERT commits and ${floorSamples} Socket.IO round trips…`);
    const insert = await measureInsert(databaseUrl, floorSamples);
    const echo = await startEchoServer(ROOT, path.join(HERE, 'echo-server.ts'));
    cleanup.add('echo server', () => stopEchoServer(echo.child));
    const roundTrip = await measureSocketRoundTrip(echo.port, floorSamples);
    await stopEchoServer(echo.child);

    const partial: BenchResult = {
      startedAt,
      durationSeconds: 0,
      machine,
      settings,
      floor: { insert, roundTrip },
      intake: null,
      lookups: lookupResults,
      memory: null,
      notes,
    };
    result = partial;

    // The system.
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: redisPrefix,
      PORT: String(port),
      HOST: '127.0.0.1',
      TIME_SCALE: '1',
      WEB_HANDLER: 'none',
      LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
      SESSION_SECRET: sessionSecret,
    };
    log(`Starting server (127.0.0.1:${port}) and workers, REDIS_PREFIX=${redisPrefix}…`);
    // Registered first, so it runs after server and workers have stopped.
    cleanup.add('redis keys', async () => {
      const deleted = await deleteRedisKeys(redisUrl, redisPrefix);
      if (verbose) log(`deleted ${deleted} redis keys under ${redisPrefix}:`);
    });
    const serverNodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const server = spawnTs('server', path.join(ROOT, 'server/src/main.ts'), {
      cwd: ROOT,
      env,
      echo: verbose,
      nodeArgs: serverNodeArgs,
    });
    cleanup.add('server', () => server.stop(10_000));
    const workers = spawnTs('workers', path.join(ROOT, 'workers/src/main.ts'), {
      cwd: ROOT,
      env,
      echo: verbose,
    });
    cleanup.add('workers', () => workers.stop(10_000));
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitForReady(`${baseUrl}/readyz`, [server, workers], READY_TIMEOUT_MS).catch(
      (error: unknown) => {
        throw new StartupError((error as Error).message);
      },
    );
    serverStarted = true;
    log('server ready');

    // Who gets sockets, and where tickets go.
    const memberGrids = routedHome(await loadOnDutyMembers(pool), grids);
    const userIds = [...new Set(memberGrids.map((member) => member.userId))];
    if (userIds.length === 0)
      throw new Error('no on-duty grid member whose grid centroid routes to their grid');
    const chosen = userIds.slice(0, Math.min(settings.sockets, userIds.length));
    cleanup.add('bench sessions', () => deleteSessions(pool));
    const tokens = await createSessions(pool, sessionSecret, chosen);
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
    await Promise.all(swarms.map((swarm) => swarm.ready(30_000)));
    await delay(1000);
    const rssBefore = rssBytes(server.pid);
    log(
      `server RSS before sockets: ${((rssBefore ?? 0) / 1024 / 1024).toFixed(1)} MB; connecting…`,
    );
    const overallConnectMs = Math.max(60_000, (specs.length / 20) * 1000);
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
          concurrency,
          SOCKET_TIMEOUT_MS,
          overallConnectMs,
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
    const memory: MemoryResult = {
      sockets: specs.length,
      connected,
      failed,
      connectSeconds,
      rssBeforeBytes: rssBefore,
      rssAfterBytes: rssAfter,
    };
    partial.memory = memory;
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
    const postgresMeter = new NamedCpuMeter(['postgres']);
    const redisMeter = new NamedCpuMeter(['redis-server']);
    const jiffiesBefore = machineJiffies();
    const run = await runPhase({
      ...phase,
      firstTarget: warm.planned,
      rate: settings.rate,
      seconds: settings.seconds,
      measured: true,
    });
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
    const intake: IntakeResult = {
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
    };
    partial.intake = intake;
    if (run.errorSamples.length > 0)
      notes.push(`HTTP errors, e.g. ${run.errorSamples.join(' | ')}`);
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
    const serverLag = metricsAfter
      ? prometheusValue(metricsAfter, 'nodejs_eventloop_lag_p99_seconds')
      : null;
    if (serverLag !== null)
      notes.push(
        `server event-loop lag p99 at the end (prom-client): ${(serverLag * 1000).toFixed(1)} ms`,
      );
    log('intake done');
  } catch (error) {
    if (error instanceof StartupError || !serverStarted) {
      console.error(`✖ the system could not start: ${(error as Error).message}`);
      await cleanup.runAll();
      return 1;
    }
    console.error(`✖ ${(error as Error).message}`);
    notes.push(`run stopped early: ${(error as Error).message.split('\n')[0]}`);
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
