import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { MIGRATIONS_DIR, MIGRATION_FILE, listMigrations } from './layout.ts';
import { connect, createDatabase, errorCode } from './postgres.ts';

/** The key `prisma migrate` locks with, so that this runner and Prisma's exclude each other. */
const PRISMA_ADVISORY_LOCK_KEY = 72707369;

// Exactly the table `prisma migrate deploy` creates.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export interface MigrateOptions {
  migrationsDir?: string;
}

/**
 * Applies the migrations not yet recorded in `_prisma_migrations`, oldest first, each in its
 * own transaction. Creates the database when it does not exist.
 */
export async function migrate(
  databaseUrl: string,
  options: MigrateOptions = {},
): Promise<{ applied: string[] }> {
  const migrations = listMigrations(options.migrationsDir ?? MIGRATIONS_DIR).map((folder) => {
    const sql = readFileSync(path.join(folder.dir, MIGRATION_FILE));
    return { name: folder.name, sql: sql.toString('utf8'), checksum: sha256(sql) };
  });

  const client = await connectCreatingDatabase(databaseUrl);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const { rows } = await client.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
    }>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations"
       WHERE rolled_back_at IS NULL`,
    );

    const failed = rows.filter((row) => row.finished_at === null).map((row) => row.migration_name);
    if (failed.length > 0) {
      throw new MigrationError(
        `Migration(s) ${failed.join(', ')} failed earlier and were left half-applied. ` +
          'Fix the database by hand, then mark them rolled back (`prisma migrate resolve --rolled-back`).',
      );
    }
    const recorded = new Map(rows.map((row) => [row.migration_name, row.checksum]));
    const edited = migrations.filter(
      (m) => recorded.has(m.name) && recorded.get(m.name) !== m.checksum,
    );
    if (edited.length > 0) {
      throw new MigrationError(
        `Migration(s) ${edited.map((m) => m.name).join(', ')} changed after being applied ` +
          '(checksum differs from _prisma_migrations). Restore the applied version and put ' +
          'the change in a new migration.',
      );
    }

    const applied: string[] = [];
    for (const migration of migrations.filter((m) => !recorded.has(m.name))) {
      await applyMigration(client, migration);
      applied.push(migration.name);
    }
    return { applied };
  } finally {
    // Closing the session also releases the advisory lock.
    await client.end();
  }
}

async function applyMigration(
  client: pg.Client,
  migration: { name: string; sql: string; checksum: string },
): Promise<void> {
  const startedAt = new Date();
  await client.query('BEGIN');
  try {
    await client.query(withoutTransactionControl(migration.sql));
    await client.query(
      `INSERT INTO "_prisma_migrations"
         (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, $4, clock_timestamp(), 1)`,
      [randomUUID(), migration.checksum, migration.name, startedAt],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {}); // the original error matters more
    const message = error instanceof Error ? error.message : String(error);
    throw new MigrationError(`Migration ${migration.name} failed and was rolled back: ${message}`, {
      cause: error,
    });
  }
}

// Prisma writes `BEGIN;` ... `COMMIT;` around some steps (enum changes). Inside our own
// transaction that COMMIT would end it early, so those lines are dropped.
function withoutTransactionControl(sql: string): string {
  return sql.replace(/^[ \t]*(BEGIN|COMMIT)[ \t]*;[ \t]*$/gim, '');
}

async function connectCreatingDatabase(url: string): Promise<pg.Client> {
  try {
    return await connect(url);
  } catch (error) {
    if (errorCode(error) !== '3D000') throw error; // invalid_catalog_name: no such database
  }
  try {
    await createDatabase(url);
  } catch (error) {
    // Another process migrating at the same time created it first.
    if (errorCode(error) !== '42P04' && errorCode(error) !== '23505') throw error;
  }
  return connect(url);
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
