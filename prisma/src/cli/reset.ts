import { UsageError, runCli } from '../migrations/cli.ts';
import {
  createDatabase,
  databaseName,
  databaseUrl,
  dropDatabase,
  redact,
} from '../migrations/postgres.ts';
import { migrate } from '../migrations/runner.ts';

const protectedDatabases = new Set(['postgres', 'template0', 'template1']);

runCli(async () => {
  const url = databaseUrl();
  const name = databaseName(url);
  if (name === undefined || protectedDatabases.has(name)) {
    throw new UsageError(
      `Refusing to reset ${redact(url)}: name the database to reset in DATABASE_URL ` +
        '(e.g. postgresql://postgres@127.0.0.1:5432/gridline; not postgres or a template).',
    );
  }
  await dropDatabase(url);
  await createDatabase(url);
  console.log(`Dropped and recreated database "${name}".`);
  const { applied } = await migrate(url);
  console.log(`Applied ${applied.length} migration(s):`);
  for (const migration of applied) console.log(`  ${migration}`);
});
