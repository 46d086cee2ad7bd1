import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  MAX_GEO_LATITUDE,
  type LatLng,
  type NearbyVolunteer,
  type NearestVolunteersQuery,
  type VolunteerLocator,
} from '@gridline/core';

/**
 * Keys, all under the configured prefix (rebuildable: a volunteer on duty
 * re-reports every ~15 s, and what Redis lost is back with the next report):
 * - `<prefix>:volunteers:geo`           GEO set of every volunteer with a position;
 * - `<prefix>:volunteers:skill:<CODE>`  GEO set of those holding the skill (same positions);
 * - `<prefix>:volunteers:skill:<A>+<B>` GEO set of those holding both skills (A < B);
 * - `<prefix>:volunteers:meta`          HASH user id -> `<epoch ms of the report>|,CODE,CODE,`;
 * - `<prefix>:volunteers:seen`          ZSET user id scored by the report's epoch ms (for pruning).
 *
 * The per-skill sets are reached from inside the scripts by prefix (standalone
 * Redis; a cluster would need every key under one hash tag).
 */
export function volunteerLocatorKeys(prefix: string) {
  return {
    all: `${prefix}:volunteers:geo`,
    skillPrefix: `${prefix}:volunteers:skill:`,
    skill: (code: string) => `${prefix}:volunteers:skill:${code}`,
    meta: `${prefix}:volunteers:meta`,
    seen: `${prefix}:volunteers:seen`,
  };
}

/** The first search radius; each step doubles it up to the query's radius. */
export const DEFAULT_START_RADIUS_M = 250;
/** At most this many volunteers per query. */
export const MAX_NEAREST_LIMIT = 1_000;

const SKILL_CODE = /^[A-Za-z0-9_-]{1,40}$/;

/** Skill codes end up in key names and in the meta string: letters, digits, `_` and `-` only. */
export function checkSkillCodes(skills: readonly string[]): string[] {
  const unique = [...new Set(skills)];
  for (const code of unique) {
    if (!SKILL_CODE.test(code)) throw new RangeError(`Bad skill code "${code}"`);
  }
  return unique;
}

function checkPosition(position: LatLng): void {
  if (
    !Number.isFinite(position.lat) ||
    !Number.isFinite(position.lng) ||
    Math.abs(position.lat) > MAX_GEO_LATITUDE ||
    Math.abs(position.lng) > 180
  ) {
    throw new RangeError(`Position out of range: ${position.lat}, ${position.lng}`);
  }
}

/**
 * Shared Lua: the skills in a meta value, and the GEO sets a skill list puts
 * someone in: one per skill and one per pair of skills (`A+B`, in code order),
 * so that a two-skill query searches only those holding both.
 */
const PRELUDE = `
local function codesOf(meta)
  local codes = {}
  if not meta then return codes end
  local sep = string.find(meta, '|', 1, true)
  for code in string.gmatch(string.sub(meta, sep + 1), '[^,]+') do codes[#codes + 1] = code end
  return codes
end
local function setsOf(codes)
  local sorted = {}
  for i, code in ipairs(codes) do sorted[i] = code end
  table.sort(sorted)
  local sets = {}
  for i = 1, #sorted do
    sets[#sets + 1] = sorted[i]
    for j = i + 1, #sorted do sets[#sets + 1] = sorted[i] .. '+' .. sorted[j] end
  end
  return sets
end
local function tagOf(codes)
  local tag = ','
  for _, code in ipairs(codes) do tag = tag .. code .. ',' end
  return tag
end
-- Moves uid from the sets of oldCodes to those of newCodes at lng, lat.
local function retag(prefix, uid, oldCodes, newCodes, lng, lat)
  local keep = {}
  for _, set in ipairs(setsOf(newCodes)) do
    keep[set] = true
    redis.call('GEOADD', prefix .. set, lng, lat, uid)
  end
  for _, set in ipairs(setsOf(oldCodes)) do
    if not keep[set] then redis.call('ZREM', prefix .. set, uid) end
  end
end
local function removeOne(uid)
  local old = redis.call('HGET', KEYS[2], uid)
  if old then
    for _, set in ipairs(setsOf(codesOf(old))) do redis.call('ZREM', ARGV[1] .. set, uid) end
    redis.call('HDEL', KEYS[2], uid)
  end
  redis.call('ZREM', KEYS[1], uid)
  redis.call('ZREM', KEYS[3], uid)
  if old then return 1 end
  return 0
end
`;

