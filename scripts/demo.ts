/**
 * `npm run demo`: prepare the database, seed the demo city when empty, build
 * the web app when missing, then run server and workers until Ctrl-C.
 * `npm run demo -- --simulate` (or DEMO_SIMULATE=1) also runs the traffic
 * simulator: DEMO_SIMULATE_RATE reports a minute at the busiest hour (30).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseCommonEnv, positiveNumberEnv, DEFAULTS, SERVER_NODE_FLAGS } from '@gridline/core';
import {
  createPrismaClient,
  DEMO_ACCOUNTS,
  DEMO_PASSWORD,
  isSeeded,
  migrate,
  seedDemoCity,
} from '@gridline/db';
import { loadConfig } from '@gridline/server';
import { checkServices } from './preflight.ts';
import { startSimulator, type Simulator } from './simulator/simulator.ts';

const env = parseCommonEnv(process.env);
const port = positiveNumberEnv('PORT', process.env.PORT, DEFAULTS.port);
const simulate = process.argv.includes('--simulate') || process.env.DEMO_SIMULATE === '1';
const simulateRate = positiveNumberEnv('DEMO_SIMULATE_RATE', process.env.DEMO_SIMULATE_RATE, 30);

async function untilReady(url: string, timeoutMs: number): Promise<void> {
  for (const until = Date.now() + timeoutMs; Date.now() < until; ) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

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
    if (!simulate) await prisma.$disconnect();
  }

  if (!existsSync('web/build/handler.js')) {
    console.log('Building the web app…');
    await runToEnd('npm', ['run', 'build', '-w', '@gridline/web']);
  }

  // tsx itself, not through npx: npm exec does not pass a SIGTERM on, which left the
  // server and workers running after the demo was stopped by a signal.
  const tsx = path.join('node_modules', '.bin', 'tsx');
  const source = ['--conditions=source'];
  const children = [
    run(tsx, [...SERVER_NODE_FLAGS, ...source, 'server/src/main.ts'], { PORT: String(port) }),
    run(tsx, [...source, 'workers/src/main.ts']),
  ];
  console.log(`
Gridline (网格通) demo is starting on http://localhost:${port}
  TIME_SCALE=${env.timeScale}  (set TIME_SCALE=60 to watch deadlines pass 60x faster)
Demo accounts (password ${DEMO_PASSWORD}):
${DEMO_ACCOUNTS.map((account) => `  ${account.username.padEnd(11)} ${account.description.zh} / ${account.description.en}`).join('\n')}
Open http://localhost:${port}/dispatch and sign in as "dispatcher". Ctrl-C stops everything.
${simulate ? '' : 'Add --simulate (or DEMO_SIMULATE=1) for a living city: simulated reports and staff.\n'}`);
  let stopping = false;
  let simulator: Simulator | null = null;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void simulator?.stop().finally(() => prisma.$disconnect());
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
  if (simulate) {
    simulator = await simulateTraffic(prisma);
    if (stopping) await simulator.stop();
  }
}

async function simulateTraffic(prisma: ReturnType<typeof createPrismaClient>): Promise<Simulator> {
  const baseUrl = `http://127.0.0.1:${port}`;
  await untilReady(`${baseUrl}/readyz`, 120_000);
  return startSimulator({
    baseUrl,
    prisma,
    sessionSecret: loadConfig(process.env).sessionSecret,
    peakPerMinute: simulateRate,
  });
}

main().catch((error: unknown) => {
  console.error(`✖ ${(error as Error).message}`);
  process.exit(1);
});
