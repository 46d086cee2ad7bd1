import { randomBytes } from 'node:crypto';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  createDatabase,
  dropDatabase,
  quoteIdent,
  withAdminClient,
  withDatabase,
} from '../migrations/postgres.ts';
import { TEMPLATE_DATABASE } from './global-setup.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The migrated template with the demo city seeded; clone it with createTestDatabase. */
    cityTemplateDatabaseUrl: string;
  }
}

export const CITY_TEMPLATE_DATABASE = 'gridline_test_city';
const SEED_CLI = new URL('../cli/seed.ts', import.meta.url).pathname;

/** Seeds the demo city once per run into a second template, so each test file clones a ready city in ~0.2 s. */
export default async function setup(project: TestProject): Promise<void> {
  const templateUrl = withDatabase(
    project.getProvidedContext().templateDatabaseUrl,
    TEMPLATE_DATABASE,
  );
  const buildName = `${CITY_TEMPLATE_DATABASE}_build_${randomBytes(4).toString('hex')}`;
  const buildUrl = withDatabase(templateUrl, buildName);
  const cityUrl = withDatabase(templateUrl, CITY_TEMPLATE_DATABASE);
  await createDatabase(buildUrl, { template: TEMPLATE_DATABASE });
  try {
    // Vitest's global setup does not resolve workspace packages to their sources,
    // so the seed runs as its CLI, as a user would run it.
    await promisify(execFile)('npx', ['tsx', '--conditions=source', SEED_CLI], {
      env: { ...process.env, DATABASE_URL: buildUrl },
    });
    await withAdminClient(templateUrl, async (client) => {
      await client.query(`ALTER DATABASE ${quoteIdent(buildName)} ALLOW_CONNECTIONS false`);
      await client.query(`SELECT pg_advisory_lock(hashtext($1))`, [CITY_TEMPLATE_DATABASE]);
      await client.query(
        `DROP DATABASE IF EXISTS ${quoteIdent(CITY_TEMPLATE_DATABASE)} WITH (FORCE)`,
      );
      await client.query(
        `ALTER DATABASE ${quoteIdent(buildName)} RENAME TO ${quoteIdent(CITY_TEMPLATE_DATABASE)}`,
      );
    });
  } catch (error) {
    await dropDatabase(buildUrl).catch(() => {});
    throw error;
  }
  project.provide('cityTemplateDatabaseUrl', cityUrl);
}