/**
 * KEYS: all, meta, seen, guard set. ARGV: skill key prefix, guarded ('1'/'0'),
 * user id, lng, lat, at (epoch ms), skill codes... Stores the position only
 * while the user is in the guard set (the duty set), atomically, so a report
 * racing with "off duty" cannot put them back; an older report than the one
 * stored is ignored. 1 when stored.
 */
const UPDATE = `${PRELUDE}
local uid = ARGV[3]
if ARGV[2] == '1' and redis.call('SISMEMBER', KEYS[4], uid) == 0 then return 0 end
local at = tonumber(ARGV[6])
local old = redis.call('HGET', KEYS[2], uid)
if old then
  local before = tonumber(string.sub(old, 1, string.find(old, '|', 1, true) - 1))
  if before and before > at then return 0 end
end
local codes = {}
for i = 7, #ARGV do codes[#codes + 1] = ARGV[i] end
redis.call('GEOADD', KEYS[1], ARGV[4], ARGV[5], uid)
retag(ARGV[1], uid, codesOf(old), codes, ARGV[4], ARGV[5])
redis.call('HSET', KEYS[2], uid, ARGV[6] .. '|' .. tagOf(codes))
redis.call('ZADD', KEYS[3], ARGV[6], uid)
return 1`;

/**
 * KEYS: all, meta. ARGV: skill key prefix, user id, skill codes... Changes the
 * skills of someone with a stored position, keeping the position and its time.
 * 1 when they had one.
 */
const SET_SKILLS = `${PRELUDE}
local uid = ARGV[2]
local old = redis.call('HGET', KEYS[2], uid)
if not old then return 0 end
local pos = redis.call('GEOPOS', KEYS[1], uid)[1]
if not pos then return 0 end
local codes = {}
for i = 3, #ARGV do codes[#codes + 1] = ARGV[i] end
retag(ARGV[1], uid, codesOf(old), codes, pos[1], pos[2])
redis.call('HSET', KEYS[2], uid, string.sub(old, 1, string.find(old, '|', 1, true)) .. tagOf(codes))
return 1`;

/** KEYS: all, meta, seen. ARGV: skill key prefix, user ids... Number removed. */
const REMOVE = `${PRELUDE}
local n = 0
for i = 2, #ARGV do n = n + removeOne(ARGV[i]) end
return n`;

/** KEYS: all, meta, seen. ARGV: skill key prefix, cutoff (epoch ms, exclusive), max. */
const PRUNE = `${PRELUDE}
local ids = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
for _, uid in ipairs(ids) do removeOne(uid) end
return #ids`;

/**
 * KEYS: all, meta. ARGV: skill key prefix, lng, lat, radius (m), limit, min
 * report time (epoch ms), start radius (m), number of skills, skills...,
 * excluded ids...
 *
 * Searches the smallest GEO set of a needed skill or pair of skills (every
 * volunteer when none is needed) in growing circles, nearest first; each candidate's report time
 * and skills come from the meta hash (HMGET in chunks) and are judged once.
 * Once a circle holds `limit` qualified volunteers they are the nearest ones
 * (everyone closer lies inside it), so the radius may grow by any factor: it
 * grows by what the density of qualified volunteers seen so far suggests.
 * Returns `id, distance, id, distance, ...`, nearest first.
 */
