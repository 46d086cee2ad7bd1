import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  LOCK_FILE,
  LOCK_FILE_CONTENT,
  MIGRATIONS_DIR,
  MIGRATION_FILE,
  SCHEMA_DIR,
  SNAPSHOT_FILE,
  concatSchema,
  listMigrations,
  readSchemaFiles,
  type SchemaFile,
} from './layout.ts';
import { diffSchemas, isEmptyMigration } from './schema-engine.ts';

export interface GenerateOptions {
  schemaDir?: string;
  migrationsDir?: string;
  /** Write a migration even when the schema did not change (for hand-written SQL). */
  allowEmpty?: boolean;
  now?: Date;
}

export type GenerateResult =
  | { created: true; name: string; dir: string; sql: string }
  | { created: false; reason: string };

/** Diffs the schema as of the latest migration against the current one into a new migration folder. */
export async function generateMigration(
  name: string,
  options: GenerateOptions = {},
): Promise<GenerateResult> {
  const slug = slugify(name);
  const migrationsDir = options.migrationsDir ?? MIGRATIONS_DIR;
  const current = readSchemaFiles(options.schemaDir ?? SCHEMA_DIR);
  const latest = listMigrations(migrationsDir).at(-1);

  let previous: SchemaFile[] | 'empty' = 'empty';
  if (latest) {
    const snapshotPath = path.join(latest.dir, SNAPSHOT_FILE);
    if (!existsSync(snapshotPath)) {
      throw new Error(
        `${latest.name} has no ${SNAPSHOT_FILE}, so the schema it leaves behind is unknown. ` +
          `Save the schema as of that migration there (see concatSchema in prisma/src/migrations/layout.ts).`,
      );
    }
    previous = [{ path: SNAPSHOT_FILE, content: readFileSync(snapshotPath, 'utf8') }];
  }

  const sql = await diffSchemas(previous, current);
  if (isEmptyMigration(sql) && !options.allowEmpty) {
    return { created: false, reason: `The schema has not changed since ${latest?.name}.` };
  }

  const folder = `${timestamp(options.now ?? new Date(), latest?.name)}_${slug}`;
  const dir = path.join(migrationsDir, folder);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, MIGRATION_FILE), sql);
  writeFileSync(path.join(dir, SNAPSHOT_FILE), concatSchema(current));
  writeFileSync(path.join(migrationsDir, LOCK_FILE), LOCK_FILE_CONTENT);
  return { created: true, name: folder, dir, sql };
}

function slugify(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (slug === '') throw new Error(`Invalid migration name: "${name}" (use letters and digits).`);
  return slug.slice(0, 200);
}

/** `YYYYMMDDHHMMSS` in UTC, later than the latest migration's so that folders stay in order. */
function timestamp(now: Date, latestName: string | undefined): string {
  const format = (date: Date) => date.toISOString().replace(/\D/g, '').slice(0, 14);
  if (!latestName || !/^\d{14}_/.test(latestName)) return format(now);
  const part = (from: number, to: number) => Number(latestName.slice(from, to));
  const latest = Date.UTC(
    part(0, 4),
    part(4, 6) - 1,
    part(6, 8),
    part(8, 10),
    part(10, 12),
    part(12, 14),
  );
  return format(new Date(Math.max(now.getTime(), latest + 1000)));
}
