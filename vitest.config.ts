import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources (the "source" export condition).
const sourceCondition = {
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
};

export default defineConfig({
  ...sourceCondition,
  test: {
    projects: [
      {
        ...sourceCondition,
        test: {
          name: 'unit',
          include: [
            '{core,prisma,server,workers,load-tests,web}/src/**/*.test.ts',
            'scripts/**/*.test.ts',
          ],
          environment: 'node',
        },
      },
      {
        ...sourceCondition,
        test: {
          name: 'integration',
          include: ['{prisma,server,workers,load-tests,e2e}/src/**/*.itest.ts'],
          environment: 'node',
          globalSetup: [
            'prisma/src/testing/global-setup.ts',
            'prisma/src/testing/city-template-setup.ts',
          ],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Each server opens its whole pool at start; two files at once, each with a few
          // servers, must stay well inside PostgreSQL's 100 connections.
          env: { DATABASE_POOL_SIZE: '4' },
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
      {
        ...sourceCondition,
        test: {
          name: 'browser',
          include: ['e2e/src/**/*.browser.ts'],
          environment: 'node',
          globalSetup: [
            'prisma/src/testing/global-setup.ts',
            'prisma/src/testing/city-template-setup.ts',
          ],
          testTimeout: 90_000,
          hookTimeout: 180_000,
          env: { DATABASE_POOL_SIZE: '4' },
          fileParallelism: false,
        },
      },
    ],
  },
});
