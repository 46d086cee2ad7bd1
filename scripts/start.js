// `npm start`: production. Runs the built migrations, then the built server and/or workers.
// Usage: node scripts/start.js [all|server|workers]   (build first with `npm run build`)
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const which = process.argv[2] ?? 'all';
const entries = {
  server: 'server/dist/main.js',
  workers: 'workers/dist/main.js',
};
const wanted = which === 'all' ? ['server', 'workers'] : [which];
for (const name of wanted) {
  if (!entries[name]) {
    console.error(`Unknown process "${name}"; use all, server or workers.`);
    process.exit(2);
  }
  if (!existsSync(entries[name])) {
    console.error(`${entries[name]} is missing: run \`npm run build\` first.`);
    process.exit(1);
  }
}

// Built with the rest by `npm run build`, so imported only once the checks above passed.
const { SERVER_NODE_FLAGS } = await import('@gridline/core');

function runToEnd(args) {
  return new Promise((resolve) => {
    spawn(process.execPath, args, { stdio: 'inherit' }).on('exit', (code) => resolve(code ?? 1));
  });
}

if (wanted.includes('server')) {
  const code = await runToEnd(['prisma/dist/cli/migrate.js']);
  if (code !== 0) process.exit(code);
}

const children = wanted.map((name) =>
  spawn(process.execPath, [...(name === 'server' ? SERVER_NODE_FLAGS : []), entries[name]], {
    stdio: 'inherit',
  }),
);
let stopping = false;
const stop = (signal) => {
  stopping = true;
  for (const child of children) child.kill(signal);
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
for (const child of children) {
  child.on('exit', (code) => {
    if (!stopping) stop('SIGTERM');
    process.exitCode = code ?? 1;
  });
}
