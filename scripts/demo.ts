/**
 * `npm run demo`: prepare the database, seed the demo city when empty, build
 * the web app when missing, then run server and workers until Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseCommonEnv, positiveNumberEnv, DEFAULTS } from '@gridline/core';
import {
  createPrismaClient,
  DEMO_ACCOUNTS,
  DEMO_PASSWORD,
  isSeeded,
  migrate,
  seedDemoCity,
} from '@gridline/db';
import { checkServices } from './preflight.ts';

const env = parseCommonEnv(process.env);
const port = positiveNumberEnv('PORT', process.env.PORT, DEFAULTS.port);

function run(command: string, args: string[], extraEnv: Record<string, string> = {}): ChildProcess {
  return spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...extraEnv } });
}

function runToEnd(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    run(command, args).on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`)),
    );
  });
}

async function main(): Promise<void> {
  const problems = await checkServices(env.databaseUrl, env.redisUrl);
  if (problems.length > 0) {
    for (const problem of problems) console.error(`✖ ${problem}`);
    process.exit(1);
  }
  const { applied } = await migrate(env.databaseUrl);
  if (applied.length > 0) console.log(`Applied migrations: ${applied.join(', ')}`);

  const prisma = createPrismaClient({ url: env.databaseUrl });
  try {
    if (!(await isSeeded(prisma))) {
      console.log('Seeding the Anshan demo city…');
      const started = Date.now();
      await seedDemoCity(prisma);
      console.log(`Seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  } finally {
    await prisma.$disconnect();
  }

  if (!existsSync('web/build/handler.js')) {
    console.log('Building the web app…');
    await runToEnd('npm', ['run', 'build', '-w', '@gridline/web']);
  }

  const tsx = ['--conditions=source'];
  const children = [
    run('npx', ['tsx', ...tsx, 'server/src/main.ts'], { PORT: String(port) }),
    run('npx', ['tsx', ...tsx, 'workers/src/main.ts']),
  ];
  console.log(`
Gridline (网格通) demo is starting on http://localhost:${port}
  TIME_SCALE=${env.timeScale}  (set TIME_SCALE=60 to watch deadlines pass 60x faster)
Demo accounts (password ${DEMO_PASSWORD}):
${DEMO_ACCOUNTS.map((account) => `  ${account.username.padEnd(11)} ${account.description.zh} / ${account.description.en}`).join('\n')}
Open http://localhost:${port}/dispatch and sign in as "dispatcher". Ctrl-C stops everything.
`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const child of children) child.kill('SIGTERM');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  for (const child of children) {
    child.on('exit', (code) => {
      if (!stopping) {
        console.error(`A Gridline process exited (${code}); stopping the demo.`);
        stop();
        process.exitCode = 1;
      }
    });
  }
}

main().catch((error: unknown) => {
  console.error(`✖ ${(error as Error).message}`);
  process.exit(1);
});
