import type { Redis } from 'ioredis';
import { isFieldRole } from '@gridline/core';
import type { FieldUser, PositionStore, StoredPosition } from './ports.ts';

/**
 * Keys, all under the configured prefix:
 * - `<prefix>:positions:duty`     SET of user ids on duty (rebuilt from PostgreSQL when lost);
 * - `<prefix>:positions:geo`      GEO set of user ids (for "nearest" queries);
 * - `<prefix>:positions:user:<id>` HASH role, displayName, regionId, lat, lng, accuracy, at, openTickets;
 * - `<prefix>:positions:push:<id>` the push throttle window (PX, NX).
 */
export function positionKeys(prefix: string) {
  return {
    duty: `${prefix}:positions:duty`,
    geo: `${prefix}:positions:geo`,
    user: (id: number) => `${prefix}:positions:user:${id}`,
    push: (id: number) => `${prefix}:positions:push:${id}`,
  };
}

/** Stores a position only while the user is in the duty set, in one step. */
const SAVE_IF_ON_DUTY = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('GEOADD', KEYS[2], ARGV[2], ARGV[3], ARGV[1])
redis.call('HSET', KEYS[3], unpack(ARGV, 4))
return 1`;

/** Unmarks the user and removes the position in one step; returns the hash as it was. */
const MARK_OFF_DUTY = `
local last = redis.call('HGETALL', KEYS[3])
redis.call('SREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[3])
return last`;

function fieldsOf(flat: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!Array.isArray(flat)) return fields;
  for (let i = 0; i + 1 < flat.length; i += 2) fields[String(flat[i])] = String(flat[i + 1]);
  return fields;
}

const finite = (value: string | undefined): number | null => {
  if (value === undefined || value === '') return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
};

/** A stored hash back to a position; null when it holds no position (yet). */
export function parseStored(userId: number, fields: Record<string, string>): StoredPosition | null {
  const lat = finite(fields.lat);
  const lng = finite(fields.lng);
  const at = finite(fields.at);
  const role = fields.role;
  if (lat === null || lng === null || at === null || role === undefined || !isFieldRole(role)) {
    return null;
  }
  const openTickets = finite(fields.openTickets);
  return {
    userId,
    role,
    displayName: fields.displayName ?? '',
    regionId: finite(fields.regionId),
    lat,
    lng,
    accuracy: finite(fields.accuracy),
    at,
    ...(openTickets === null ? {} : { openTickets }),
  };
}

export class RedisPositionStore implements PositionStore {
  readonly #keys: ReturnType<typeof positionKeys>;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.#keys = positionKeys(prefix);
  }

  async markOnDuty(user: FieldUser): Promise<void> {
    await this.redis.sadd(this.#keys.duty, String(user.id));
  }

  async isMarkedOnDuty(userId: number): Promise<boolean> {
    return (await this.redis.sismember(this.#keys.duty, String(userId))) === 1;
  }

  async markOffDuty(userId: number): Promise<StoredPosition | null> {
    const keys = this.#keys;
    const last = await this.redis.eval(
      MARK_OFF_DUTY,
      3,
      keys.duty,
      keys.geo,
      keys.user(userId),
      String(userId),
    );
    return parseStored(userId, fieldsOf(last));
  }

  async save(position: StoredPosition): Promise<boolean> {
    const keys = this.#keys;
    const fields: string[] = [
      'role',
      position.role,
      'displayName',
      position.displayName,
      'regionId',
      position.regionId === null ? '' : String(position.regionId),
      'lat',
      String(position.lat),
      'lng',
      String(position.lng),
      'accuracy',
      position.accuracy === null ? '' : String(position.accuracy),
      'at',
      String(position.at),
    ];
    if (position.openTickets !== undefined)
      fields.push('openTickets', String(position.openTickets));
    const saved = await this.redis.eval(
      SAVE_IF_ON_DUTY,
      3,
      keys.duty,
      keys.geo,
      keys.user(position.userId),
      String(position.userId),
      String(position.lng),
      String(position.lat),
      ...fields,
    );
    return saved === 1;
  }

  async claimPush(userId: number, windowMs: number): Promise<boolean> {
    const result = await this.redis.set(this.#keys.push(userId), '1', 'PX', windowMs, 'NX');
    return result === 'OK';
  }

  async list(): Promise<StoredPosition[]> {
    const ids = (await this.redis.zrange(this.#keys.geo, '0', '-1')).map(Number);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.#keys.user(id));
    const results = (await pipeline.exec()) ?? [];
    const positions: StoredPosition[] = [];
    results.forEach(([error, value], index) => {
      const id = ids[index];
      if (error || id === undefined || value === null || typeof value !== 'object') return;
      const position = parseStored(id, value as Record<string, string>);
      if (position) positions.push(position);
    });
    return positions;
  }
}
