import { randomBytes } from 'node:crypto';
import type {} from 'vitest'; // makes 'vitest' resolvable for the augmentation below
import type { TestProject } from 'vitest/node';
import {
  createDatabase,
  databaseUrl,
  dropDatabase,
  quoteIdent,
  withAdminClient,
  withDatabase,
} from '../migrations/postgres.ts';
import { migrate } from '../migrations/runner.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The database built from prisma/migrations; clone it with createTestDatabase. */
    templateDatabaseUrl: string;
  }
}

export const TEMPLATE_DATABASE = 'gridline_test_tpl';

/** Rebuilds the template database from the migrations once per test run. */
export default async function setup(project: TestProject): Promise<void> {
  const templateUrl = withDatabase(databaseUrl(), TEMPLATE_DATABASE);
  // Built under another name and renamed at the end, so that a test run going on at the
  // same time (another engineer's) sees the old template or the new one, never a half-built one.
  const buildName = `${TEMPLATE_DATABASE}_build_${randomBytes(4).toString('hex')}`;
  const buildUrl = withDatabase(templateUrl, buildName);
  await createDatabase(buildUrl);
  try {
    await migrate(buildUrl);
    await withAdminClient(templateUrl, async (client) => {
      // CREATE DATABASE ... TEMPLATE fails while anyone is connected to the template;
      // this keeps everyone (and autovacuum) out.
      await client.query(`ALTER DATABASE ${quoteIdent(buildName)} ALLOW_CONNECTIONS false`);
      // One swap at a time; ending the session releases the lock.
      await client.query(`SELECT pg_advisory_lock(hashtext($1))`, [TEMPLATE_DATABASE]);
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(TEMPLATE_DATABASE)} WITH (FORCE)`);
      await client.query(
        `ALTER DATABASE ${quoteIdent(buildName)} RENAME TO ${quoteIdent(TEMPLATE_DATABASE)}`,
      );
    });
  } catch (error) {
    await dropDatabase(buildUrl).catch(() => {});
    throw error;
  }
  project.provide('templateDatabaseUrl', templateUrl);
}