const NEAREST = `${PRELUDE}
local lng, lat = ARGV[2], ARGV[3]
local radius = tonumber(ARGV[4])
local limit = tonumber(ARGV[5])
local minAt = tonumber(ARGV[6])
local r = tonumber(ARGV[7])
local nSkills = tonumber(ARGV[8])
local skills = {}
for i = 1, nSkills do skills[i] = ',' .. ARGV[8 + i] .. ',' end
local excluded = {}
for i = 9 + nSkills, #ARGV do excluded[ARGV[i]] = true end
local needed = {}
for i = 1, nSkills do needed[i] = ARGV[8 + i] end
local source = KEYS[1]
local smallest = -1
for _, set in ipairs(setsOf(needed)) do
  local key = ARGV[1] .. set
  local size = redis.call('ZCARD', key)
  if size == 0 then return {} end
  if smallest < 0 or size < smallest then
    smallest = size
    source = key
  end
end
local verdict = {}
local function judge(meta)
  if not meta then return false end
  local sep = string.find(meta, '|', 1, true)
  local at = tonumber(string.sub(meta, 1, sep - 1))
  if not at or at < minAt then return false end
  for _, tag in ipairs(skills) do
    if not string.find(meta, tag, sep, true) then return false end
  end
  return true
end
while true do
  if r > radius then r = radius end
  local found = redis.call('GEOSEARCH', source, 'FROMLONLAT', lng, lat, 'BYRADIUS', r, 'm', 'ASC', 'WITHDIST')
  local out = {}
  -- Nearest first, in chunks: the metadata of candidates not judged in a smaller circle by one HMGET.
  for first = 1, #found, 64 do
    local last = math.min(first + 63, #found)
    local fresh = {}
    for i = first, last do
      local id = found[i][1]
      if verdict[id] == nil then
        if excluded[id] then verdict[id] = false else fresh[#fresh + 1] = id end
      end
    end
    if #fresh > 0 then
      local metas = redis.call('HMGET', KEYS[2], unpack(fresh))
      for i, id in ipairs(fresh) do verdict[id] = judge(metas[i]) end
    end
    for i = first, last do
      local item = found[i]
      if verdict[item[1]] then
        out[#out + 1] = item[1]
        out[#out + 1] = item[2]
        if #out >= 2 * limit then return out end
      end
    end
  end
  if r >= radius then return out end
  local hits = #out / 2
  -- Grow towards the circle that should hold enough, as the density seen so far says.
  if hits == 0 then
    r = r * 4
  else
    r = r * math.max(1.5, math.min(4, 1.25 * math.sqrt(limit / hits)))
  end
end`;

interface Script {
  lua: string;
  sha: string;
}

const script = (lua: string): Script => ({
  lua,
  sha: createHash('sha1').update(lua).digest('hex'),
});

const SCRIPTS = {
  update: script(UPDATE),
  setSkills: script(SET_SKILLS),
  remove: script(REMOVE),
  prune: script(PRUNE),
  nearest: script(NEAREST),
};

/** EVALSHA, and EVAL once when Redis does not know the script (restarted, flushed). */
async function run(
  redis: Redis,
  { lua, sha }: Script,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await redis.evalsha(sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
      return redis.eval(lua, keys.length, ...keys, ...args);
    }
    throw error;
  }
}

/** The script's arguments for a query (after KEYS). */
export function nearestArgs(
  skillPrefix: string,
  query: NearestVolunteersQuery,
  now: Date,
  startRadiusM = DEFAULT_START_RADIUS_M,
): string[] {
  checkPosition(query);
  if (!(query.radiusM > 0) || !Number.isFinite(query.radiusM)) {
    throw new RangeError('radiusM must be a positive number');
  }
  const limit = Math.min(Math.floor(query.limit), MAX_NEAREST_LIMIT);
  const skills = checkSkillCodes(query.skills);
  return [
    skillPrefix,
    String(query.lng),
    String(query.lat),
    String(query.radiusM),
    String(limit),
    String(now.getTime() - Math.max(0, query.maxAgeMs)),
    String(Math.min(Math.max(1, startRadiusM), query.radiusM)),
    String(skills.length),
    ...skills,
    ...(query.exclude ?? []).map(String),
  ];
}

