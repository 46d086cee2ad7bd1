import { describe, expect, it } from 'vitest';
import { distanceMetres, mulberry32 } from '@gridline/core';
import {
  ANSHAN,
  BENCH_SKILLS,
  describeNearest,
  parseEvalshaStats,
  randomPointAround,
  randomSkills,
  type NearestResult,
} from './nearest-bench.ts';

describe('randomPointAround', () => {
  it('stays inside the disc and fills it (not just its centre)', () => {
    const random = mulberry32(1);
    const distances = Array.from({ length: 5_000 }, () =>
      distanceMetres(ANSHAN, randomPointAround(ANSHAN, 20_000, random)),
    );
    expect(Math.max(...distances)).toBeLessThanOrEqual(20_000 * 1.001);
    // Uniform over the area: about a quarter within half the radius.
    const inner = distances.filter((d) => d <= 10_000).length / distances.length;
    expect(inner).toBeGreaterThan(0.22);
    expect(inner).toBeLessThan(0.28);
  });
});

describe('randomSkills', () => {
  it('draws between min and max distinct skills from the catalogue', () => {
    const random = mulberry32(2);
    const counts = new Set<number>();
    for (let i = 0; i < 1_000; i++) {
      const skills = randomSkills(random, 1, 3);
      counts.add(skills.length);
      expect(new Set(skills).size).toBe(skills.length);
      for (const skill of skills) expect(BENCH_SKILLS).toContain(skill);
    }
    expect([...counts].sort()).toEqual([1, 2, 3]);
  });
});

describe('parseEvalshaStats', () => {
  it('reads calls and microseconds of EVALSHA from INFO commandstats', () => {
    const info =
      'cmdstat_get:calls=3,usec=9\r\ncmdstat_evalsha:calls=120,usec=3600,usec_per_call=30.00';
    expect(parseEvalshaStats(info)).toEqual({ calls: 120, usec: 3600 });
    expect(parseEvalshaStats('cmdstat_get:calls=3,usec=9')).toBeNull();
  });
});

describe('describeNearest', () => {
  const result: NearestResult = {
    volunteers: 100_000,
    queries: 10_000,
    limit: 10,
    radiusM: 10_000,
    latencyMs: { count: 10_000, min: 0.1, mean: 0.4, p50: 0.3, p95: 1, p99: 2.5, max: 9 },
    meanFound: 10,
    short: 0,
    loadSeconds: 12,
    redisUsecPerQuery: 180,
  };

  it('states p50, p99 and the verdict against the 5 ms goal', () => {
    const line = describeNearest(result);
    expect(line).toContain('p50 0.30 ms');
    expect(line).toContain('p99 2.50 ms');
    expect(line).toContain('meets');
    const slow = { ...result, latencyMs: { ...result.latencyMs!, p99: 7 } };
    expect(describeNearest(slow)).toContain('misses');
  });
});
