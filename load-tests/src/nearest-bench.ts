/**
 * Bench part `nearest`: the offer cascade's question, "the 10 nearest
 * volunteers on duty holding these skills", against RedisVolunteerLocator
 * with 100,000 volunteers spread over ~20 km around Anshan. Needs Redis only.
 * Each query is timed from the call to the answer (one round trip).
 */
import { Redis } from 'ioredis';
import {
  mulberry32,
  VOLUNTEER_POSITION_MAX_AGE_MS,
  type LatLng,
  type NearestVolunteersQuery,
  type Random,
} from '@gridline/core';
import { RedisVolunteerLocator } from '@gridline/db';
import { summarize, type Summary } from './stats.ts';

/** DESIGN.md "Targets": nearest 10 qualified volunteers among 100,000, p99 <= 5 ms. */
export const NEAREST_GOAL_P99_MS = 5;

/** The demo city's skill catalogue (prisma/src/demo-city/categories.ts). */
export const BENCH_SKILLS = [
  'ELDERLY_CARE',
  'MEDICAL',
  'REPAIRS',
  'PSYCHOLOGICAL',
  'LEGAL_AID',
  'EMERGENCY',
  'HAIRCUT',
  'KNIFE_SHARPENING',
  'TUTORING',
  'DRIVING',
  'COOKING',
  'CLEANING',
] as const;

export const ANSHAN: LatLng = { lat: 41.1, lng: 123.0 };
const METRES_PER_DEGREE = 111_195;

/** A uniformly random point in the disc of `radiusM` around `center`. */
export function randomPointAround(center: LatLng, radiusM: number, random: Random): LatLng {
  const distance = radiusM * Math.sqrt(random());
  const bearing = 2 * Math.PI * random();
  const dLat = (distance * Math.cos(bearing)) / METRES_PER_DEGREE;
  const dLng =
    (distance * Math.sin(bearing)) / (METRES_PER_DEGREE * Math.cos((center.lat * Math.PI) / 180));
  return { lat: center.lat + dLat, lng: center.lng + dLng };
}

/** `min`..`max` distinct skills, drawn at random. */
export function randomSkills(
  random: Random,
  min: number,
  max: number,
  catalogue: readonly string[] = BENCH_SKILLS,
): string[] {
  const count = min + Math.floor(random() * (max - min + 1));
  const pool = [...catalogue];
  const out: string[] = [];
  while (out.length < count && pool.length > 0) {
    out.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
  }
  return out;
}

export interface NearestBenchOptions {
  redisUrl: string;
  /** Key prefix; every key under it is deleted afterwards. */
  prefix: string;
  volunteers?: number;
  queries?: number;
  /** Untimed queries first. */
  warmup?: number;
  limit?: number;
  /** Where the volunteers are: a disc of this radius around Anshan. */
  spreadM?: number;
  /** The queries' search radius. */
  radiusM?: number;
  seed?: number;
}

export interface NearestResult {
  volunteers: number;
  queries: number;
  limit: number;
  radiusM: number;
  /** Milliseconds per query, one round trip each. */
  latencyMs: Summary | null;
  /** Mean number of volunteers found per query. */
  meanFound: number;
  /** Queries that found fewer than `limit`. */
  short: number;
  loadSeconds: number;
  /** Mean time Redis spent per query (INFO commandstats, EVALSHA), when Redis tells. */
  redisUsecPerQuery: number | null;
}