/** The script's flat `id, distance, ...` reply as volunteers. */
export function parseNearest(reply: unknown): NearbyVolunteer[] {
  if (!Array.isArray(reply)) return [];
  const out: NearbyVolunteer[] = [];
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const userId = Number(reply[i]);
    const distanceM = Number(reply[i + 1]);
    if (Number.isInteger(userId) && Number.isFinite(distanceM)) out.push({ userId, distanceM });
  }
  return out;
}

export interface VolunteerLocatorOptions {
  /**
   * A Redis SET of user ids (the positions' duty set): a report is stored only
   * while its user is in it, so one racing with "off duty" cannot put them back.
   */
  dutySetKey?: string;
  /** First search radius in metres (default 250). */
  startRadiusM?: number;
}

/**
 * Where volunteers on duty are, by skill, in Redis GEO: the nearest qualified
 * volunteers in one round trip (one Lua script by EVALSHA).
 */
export class RedisVolunteerLocator implements VolunteerLocator {
  readonly keys: ReturnType<typeof volunteerLocatorKeys>;
  readonly #startRadiusM: number;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly options: VolunteerLocatorOptions = {},
  ) {
    this.keys = volunteerLocatorKeys(prefix);
    this.#startRadiusM = options.startRadiusM ?? DEFAULT_START_RADIUS_M;
  }

  /** Stores a report; false when the user is not in the duty set or a newer report is stored. */
  async update(
    volunteer: { userId: number; skills: readonly string[] },
    position: LatLng,
    at: Date,
  ): Promise<boolean> {
    checkPosition(position);
    const skills = checkSkillCodes(volunteer.skills);
    const { all, meta, seen, skillPrefix } = this.keys;
    const guard = this.options.dutySetKey;
    const stored = await run(
      this.redis,
      SCRIPTS.update,
      [all, meta, seen, guard ?? `${all}:unguarded`],
      [
        skillPrefix,
        guard ? '1' : '0',
        String(volunteer.userId),
        String(position.lng),
        String(position.lat),
        String(at.getTime()),
        ...skills,
      ],
    );
    return stored === 1;
  }

  /** New skills for someone with a stored position (kept where and when it was). */
  async setSkills(userId: number, skills: readonly string[]): Promise<boolean> {
    const { all, meta, skillPrefix } = this.keys;
    const changed = await run(
      this.redis,
      SCRIPTS.setSkills,
      [all, meta],
      [skillPrefix, String(userId), ...checkSkillCodes(skills)],
    );
    return changed === 1;
  }

  async remove(userId: number): Promise<void> {
    const { all, meta, seen, skillPrefix } = this.keys;
    await run(this.redis, SCRIPTS.remove, [all, meta, seen], [skillPrefix, String(userId)]);
  }

  /** Forgets positions reported before `before` (at most `max` per call); how many. */
  async prune(before: Date, max = 1_000): Promise<number> {
    const { all, meta, seen, skillPrefix } = this.keys;
    const removed = await run(
      this.redis,
      SCRIPTS.prune,
      [all, meta, seen],
      [skillPrefix, String(before.getTime()), String(max)],
    );
    return Number(removed);
  }

  async nearest(query: NearestVolunteersQuery, now: Date): Promise<NearbyVolunteer[]> {
    if (query.limit < 1) return [];
    const { all, meta, skillPrefix } = this.keys;
    const reply = await run(
      this.redis,
      SCRIPTS.nearest,
      [all, meta],
      nearestArgs(skillPrefix, query, now, this.#startRadiusM),
    );
    return parseNearest(reply);
  }
}
