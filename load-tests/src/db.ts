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
  const sessions = await pool.query('DELETE FROM sessions WHERE user_agent = $1', [BENCH_AGENT]);
  const client = await pool.connect();
  const like = `${BENCH_ADDRESS}%`;
  try {
    await client.query('BEGIN');
    await client.query(
      'DELETE FROM ticket_events WHERE ticket_id IN (SELECT id FROM tickets WHERE address LIKE $1)',
      [like],
    );
    const tickets = await client.query('DELETE FROM tickets WHERE address LIKE $1', [like]);
    await client.query('COMMIT');
    return { sessions: sessions.rowCount ?? 0, tickets: tickets.rowCount ?? 0, closed: 0 };
  } catch {
    await client.query('ROLLBACK');
    const closed = await client.query(
      `UPDATE tickets SET status = 'CLOSED', closed_at = now(), updated_at = now()
       WHERE address LIKE $1 AND status <> 'CLOSED'`,
      [like],
    );
    return { sessions: sessions.rowCount ?? 0, tickets: 0, closed: closed.rowCount ?? 0 };
  } finally {
    client.release();
  }
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

export async function deleteSessions(pool: pg.Pool): Promise<void> {
  await pool.query('DELETE FROM sessions WHERE user_agent = $1', [BENCH_AGENT]);
}

export async function serverVersions(
  pool: pg.Pool,
): Promise<{ postgres: string | null; synchronousCommit: string | null }> {
  const { rows } = await pool.query<{ version: string; sync: string }>(
    `SELECT current_setting('server_version') AS version, current_setting('synchronous_commit') AS sync`,
  );
  return { postgres: rows[0]?.version ?? null, synchronousCommit: rows[0]?.sync ?? null };
}
