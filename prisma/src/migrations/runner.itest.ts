import { createHash, randomBytes } from 'node:crypto';
import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { MIGRATIONS_DIR, listMigrations } from './layout.ts';
import { connect, dropDatabase, withDatabase } from './postgres.ts';
import { migrate } from './runner.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

/** The URL of a database that does not exist yet; dropped after the tests. */
function newDatabaseUrl(): string {
  const url = withDatabase(
    inject('templateDatabaseUrl'),
    `test_${process.pid}_${randomBytes(4).toString('hex')}`,
  );
  cleanups.push(() => dropDatabase(url));
  return url;
}

function copyOfMigrations(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gridline-migrations-'));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function query<T extends object>(url: string, sql: string): Promise<T[]> {
  const client = await connect(url);
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const names = listMigrations().map((m) => m.name);

describe('migrate', () => {
  it('creates the database, applies every migration, and applies nothing the second time', async () => {
    const url = newDatabaseUrl();

    expect(await migrate(url)).toEqual({ applied: names });
    expect(await migrate(url)).toEqual({ applied: [] });

    const rows = await query<{ migration_name: string; checksum: string; steps: number }>(
      url,
      `SELECT migration_name, checksum, applied_steps_count AS steps FROM _prisma_migrations
       WHERE finished_at IS NOT NULL ORDER BY migration_name`,
    );
    expect(rows).toEqual(
      listMigrations().map((m) => ({
        migration_name: m.name,
        checksum: createHash('sha256')
          .update(readFileSync(path.join(m.dir, 'migration.sql')))
          .digest('hex'),
        steps: 1,
      })),
    );
    const [tickets] = await query<{ exists: boolean }>(
      url,
      `SELECT to_regclass('public.tickets') IS NOT NULL AS exists`,
    );
    expect(tickets?.exists).toBe(true);
  });

  it('applies each migration once when two runners start at the same time', async () => {
    const url = newDatabaseUrl();

    const [first, second] = await Promise.all([migrate(url), migrate(url)]);

    expect([...(first?.applied ?? []), ...(second?.applied ?? [])].sort()).toEqual(names);
    const [count] = await query<{ n: number }>(
      url,
      'SELECT count(*)::int AS n FROM _prisma_migrations',
    );
    expect(count?.n).toBe(names.length);
  });

  it('refuses to run when an applied migration was edited', async () => {
    const url = newDatabaseUrl();
    const migrationsDir = copyOfMigrations();
    await migrate(url, { migrationsDir });
    const [first] = listMigrations(migrationsDir);
    if (!first) throw new Error('no migrations');

    appendFileSync(path.join(first.dir, 'migration.sql'), '\n-- edited\n');

    await expect(migrate(url, { migrationsDir })).rejects.toThrow(
      `Migration(s) ${first.name} changed after being applied`,
    );
  });

  // The BEGIN/COMMIT pair (Prisma writes one around enum changes) must not commit early.
  it('rolls a failing migration back completely and records nothing', async () => {
    const url = newDatabaseUrl();
    const migrationsDir = copyOfMigrations();
    const broken = path.join(migrationsDir, '29991231000000_broken');
    mkdirSync(broken);
    writeFileSync(
      path.join(broken, 'migration.sql'),
      'BEGIN;\nCREATE TABLE "probe" ("id" INTEGER);\nCOMMIT;\nSELECT no_such_function();\n',
    );

    await expect(migrate(url, { migrationsDir })).rejects.toThrow(
      /Migration 29991231000000_broken failed and was rolled back: .*no_such_function/,
    );
    const [state] = await query<{ probe: boolean; recorded: number }>(
      url,
      `SELECT to_regclass('public.probe') IS NOT NULL AS probe,
              (SELECT count(*)::int FROM _prisma_migrations WHERE migration_name LIKE '%broken') AS recorded`,
    );
    expect(state).toEqual({ probe: false, recorded: 0 });

    writeFileSync(path.join(broken, 'migration.sql'), 'CREATE TABLE "probe" ("id" INTEGER);\n');
    expect(await migrate(url, { migrationsDir })).toEqual({ applied: ['29991231000000_broken'] });
  });
});
