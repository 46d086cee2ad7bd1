/** The benchmark's database work: preparing `gridline_bench`, reading the city, minting sessions. */
import { createHmac, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { GridIndex, type IndexedGrid } from '@gridline/core';
import { createPrismaClient, isSeeded, migrate, seedDemoCity } from '@gridline/db';
import { toAreaGeometry } from './lookup-bench.ts';

/** `user_agent` of the sessions the benchmark creates, so that it can remove them again. */
export const BENCH_AGENT = 'gridline-bench';
/** Every benchmark ticket's address starts with this, so leftovers can be found. */
export const BENCH_ADDRESS = 'gridline-bench';
const SESSION_TTL_HOURS = 3;

export async function prepareDatabase(
  url: string,
): Promise<{ applied: string[]; seededSeconds: number | null }> {
  const { applied } = await migrate(url);
  const prisma = createPrismaClient({ url, max: 4 });
  try {
    if (await isSeeded(prisma)) return { applied, seededSeconds: null };
    const started = Date.now();
    await seedDemoCity(prisma);
    return { applied, seededSeconds: (Date.now() - started) / 1000 };
  } finally {
    await prisma.$disconnect();
  }
}

/**
 * Removes what earlier runs left: their sessions, and their tickets with
 * their events (else the workers' reconciler would re-arm their timers and
 * the database would grow run by run). Tickets something else now refers to
 * are closed instead.
 */
export async function removeLeftovers(
  pool: pg.Pool,
): Promise<{ sessions: number; tickets: number; closed: number }> {
  const sessions = await pool.query('DELETE FROM sessions WHERE user_agent LIKE $1', [
    `${BENCH_AGENT}%`,
  ]);
  const removed = await deleteTicketsWhere(pool, 'address LIKE $1', [`${BENCH_ADDRESS}%`]);
  return { sessions: sessions.rowCount ?? 0, ...removed };
}

/** Deletes the tickets (and their events) with this address and ids in [minId, maxId]. */
export function deleteTickets(
  pool: pg.Pool,
  address: string,
  minId: number,
  maxId: number,
): Promise<{ tickets: number; closed: number }> {
  return deleteTicketsWhere(pool, 'address = $1 AND id BETWEEN $2 AND $3', [address, minId, maxId]);
}

/**
 * Deletes tickets and their events in one transaction. Two foreign keys into
 * `tickets` have no index (tickets.duplicate_of_id, tasks.ticket_id), so
 * PostgreSQL seq-scans both tables once per deleted ticket: 11,000 deletes
 * among 24,000 tickets take ~30 s, 100,000 would take most of an hour. The
 * transaction creates both indexes first and drops them before it commits, so
 * the schema is unchanged afterwards. When that fails (not the tables'
 * owner), or something refers to the tickets, they are closed instead.
 * `condition` is SQL of our own (no input), with its values in `params`.
 */
async function deleteTicketsWhere(
  pool: pg.Pool,
  condition: string,
  params: unknown[],
): Promise<{ tickets: number; closed: number }> {
  const client = await pool.connect();
  const suffix = randomBytes(4).toString('hex');
  try {
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL lock_timeout = '10s'`);
      await client.query(`CREATE INDEX bench_tmp_dup_${suffix} ON tickets (duplicate_of_id)`);
      await client.query(`CREATE INDEX bench_tmp_task_${suffix} ON tasks (ticket_id)`);
      await client.query(
        `DELETE FROM ticket_events WHERE ticket_id IN (SELECT id FROM tickets WHERE ${condition})`,
        params,
      );
      const tickets = await client.query(`DELETE FROM tickets WHERE ${condition}`, params);
      await client.query(`DROP INDEX bench_tmp_dup_${suffix}`);
      await client.query(`DROP INDEX bench_tmp_task_${suffix}`);
      await client.query('COMMIT');
      return { tickets: tickets.rowCount ?? 0, closed: 0 };
    } catch {
      await client.query('ROLLBACK');
    }
    const closed = await client.query(
      `UPDATE tickets SET status = 'CLOSED', closed_at = now(), updated_at = now()
       WHERE ${condition} AND status <> 'CLOSED'`,
      params,
    );
    return { tickets: 0, closed: closed.rowCount ?? 0 };
  } finally {
    client.release();
  }
}

/**
 * A city's history: `count` closed tickets of every category over the past
 * 30 days, spread over every grid, so that the intake runs against a table
 * of realistic size (and statistics that say so) instead of an empty one.
 * Removed with the rest of the benchmark's tickets (same address prefix).
 */
export async function insertHistory(pool: pg.Pool, count: number, runTag: string): Promise<number> {
  if (count <= 0) return 0;
  const { rowCount } = await pool.query(
    `WITH grid AS (
       SELECT row_number() OVER (ORDER BY g.id) - 1 AS k, g.id, g.centroid_lat AS lat,
              g.centroid_lng AS lng, c.id AS community_id, s.id AS street_id, d.id AS district_id
         FROM regions g
         JOIN regions c ON c.id = g.parent_id
         JOIN regions s ON s.id = c.parent_id
         JOIN regions d ON d.id = s.parent_id
        WHERE g.level = 'GRID' AND g.centroid_lat IS NOT NULL
     ), grids AS (SELECT count(*) AS n FROM grid),
     category AS (SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM categories),
     categories AS (SELECT count(*) AS n FROM category)
     INSERT INTO tickets (code, tracking_token_hash, channel, category_id, priority, status,
       description, address, lat, lng, grid_id, community_id, street_id, district_id,
       accept_by, resolve_by, accepted_at, resolved_at, closed_at, created_at, updated_at)
     SELECT $1 || '-' || i, md5($1 || '-' || i), 'WEB', category.id, 'NORMAL', 'CLOSED',
       'Benchmark history', $2,
       grid.lat + (random() - 0.5) * 0.004, grid.lng + (random() - 0.5) * 0.004,
       grid.id, grid.community_id, grid.street_id, grid.district_id,
       at + interval '30 minutes', at + interval '1 day', at + interval '10 minutes',
       at + interval '5 hours', at + interval '3 days', at, at + interval '3 days'
     FROM generate_series(0, $3::int - 1) AS i
     CROSS JOIN grids CROSS JOIN categories
     JOIN grid ON grid.k = (i * 7919) % grids.n
     JOIN category ON category.k = i % categories.n
     CROSS JOIN LATERAL (SELECT now() - random() * interval '30 days' AS at) AS t`,
    [`${runTag}-h`, `${BENCH_ADDRESS} history`, count],
  );
  return rowCount ?? 0;
}

export interface BulkTickets {
  count: number;
  /** The tickets' address; starts with BENCH_ADDRESS. */
  address: string;
  /** Unique per run and batch: codes are `<codePrefix>-<n>`. */
  codePrefix: string;
  /** Ticket n goes to grid gridIds[n mod length], assigned to that grid's member. */
  gridIds: readonly number[];
  /** Ticket n's accept_by is firstMs + n * stepMs (epoch ms, rounded to ms by the column). */
  acceptBy: { firstMs: number; stepMs: number };
}

/**
 * Inserts tickets awaiting acceptance (ASSIGNED, version 1, level 0, category
 * NOISE at NORMAL priority, resolve-by in 7 days) with one INSERT ... SELECT
 * over generate_series: the grid's centroid and region chain, its member as
 * assignee. Returns the id range; the ids are contiguous unless other writers
 * insert at the same time, so callers select by address and range.
 */
export async function insertTickets(
  pool: pg.Pool,
  spec: BulkTickets,
): Promise<{ count: number; minId: number; maxId: number }> {
  if (spec.count <= 0 || spec.gridIds.length === 0) return { count: 0, minId: 0, maxId: -1 };
  const { rows } = await pool.query<{
    count: number;
    min_id: number | null;
    max_id: number | null;
  }>(
    `WITH picked AS (
       SELECT row_number() OVER (ORDER BY p.ord) - 1 AS k, g.id AS grid_id,
              g.centroid_lat AS lat, g.centroid_lng AS lng, c.id AS community_id,
              s.id AS street_id, d.id AS district_id, ga.member_id
         FROM unnest($1::int[]) WITH ORDINALITY AS p(grid_id, ord)
         JOIN regions g ON g.id = p.grid_id AND g.centroid_lat IS NOT NULL
         JOIN grid_assignments ga ON ga.grid_id = g.id
         LEFT JOIN regions c ON c.id = g.parent_id
         LEFT JOIN regions s ON s.id = c.parent_id
         LEFT JOIN regions d ON d.id = s.parent_id
     ), n AS (SELECT count(*) AS grids FROM picked),
     category AS (SELECT id FROM categories WHERE code = 'NOISE'),
     inserted AS (
       INSERT INTO tickets (code, tracking_token_hash, channel, category_id, priority, status,
         description, address, lat, lng, grid_id, community_id, street_id, district_id,
         assignee_id, accept_by, resolve_by, created_at, updated_at)
       SELECT $2 || '-' || i, md5($2 || '-' || i), 'HOTLINE', category.id, 'NORMAL', 'ASSIGNED',
         'Benchmark ticket: loud music at night', $3, picked.lat, picked.lng, picked.grid_id,
         picked.community_id, picked.street_id, picked.district_id, picked.member_id,
         to_timestamp(($4::float8 + i * $5::float8) / 1000), now() + interval '7 days', now(), now()
       FROM generate_series(0, $6::int - 1) AS i
       CROSS JOIN n
       JOIN picked ON picked.k = i % n.grids
       CROSS JOIN category
       RETURNING id
     )
     SELECT count(*)::int AS count, min(id) AS min_id, max(id) AS max_id FROM inserted`,
    [
      spec.gridIds,
      spec.codePrefix,
      spec.address,
      spec.acceptBy.firstMs,
      spec.acceptBy.stepMs,
      spec.count,
    ],
  );
  const row = rows[0];
  if (!row || row.count === 0 || row.min_id === null || row.max_id === null)
    throw new Error('no tickets inserted (no grid with a member, or no NOISE category)');
  return { count: row.count, minId: row.min_id, maxId: row.max_id };
}

/** Every grid's boundary, for the lookup benchmark and to check the centroids route home. */
export async function loadGrids(pool: pg.Pool): Promise<IndexedGrid[]> {
  const { rows } = await pool.query<{ id: number; boundary: unknown }>(
    `SELECT id, boundary FROM regions WHERE level = 'GRID' AND boundary IS NOT NULL ORDER BY id`,
  );
  const grids: IndexedGrid[] = [];
  for (const row of rows) {
    const boundary = toAreaGeometry(row.boundary);
    if (boundary) grids.push({ id: row.id, boundary });
  }
  return grids;
}

export interface MemberGrid {
  userId: number;
  gridId: number;
  lat: number;
  lng: number;
}

/** Grids whose responsible grid member is on duty (so a ticket there is assigned to that member), by member id. */
export async function loadOnDutyMembers(pool: pg.Pool): Promise<MemberGrid[]> {
  const { rows } = await pool.query<{ user_id: number; grid_id: number; lat: number; lng: number }>(
    `SELECT u.id AS user_id, ga.grid_id, r.centroid_lat AS lat, r.centroid_lng AS lng
       FROM grid_assignments ga
       JOIN users u ON u.id = ga.member_id
       JOIN regions r ON r.id = ga.grid_id
      WHERE u.role = 'GRID_MEMBER' AND u.active AND u.on_duty
        AND r.centroid_lat IS NOT NULL AND r.centroid_lng IS NOT NULL
      ORDER BY u.id, ga.grid_id`,
  );
  return rows.map((row) => ({
    userId: row.user_id,
    gridId: row.grid_id,
    lat: row.lat,
    lng: row.lng,
  }));
}

/** The member grids whose centroid the server will route to that very grid (so the ticket goes to that member). */
export function routedHome(
  members: readonly MemberGrid[],
  grids: readonly IndexedGrid[],
): MemberGrid[] {
  const index = new GridIndex(grids);
  return members.filter((member) => index.gridAt(member) === member.gridId);
}

/** The session id the server stores for a raw cookie token (server/src/auth/session-repository.ts). */
export function sessionIdOf(token: string, secret: string): string {
  return createHmac('sha256', secret).update(token).digest('hex');
}

/**
 * One session per grid member, written in one INSERT ... SELECT from `users`
 * instead of thousands of argon2 logins. Returns the raw token per user id.
 */
export async function createSessions(
  pool: pg.Pool,
  secret: string,
  userIds: readonly number[],
): Promise<Map<number, string>> {
  const tokens = new Map<number, string>();
  for (const userId of userIds) tokens.set(userId, randomBytes(24).toString('base64url'));
  const ids = [...tokens.keys()];
  const sessionIds = ids.map((userId) => sessionIdOf(tokens.get(userId)!, secret));
  const result = await pool.query<{ user_id: number }>(
    `INSERT INTO sessions (id, user_id, expires_at, user_agent)
     SELECT t.session_id, u.id, now() + make_interval(hours => $3), $4
       FROM users u
       JOIN unnest($1::int[], $2::text[]) AS t(user_id, session_id) ON t.user_id = u.id
      WHERE u.role = 'GRID_MEMBER' AND u.active
     RETURNING user_id`,
    [ids, sessionIds, SESSION_TTL_HOURS, BENCH_AGENT],
  );
  const created = new Set(result.rows.map((row) => row.user_id));
  for (const userId of ids) if (!created.has(userId)) tokens.delete(userId);
  return tokens;
}

/**
 * `perUser` sessions of each user, as if signed in on that many devices, for
 * clients that act as the same user at once. Returns the raw tokens per user id.
 */
export async function createSessionsPerUser(
  pool: pg.Pool,
  secret: string,
  userIds: readonly number[],
  perUser: number,
  agent: string,
): Promise<Map<number, string[]>> {
  const tokens = new Map<number, string[]>();
  for (const userId of new Set(userIds)) {
    tokens.set(
      userId,
      Array.from({ length: perUser }, () => randomBytes(24).toString('base64url')),
    );
  }
  const owners: number[] = [];
  const sessionIds: string[] = [];
  for (const [userId, list] of tokens) {
    for (const token of list) {
      owners.push(userId);
      sessionIds.push(sessionIdOf(token, secret));
    }
  }
  const result = await pool.query<{ user_id: number }>(
    `INSERT INTO sessions (id, user_id, expires_at, user_agent)
     SELECT t.session_id, u.id, now() + make_interval(hours => $3), $4
       FROM unnest($1::int[], $2::text[]) AS t(user_id, session_id)
       JOIN users u ON u.id = t.user_id
      WHERE u.active
     RETURNING user_id`,
    [owners, sessionIds, SESSION_TTL_HOURS, agent],
  );
  const created = new Set(result.rows.map((row) => row.user_id));
  for (const userId of [...tokens.keys()]) if (!created.has(userId)) tokens.delete(userId);
  return tokens;
}

export async function deleteSessions(pool: pg.Pool, agent = BENCH_AGENT): Promise<number> {
  const result = await pool.query('DELETE FROM sessions WHERE user_agent = $1', [agent]);
  return result.rowCount ?? 0;
}

export async function serverVersions(pool: pg.Pool): Promise<{
  postgres: string | null;
  synchronousCommit: string | null;
  autovacuum: string | null;
}> {
  const { rows } = await pool.query<{ version: string; sync: string; autovacuum: string }>(
    `SELECT current_setting('server_version') AS version, current_setting('synchronous_commit') AS sync,
            current_setting('autovacuum') AS autovacuum`,
  );
  return {
    postgres: rows[0]?.version ?? null,
    synchronousCommit: rows[0]?.sync ?? null,
    autovacuum: rows[0]?.autovacuum ?? null,
  };
}

/**
 * VACUUM (ANALYZE) of the tables the bench fills and empties in bulk, so
 * that its dead rows do not slow the next part (or run) down; with
 * autovacuum off nothing else would. Returns the seconds it took, or null
 * when it failed (not the tables' owner).
 */
export async function vacuumChurned(pool: pg.Pool): Promise<number | null> {
  const started = performance.now();
  try {
    await pool.query('VACUUM (ANALYZE) tickets, ticket_events, sessions');
    return (performance.now() - started) / 1000;
  } catch {
    return null;
  }
}
