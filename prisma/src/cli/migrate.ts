import { runCli } from '../migrations/cli.ts';
import { databaseUrl, redact } from '../migrations/postgres.ts';
import { migrate } from '../migrations/runner.ts';

runCli(async () => {
  const url = databaseUrl();
  const { applied } = await migrate(url);
  if (applied.length === 0) {
    console.log(`${redact(url)} is up to date; no migration applied.`);
    return;
  }
  console.log(`Applied ${applied.length} migration(s) to ${redact(url)}:`);
  for (const name of applied) console.log(`  ${name}`);
});
