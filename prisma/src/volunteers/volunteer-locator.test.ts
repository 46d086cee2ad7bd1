import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import {
  checkSkillCodes,
  MAX_NEAREST_LIMIT,
  nearestArgs,
  parseNearest,
  RedisVolunteerLocator,
  volunteerLocatorKeys,
} from './volunteer-locator.ts';

const now = new Date('2026-11-22T08:00:00Z');
const query = {
  lat: 41.1,
  lng: 123,
  radiusM: 2_000,
  skills: ['MEDICAL', 'DRIVING'],
  limit: 10,
  maxAgeMs: 300_000,
};

describe('volunteerLocatorKeys', () => {
  it('puts every key under the prefix', () => {
    const keys = volunteerLocatorKeys('p');
    expect([keys.all, keys.meta, keys.seen, keys.skill('MEDICAL')]).toEqual([
      'p:volunteers:geo',
      'p:volunteers:meta',
      'p:volunteers:seen',
      'p:volunteers:skill:MEDICAL',
    ]);
    expect(keys.skill('X').startsWith(keys.skillPrefix)).toBe(true);
  });
});

describe('checkSkillCodes', () => {
  it('drops duplicates and refuses codes that would break the stored tags', () => {
    expect(checkSkillCodes(['A', 'B_2', 'A'])).toEqual(['A', 'B_2']);
    expect(() => checkSkillCodes(['A,B'])).toThrow(RangeError);
    expect(() => checkSkillCodes(['A|'])).toThrow(RangeError);
    expect(() => checkSkillCodes([''])).toThrow(RangeError);
  });
});

describe('nearestArgs', () => {
  it('lays out position, radius, limit, oldest report, skills then exclusions', () => {
    expect(nearestArgs('s:', { ...query, exclude: [7, 9] }, now, 250)).toEqual([
      's:',
      '123',
      '41.1',
      '2000',
      '10',
      String(now.getTime() - 300_000),
      '250',
      '2',
      'MEDICAL',
      'DRIVING',
      '7',
      '9',
    ]);
  });

  it('starts no wider than the radius and caps the limit', () => {
    const args = nearestArgs('s:', { ...query, radiusM: 100, limit: 10_000, skills: [] }, now);
    expect(args[4]).toBe(String(MAX_NEAREST_LIMIT));
    expect(args[6]).toBe('100');
    expect(args[7]).toBe('0');
    expect(args).toHaveLength(8);
  });

  it('refuses positions Redis cannot index and empty radii', () => {
    expect(() => nearestArgs('s:', { ...query, lat: 89 }, now)).toThrow(RangeError);
    expect(() => nearestArgs('s:', { ...query, lng: Number.NaN }, now)).toThrow(RangeError);
    expect(() => nearestArgs('s:', { ...query, radiusM: 0 }, now)).toThrow(RangeError);
  });
});

describe('parseNearest', () => {
  it('pairs ids with distances and skips anything malformed', () => {
    expect(parseNearest(['12', '3.5000', '7', '120.25'])).toEqual([
      { userId: 12, distanceM: 3.5 },
      { userId: 7, distanceM: 120.25 },
    ]);
    expect(parseNearest(['x', '1', '5'])).toEqual([]);
    expect(parseNearest(null)).toEqual([]);
  });
});

describe('RedisVolunteerLocator scripts', () => {
  it('runs by EVALSHA and falls back to EVAL once Redis has forgotten the script', async () => {
    const calls: string[] = [];
    let known = false;
    const fake = {
      async evalsha() {
        calls.push('evalsha');
        if (!known) throw new Error('NOSCRIPT No matching script. Please use EVAL.');
        return ['5', '12.5000'];
      },
      async eval() {
        calls.push('eval');
        known = true;
        return ['5', '12.5000'];
      },
    };
    const locator = new RedisVolunteerLocator(fake as unknown as Redis, 'p');
    const ask = () => locator.nearest({ ...query, skills: [] }, now);
    expect(await ask()).toEqual([{ userId: 5, distanceM: 12.5 }]);
    expect(await ask()).toEqual([{ userId: 5, distanceM: 12.5 }]);
    expect(calls).toEqual(['evalsha', 'eval', 'evalsha']);
  });
});
