import { Redis } from 'ioredis';
import { parseCommonEnv, type LatLng } from '@gridline/core';
import { RedisVolunteerLocator } from '@gridline/db';
import { SessionRepository } from '@gridline/server';
import { sessionAt, type Session, type TestSystem } from './system.ts';

/** The session secret startSystem gives the server. */
const TEST_SESSION_SECRET = 'test-secret';

export const redisUrl = parseCommonEnv(process.env).redisUrl;

/**
 * Signed-in sessions for many users at once, minted in the database as the
 * simulator does (logging 50 users in would meet the login rate limit).
 */
export async function mintSessions(system: TestSystem, usernames: string[]): Promise<Session[]> {
  const prisma = system.server.prisma;
  const users = await prisma.user.findMany({
    where: { username: { in: usernames } },
    select: { id: true, username: true, role: true, regionId: true },
  });
  const byName = new Map(users.map((user) => [user.username, user]));
  const sessions = new SessionRepository(prisma, TEST_SESSION_SECRET);
  return Promise.all(
    usernames.map(async (username) => {
      const user = byName.get(username);
      if (!user) throw new Error(`no user ${username}`);
      const { token } = await sessions.create(user.id, { userAgent: 'tasks itest' });
      return sessionAt({ cookie: `gl_session=${token}`, user }, system.baseUrl);
    }),
  );
}

export const volunteerNames = (count: number, from = 1) =>
  Array.from({ length: count }, (_, n) => `vol-${String(from + n).padStart(4, '0')}`);

/** The point `metres` from `from` on a bearing (degrees clockwise from north), on a sphere. */
export function offsetPoint(from: LatLng, metres: number, bearingDeg = 0): LatLng {
  const radius = 6_371_008.8;
  const angular = metres / radius;
  const bearing = (bearingDeg * Math.PI) / 180;
  const lat1 = (from.lat * Math.PI) / 180;
  const lng1 = (from.lng * Math.PI) / 180;
  const lat2 = Math.asin(
    Math.sin(lat1) * Math.cos(angular) + Math.cos(lat1) * Math.sin(angular) * Math.cos(bearing),
  );
  const lng2 =
    lng1 +
    Math.atan2(
      Math.sin(bearing) * Math.sin(angular) * Math.cos(lat1),
      Math.cos(angular) - Math.sin(lat1) * Math.sin(lat2),
    );
  return { lat: (lat2 * 180) / Math.PI, lng: (lng2 * 180) / Math.PI };
}

/** Live volunteer positions for the system's locator (the on-duty volunteers' phones). */
export class VolunteerPositions {
  readonly redis: Redis;
  readonly locator: RedisVolunteerLocator;

  constructor(system: TestSystem) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    this.locator = new RedisVolunteerLocator(this.redis, system.redisPrefix);
  }

  async place(
    volunteers: ReadonlyArray<{ userId: number; at: LatLng; skills?: string[] }>,
  ): Promise<void> {
    const now = new Date();
    for (const volunteer of volunteers) {
      const stored = await this.locator.update(
        { userId: volunteer.userId, skills: volunteer.skills ?? [] },
        volunteer.at,
        now,
      );
      if (!stored) throw new Error(`position of ${volunteer.userId} not stored`);
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

/** The grid member's grid centre: a place inside their region. */
export async function memberPlace(member: Session): Promise<LatLng> {
  const grid = await member.get<{ region: { centroid: LatLng } }>(
    `/api/regions/${member.user.regionId}`,
  );
  return grid.body.region.centroid;
}

/**
 * Deletes every Redis key of one test system atomically (SCAN + DEL in one
 * script): FLUSHALL as far as this system can tell, without touching the keys
 * of test files running in parallel against the same Redis.
 */
const WIPE_PREFIX = `
local deleted = 0
local cursor = '0'
repeat
  local reply = redis.call('SCAN', cursor, 'MATCH', ARGV[1], 'COUNT', 1000)
  cursor = reply[1]
  for _, key in ipairs(reply[2]) do
    redis.call('DEL', key)
    deleted = deleted + 1
  end
until cursor == '0'
return deleted
`;

export async function wipeRedisPrefix(redis: Redis, prefix: string): Promise<number> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}:*`;
  return Number(await redis.eval(WIPE_PREFIX, 0, pattern));
}
