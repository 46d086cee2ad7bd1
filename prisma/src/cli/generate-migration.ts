import path from 'node:path';
import { UsageError, runCli } from '../migrations/cli.ts';
import { generateMigration } from '../migrations/generate.ts';

const usage =
  'Usage: npm run db:migration:new -- <name> [--allow-empty]\n' +
  '  Writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL that takes the\n' +
  '  schema as of the latest migration to prisma/schema/*.prisma.\n' +
  '  --allow-empty  create the folder even without schema changes (for hand-written SQL)';

runCli(async () => {
  const args = process.argv.slice(2);
  const allowEmpty = args.includes('--allow-empty');
  const names = args.filter((arg) => arg !== '--allow-empty');
  if (names.length !== 1 || names[0]?.startsWith('-')) throw new UsageError(usage);

  const result = await generateMigration(names[0] ?? '', { allowEmpty });
  if (!result.created) {
    console.log(`${result.reason} No migration written.`);
    return;
  }
  console.log(`Wrote ${path.relative(process.cwd(), result.dir)}/migration.sql`);
  if (/\bDROP\b/.test(result.sql)) {
    console.log('It drops or rewrites data: read it before applying.');
  }
});
