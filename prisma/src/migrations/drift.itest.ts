import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, expect, inject, it } from 'vitest';
import { createTestDatabase } from '../testing/test-database.ts';
import { readSchemaFiles } from './layout.ts';
import { connect, createDatabase, dropDatabase, withDatabase } from './postgres.ts';
import { diffSchemas } from './schema-engine.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

async function schemaDump(url: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    'pg_dump',
    ['--schema-only', '--no-owner', '--dbname', url],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const lines = stdout
    .split('\n')
    .filter((line) => !/^(--|SET |SELECT pg_catalog\.set_config|\\(un)?restrict )/.test(line));
  return lines
    .join('\n')
    .split(/\n{2,}/)
    .map((block) => block.trim())
    .filter((block) => block !== '' && !block.includes('_prisma_migrations'))
    .join('\n\n');
}

it('the migrations build exactly the database that prisma/schema describes', async () => {
  // From the migrations: the template the global setup built from prisma/migrations.
  const fromMigrations = await createTestDatabase(inject('templateDatabaseUrl'));
  cleanups.push(fromMigrations.drop);

  // From the schema: an empty database given the engine's empty-to-schema SQL.
  const fromSchemaUrl = withDatabase(
    fromMigrations.url,
    `test_${process.pid}_${randomBytes(4).toString('hex')}`,
  );
  await createDatabase(fromSchemaUrl);
  cleanups.push(() => dropDatabase(fromSchemaUrl));
  const client = await connect(fromSchemaUrl);
  try {
    await client.query(await diffSchemas('empty', readSchemaFiles()));
  } finally {
    await client.end();
  }

  const [migrated, expected] = await Promise.all([
    schemaDump(fromMigrations.url),
    schemaDump(fromSchemaUrl),
  ]);
  expect(
    migrated,
    'prisma/migrations and prisma/schema disagree (- schema, + migrations). ' +
      'Run `npm run db:migration:new -- <name>` after changing the schema.',
  ).toBe(expected);
});
