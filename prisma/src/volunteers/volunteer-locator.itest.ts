import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32, parseCommonEnv, type NearestVolunteersQuery } from '@gridline/core';
import { RedisVolunteerLocator } from './volunteer-locator.ts';

const redisUrl = parseCommonEnv(process.env).redisUrl;
const CENTER = { lat: 41.1, lng: 123.0 };
const SKILLS = ['A', 'B', 'C', 'D', 'E'];
const MINUTE = 60_000;

/** Redis's own haversine (geohash_helper.c), on the positions as Redis stores them. */
function redisDistance(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = (d: number) => (d * Math.PI) / 180;
  const u = Math.sin((rad(b.lat) - rad(a.lat)) / 2);
  const v = Math.sin((rad(b.lng) - rad(a.lng)) / 2);
  return (
    2 *
    6372797.560856 *
    Math.asin(Math.sqrt(u * u + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * v * v))
  );
}

describe('RedisVolunteerLocator', () => {
  let redis: Redis;
  const prefixes: string[] = [];
  const fresh = (options?: ConstructorParameters<typeof RedisVolunteerLocator>[2]) => {
    const prefix = `itest-vloc-${randomBytes(4).toString('hex')}`;
    prefixes.push(prefix);
    return { prefix, locator: new RedisVolunteerLocator(redis, prefix, options) };
  };

  beforeAll(() => {
    redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    redis.disconnect();
  });

  it('finds exactly what a brute-force scan finds, on random data', async () => {
    const { locator, prefix } = fresh();
    const random = mulberry32(20261122);
    const now = new Date('2026-11-22T08:00:00Z');
    const people = new Map<number, { skills: string[]; at: number }>();
    for (let userId = 1; userId <= 3_000; userId++) {
      const skills = SKILLS.filter(() => random() < 0.3);
      // A fifth of them reported too long ago.
      const at = now.getTime() - (random() < 0.2 ? 6 : random() * 4.9) * MINUTE;
      const position = {
        lat: CENTER.lat + (random() - 0.5) * 0.09,
        lng: CENTER.lng + (random() - 0.5) * 0.12,
      };
      expect(await locator.update({ userId, skills }, position, new Date(at))).toBe(true);
      people.set(userId, { skills, at });
    }
    // Where Redis holds them (its geohash cell centres), for the brute force.
    const ids = [...people.keys()];
    const stored = await redis.geopos(`${prefix}:volunteers:geo`, ...ids.map(String));
    const positions = new Map(
      ids.map((id, index) => {
        const [lng, lat] = stored[index]!;
        return [id, { lat: Number(lat), lng: Number(lng) }];
      }),
    );

    let compared = 0;
    for (let q = 0; q < 300; q++) {
      const query: NearestVolunteersQuery = {
        lat: CENTER.lat + (random() - 0.5) * 0.1,
        lng: CENTER.lng + (random() - 0.5) * 0.13,
        radiusM: 100 + random() * 4_000,
        skills: SKILLS.filter(() => random() < 0.25).slice(0, 3),
        limit: 1 + Math.floor(random() * 20),
        exclude: ids.filter(() => random() < 0.05),
        maxAgeMs: 5 * MINUTE,
      };
      const excluded = new Set(query.exclude);
      const expected = ids
        .filter((id) => {
          const person = people.get(id)!;
          return (
            !excluded.has(id) &&
            person.at >= now.getTime() - query.maxAgeMs &&
            query.skills.every((skill) => person.skills.includes(skill))
          );
        })
        .map((userId) => ({ userId, distanceM: redisDistance(query, positions.get(userId)!) }))
        .filter((candidate) => candidate.distanceM <= query.radiusM)
        .sort((a, b) => a.distanceM - b.distanceM)
        .slice(0, query.limit);
      const found = await locator.nearest(query, now);
      expect(found.map((hit) => hit.userId)).toEqual(expected.map((hit) => hit.userId));
      found.forEach((hit, index) =>
        expect(hit.distanceM).toBeCloseTo(expected[index]!.distanceM, 2),
      );
      compared += expected.length;
    }
    // The comparison was not vacuous.
    expect(compared).toBeGreaterThan(1_000);
  });

  it('leaves out stale positions until the volunteer reports again', async () => {
    const { locator } = fresh();
    const now = new Date('2026-11-22T08:00:00Z');
    const near = { lat: 41.1, lng: 123.0 };
    await locator.update({ userId: 1, skills: ['A'] }, near, new Date(now.getTime() - 6 * MINUTE));
    await locator.update(
      { userId: 2, skills: ['A'] },
      { lat: 41.101, lng: 123.0 },
      new Date(now.getTime() - MINUTE),
    );
    const query = { ...near, radiusM: 1_000, skills: ['A'], limit: 5, maxAgeMs: 5 * MINUTE };
    expect((await locator.nearest(query, now)).map((hit) => hit.userId)).toEqual([2]);
    await locator.update({ userId: 1, skills: ['A'] }, near, now);
    expect((await locator.nearest(query, now)).map((hit) => hit.userId)).toEqual([1, 2]);
    // An older report arriving late changes nothing.
    expect(
      await locator.update(
        { userId: 1, skills: [] },
        { lat: 41.2, lng: 123.2 },
        new Date(now.getTime() - 2 * MINUTE),
      ),
    ).toBe(false);
    const [first] = await locator.nearest(query, now);
    expect(first?.userId).toBe(1);
    expect(first?.distanceM).toBeLessThan(1);
  });

  it('needs every skill, honours exclusions, the radius and the limit', async () => {
    const { locator } = fresh();
    const now = new Date('2026-11-22T08:00:00Z');
    const at = (metres: number) => ({ lat: 41.1 + metres / 111_195, lng: 123.0 });
    await locator.update({ userId: 1, skills: ['A'] }, at(100), now);
    await locator.update({ userId: 2, skills: ['A', 'B'] }, at(200), now);
    await locator.update({ userId: 3, skills: ['B', 'A', 'C'] }, at(300), now);
    await locator.update({ userId: 4, skills: [] }, at(50), now);
    await locator.update({ userId: 5, skills: ['A', 'B'] }, at(5_000), now);
    const base = { ...at(0), radiusM: 1_000, limit: 10, maxAgeMs: MINUTE };
    const ids = async (query: Partial<NearestVolunteersQuery>) =>
      (await locator.nearest({ ...base, skills: [], ...query }, now)).map((hit) => hit.userId);

    expect(await ids({})).toEqual([4, 1, 2, 3]);
    expect(await ids({ skills: ['A'] })).toEqual([1, 2, 3]);
    expect(await ids({ skills: ['A', 'B'] })).toEqual([2, 3]);
    expect(await ids({ skills: ['A', 'B', 'C'] })).toEqual([3]);
    expect(await ids({ skills: ['A', 'B'], exclude: [2] })).toEqual([3]);
    expect(await ids({ skills: ['A', 'B'], radiusM: 10_000 })).toEqual([2, 3, 5]);
    expect(await ids({ skills: ['A'], limit: 2 })).toEqual([1, 2]);
    expect(await ids({ skills: ['Z'] })).toEqual([]);
    expect(await ids({ limit: 0 })).toEqual([]);

    // Skills change: dropped from the old skill's set, kept where they were.
    await locator.update({ userId: 3, skills: ['C'] }, at(300), now);
    expect(await ids({ skills: ['A'] })).toEqual([1, 2]);
    expect(await locator.setSkills(1, ['B'])).toBe(true);
    expect(await ids({ skills: ['B'] })).toEqual([1, 2]);
    expect(await ids({ skills: ['A'] })).toEqual([2]);
    expect(await locator.setSkills(99, ['B'])).toBe(false);
    expect(await ids({ skills: ['B'] })).toEqual([1, 2]);

    await locator.remove(2);
    expect(await ids({})).toEqual([4, 1, 3]);
    expect(await ids({ skills: ['B'] })).toEqual([1]);
  });

  it('stores reports only while the user is in the duty set', async () => {
    const dutySetKey = `itest-vloc-duty-${randomBytes(4).toString('hex')}`;
    prefixes.push(dutySetKey);
    const { locator } = fresh({ dutySetKey });
    const now = new Date();
    const query = { lat: 41.1, lng: 123, radiusM: 500, skills: [], limit: 5, maxAgeMs: MINUTE };
    expect(await locator.update({ userId: 7, skills: [] }, query, now)).toBe(false);
    expect(await locator.nearest(query, now)).toEqual([]);
    await redis.sadd(dutySetKey, '7');
    expect(await locator.update({ userId: 7, skills: [] }, query, now)).toBe(true);
    expect((await locator.nearest(query, now)).map((hit) => hit.userId)).toEqual([7]);
  });

  it('prunes positions older than a cutoff from every set', async () => {
    const { locator, prefix } = fresh();
    const now = new Date('2026-11-22T08:00:00Z');
    const old = new Date(now.getTime() - 60 * MINUTE);
    await locator.update({ userId: 1, skills: ['A'] }, { lat: 41.1, lng: 123 }, old);
    await locator.update({ userId: 2, skills: ['A'] }, { lat: 41.1, lng: 123 }, now);
    expect(await locator.prune(new Date(now.getTime() - 30 * MINUTE))).toBe(1);
    expect(await redis.zrange(`${prefix}:volunteers:skill:A`, '0', '-1')).toEqual(['2']);
    expect(await redis.zrange(`${prefix}:volunteers:geo`, '0', '-1')).toEqual(['2']);
    expect(await redis.hkeys(`${prefix}:volunteers:meta`)).toEqual(['2']);
  });
});