/** Loads the volunteers, runs the queries one after another, deletes the keys. */
export async function benchNearest(options: NearestBenchOptions): Promise<NearestResult> {
  const volunteers = options.volunteers ?? 100_000;
  const queries = options.queries ?? 10_000;
  const warmup = options.warmup ?? 500;
  const limit = options.limit ?? 10;
  const spreadM = options.spreadM ?? 20_000;
  const radiusM = options.radiusM ?? 10_000;
  const random = mulberry32(options.seed ?? 50_000);
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  const locator = new RedisVolunteerLocator(redis, options.prefix);
  try {
    const now = new Date();
    const loadStarted = performance.now();
    const BATCH = 2_000;
    for (let first = 1; first <= volunteers; first += BATCH) {
      const writes: Promise<boolean>[] = [];
      for (let userId = first; userId < first + BATCH && userId <= volunteers; userId++) {
        const at = new Date(now.getTime() - Math.floor(random() * 60_000));
        writes.push(
          locator.update(
            { userId, skills: randomSkills(random, 1, 3) },
            randomPointAround(ANSHAN, spreadM, random),
            at,
          ),
        );
      }
      await Promise.all(writes);
    }
    const loadSeconds = (performance.now() - loadStarted) / 1000;

    const asked: NearestVolunteersQuery[] = [];
    for (let q = 0; q < warmup + queries; q++) {
      asked.push({
        ...randomPointAround(ANSHAN, spreadM * 0.9, random),
        radiusM,
        skills: randomSkills(random, 1, 2),
        limit,
        maxAgeMs: VOLUNTEER_POSITION_MAX_AGE_MS,
      });
    }
    const latencies: number[] = [];
    let scriptStats: ScriptStats | null = null;
    let found = 0;
    let short = 0;
    for (const [index, query] of asked.entries()) {
      const started = performance.now();
      const hits = await locator.nearest(query, now);
      const elapsed = performance.now() - started;
      if (index === warmup - 1 || (warmup === 0 && index === 0)) {
        scriptStats = await evalshaStats(redis);
      }
      if (index < warmup) continue;
      latencies.push(elapsed);
      found += hits.length;
      if (hits.length < limit) short++;
    }
    const after = await evalshaStats(redis);
    return {
      volunteers,
      queries,
      limit,
      radiusM,
      latencyMs: summarize(latencies),
      meanFound: queries > 0 ? found / queries : 0,
      short,
      loadSeconds,
      redisUsecPerQuery:
        scriptStats && after && after.calls > scriptStats.calls
          ? (after.usec - scriptStats.usec) / (after.calls - scriptStats.calls)
          : null,
    };
  } finally {
    await deleteKeys(redis, `${options.prefix}:*`).catch(() => undefined);
    redis.disconnect();
  }
}

interface ScriptStats {
  calls: number;
  usec: number;
}

/** EVALSHA's calls and microseconds so far (null when INFO is not allowed). */
export async function evalshaStats(redis: Redis): Promise<ScriptStats | null> {
  try {
    return parseEvalshaStats(await redis.info('commandstats'));
  } catch {
    return null;
  }
}

export function parseEvalshaStats(info: string): ScriptStats | null {
  const match = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(info);
  return match ? { calls: Number(match[1]), usec: Number(match[2]) } : null;
}

async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** One line for the console and BENCHMARKS.md. */
export function describeNearest(result: NearestResult): string {
  const ms = (value: number | undefined) => (value === undefined ? '—' : value.toFixed(2));
  const p99 = result.latencyMs?.p99;
  const verdict =
    p99 === undefined ? 'no samples' : p99 <= NEAREST_GOAL_P99_MS ? 'meets' : 'misses';
  return (
    `nearest ${result.limit} qualified volunteers (1–2 skills, radius ${result.radiusM / 1000} km) ` +
    `among ${result.volunteers.toLocaleString('en')}: p50 ${ms(result.latencyMs?.p50)} ms, ` +
    `p99 ${ms(p99)} ms, max ${ms(result.latencyMs?.max)} ms over ${result.queries.toLocaleString('en')} queries ` +
    `(goal p99 <= ${NEAREST_GOAL_P99_MS} ms: ${verdict}); ` +
    (result.redisUsecPerQuery === null
      ? ''
      : `Redis ${result.redisUsecPerQuery.toFixed(0)} µs per EVALSHA on average (every client's); `) +
    `${result.meanFound.toFixed(1)} found per query, ` +
    `${result.short} short; loaded in ${result.loadSeconds.toFixed(1)} s`
  );
}
