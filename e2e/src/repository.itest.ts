import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;

describe('the repository', () => {
  it('has a docker-compose.yml that docker-compose accepts, with the services and Redis settings we rely on', async () => {
    const { stdout } = await run('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
      cwd: ROOT,
    });
    for (const service of ['postgres:', 'redis:', 'server:', 'workers:'])
      expect(stdout).toContain(service);
    expect(stdout).toMatch(/--hz\s*\n?\s*-?\s*'?100/);
    expect(stdout).toContain('noeviction');
    expect(stdout.match(/healthcheck:/g)?.length).toBe(4);
  });

  it('enforces who may import whom', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const lint = async (file: string, code: string) => {
      const [result] = await eslint.lintText(code, { filePath: `${ROOT}${file}` });
      return result!.messages.filter((message) => message.ruleId === 'no-restricted-imports')
        .length;
    };
    expect(
      await lint(
        'core/src/x.ts',
        "import { createPrismaClient } from '@gridline/db';\nexport const x = createPrismaClient;\n",
      ),
    ).toBe(1);
    expect(
      await lint(
        'core/src/x.ts',
        "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
      ),
    ).toBe(1);
    expect(
      await lint(
        'workers/src/x.ts',
        "import { loadConfig } from '@gridline/server';\nexport const x = loadConfig;\n",
      ),
    ).toBe(1);
    expect(
      await lint(
        'workers/src/x.ts',
        "import { loadConfig } from '../../server/src/config.ts';\nexport const x = loadConfig;\n",
      ),
    ).toBe(1);
    expect(
      await lint(
        'web/src/lib/x.ts',
        "import { createPrismaClient } from '@gridline/db';\nexport const x = createPrismaClient;\n",
      ),
    ).toBe(1);
    expect(
      await lint(
        'server/src/x.ts',
        "import { createPrismaClient } from '@gridline/db';\nexport const x = createPrismaClient;\n",
      ),
    ).toBe(0);
  });

  it('npm run demo names the service that does not answer and exits non-zero without a stack trace', async () => {
    const failure = await run('npx', ['tsx', '--conditions=source', 'scripts/demo.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: 'postgresql://postgres@127.0.0.1:5499/gridline',
        REDIS_URL: 'redis://127.0.0.1:6599',
      },
      timeout: 30_000,
    }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).not.toBeNull();
    expect(failure!.code).toBe(1);
    expect(failure!.stderr).toContain(
      'PostgreSQL does not answer at postgresql://postgres@127.0.0.1:5499/gridline',
    );
    expect(failure!.stderr).toContain('Redis does not answer at redis://127.0.0.1:6599');
    expect(failure!.stderr).toContain('docker compose up -d postgres redis');
    expect(failure!.stderr).not.toMatch(/^\s+at /m);
  });
});
