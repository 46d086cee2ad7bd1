import { createHash } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { Prisma, PrismaClient } from './generated/prisma/client.ts';

import { DEFAULTS } from '@gridline/core';

export const DEFAULT_DATABASE_URL = DEFAULTS.databaseUrl;

export function databaseUrl(): string {
  return process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
}

export interface PrismaOptions {
  url?: string;
  /** Pool size of the pg driver. */
  max?: number;
  /**
   * Connections the pool keeps open however long they stay idle (pg's default
   * closes every idle one after 10 s); `openConnections` opens them at once.
   */
  keepOpen?: number;
}

const PREPARED_MARK = /^\/\* prepared:([a-z0-9-]+) \*\//;

/**
 * Marks a constant SQL text to be prepared once per connection, so PostgreSQL
 * parses and plans it once instead of on every call (the intake statement took
 * about 1 ms to plan). Only for texts that never change: each is kept on every
 * pooled connection for its lifetime.
 */
export function preparedSql(name: string, sql: string): string {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`Bad prepared statement name "${name}"`);
  return `/* prepared:${name} */ ${sql}`;
}

const statementNames = new Map<string, string>();

/**
 * The pg driver's statement name for a query: none (unnamed, planned per call)
 * unless the text was made by `preparedSql`. The name carries a hash of the text,
 * so two different texts can never share a name on one connection.
 */
export function statementNameOf(sql: string): string {
  const known = statementNames.get(sql);
  if (known !== undefined) return known;
  const mark = PREPARED_MARK.exec(sql);
  if (!mark) return '';
  const name = `${mark[1]}-${createHash('sha1').update(sql).digest('hex').slice(0, 12)}`;
  statementNames.set(sql, name);
  return name;
}

/**
 * Whether a write failed on this unique constraint (SQLSTATE 23505), whether it ran
 * through Prisma (which wraps the driver's error) or on the pool directly.
 */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  if (error instanceof pg.DatabaseError) {
    return error.code === '23505' && error.constraint === constraint;
  }
  return (
    error instanceof Prisma.PrismaClientKnownRequestError &&
    error.message.includes('23505') &&
    error.message.includes(constraint)
  );
}

const pools = new WeakMap<PrismaClient, pg.Pool>();

/**
 * The pg pool under a client made by `createPrismaClient`. The intake's one
 * statement runs on it directly: through Prisma's raw-query layer each call cost
 * about 0.3 ms more CPU, on the path whose latency is the product.
 */
export function poolOf(prisma: PrismaClient): pg.Pool | undefined {
  return pools.get(prisma);
}

/**
 * A raw statement on the pool under the client when it has one (see `poolOf`),
 * else through Prisma. Not for a transaction's client: its statements must stay
 * on the transaction's connection.
 */
export async function rawQuery<Row>(
  prisma: PrismaClient,
  sql: string,
  ...values: unknown[]
): Promise<Row[]> {
  const pool = poolOf(prisma);
  if (!pool) return prisma.$queryRawUnsafe<Row[]>(sql, ...values);
  const result = await pool.query<Row & pg.QueryResultRow>({
    name: statementNameOf(sql) || undefined,
    text: sql,
    values: values.map(utcDateText),
  });
  return result.rows;
}

/**
 * A Date parameter as ISO 8601 text in UTC, the same instant pg would send.
 * pg formats a Date in the process's local time zone field by field, which
 * cost the intake about 20 µs per date (a ticket has four).
 */
function utcDateText(value: unknown): unknown {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : value;
}

/**
 * Opens the connections the pool keeps (`keepOpen`) now rather than on first
 * need. A server whose pool grew under load paid for each new connection (a
 * PostgreSQL backend started, and every prepared statement planned again on it)
 * while requests waited: the intake benchmark saw five opened within 50 ms after a stall.
 */
export async function openConnections(prisma: PrismaClient): Promise<void> {
  const pool = poolOf(prisma);
  if (!pool) return;
  const count = pool.options.min ?? 0;
  const opened = await Promise.allSettled(Array.from({ length: count }, () => pool.connect()));
  for (const result of opened) if (result.status === 'fulfilled') result.value.release();
  const failure = opened.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
}

export function createPrismaClient(options: PrismaOptions = {}): PrismaClient {
  const pool = new pg.Pool({
    connectionString: options.url ?? databaseUrl(),
    max: options.max ?? 10,
    min: options.keepOpen ?? 0,
  });
  // A connection that breaks while idle is dropped by the pool; the next query takes another.
  pool.on('error', () => {});
  const adapter = new PrismaPg(pool, {
    statementNameGenerator: (query) => statementNameOf(query.sql),
    disposeExternalPool: true,
  });
  const prisma = new PrismaClient({ adapter });
  pools.set(prisma, pool);
  return prisma;
}
