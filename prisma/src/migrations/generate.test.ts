import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateMigration } from './generate.ts';
import { LOCK_FILE_CONTENT, listMigrations } from './layout.ts';

const header = 'datasource db {\n  provider = "postgresql"\n}\n';
const thing = 'model Thing {\n  id Int @id\n}\n';
const thingWithName = 'model Thing {\n  id   Int    @id\n  name String?\n}\n';

let root: string;
let options: { schemaDir: string; migrationsDir: string; now: Date };

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'gridline-generate-'));
  options = {
    schemaDir: root,
    migrationsDir: path.join(root, 'migrations'),
    now: new Date('2026-11-22T09:30:00Z'),
  };
  writeFileSync(path.join(root, 'schema.prisma'), header);
  writeFileSync(path.join(root, 'thing.prisma'), thing);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('generateMigration', () => {
  it('diffs from an empty database when there is no migration yet', async () => {
    const result = await generateMigration('Init', options);

    expect(result).toMatchObject({ created: true, name: '20261122093000_init' });
    const dir = path.join(options.migrationsDir, '20261122093000_init');
    expect(readFileSync(path.join(dir, 'migration.sql'), 'utf8')).toContain('CREATE TABLE "Thing"');
    expect(readFileSync(path.join(dir, 'schema.snapshot.prisma'), 'utf8')).toContain('model Thing');
    expect(readFileSync(path.join(options.migrationsDir, 'migration_lock.toml'), 'utf8')).toBe(
      LOCK_FILE_CONTENT,
    );
  });

  it('diffs from the schema as of the latest migration', async () => {
    await generateMigration('init', options);
    writeFileSync(path.join(root, 'thing.prisma'), thingWithName);

    const result = await generateMigration('add thing name', options);

    // Same clock second as the first migration: the new folder still sorts after it.
    expect(result).toMatchObject({ created: true, name: '20261122093001_add_thing_name' });
    expect(result.created && result.sql).toMatch(/ALTER TABLE "Thing" ADD COLUMN\s+"name" TEXT;/);
    expect(result.created && result.sql).not.toContain('CREATE TABLE');
    expect(listMigrations(options.migrationsDir).map((m) => m.name)).toEqual([
      '20261122093000_init',
      '20261122093001_add_thing_name',
    ]);
  });

  it('writes nothing when the schema did not change, unless asked to', async () => {
    await generateMigration('init', options);

    expect(await generateMigration('noop', options)).toMatchObject({ created: false });
    expect(listMigrations(options.migrationsDir)).toHaveLength(1);

    const empty = await generateMigration('backfill', { ...options, allowEmpty: true });
    expect(empty).toMatchObject({ created: true, name: '20261122093001_backfill' });
  });

  it('refuses when the latest migration has no schema snapshot', async () => {
    const result = await generateMigration('init', options);
    if (!result.created) throw new Error('expected a migration');
    rmSync(path.join(result.dir, 'schema.snapshot.prisma'));

    await expect(generateMigration('next', options)).rejects.toThrow(
      /has no schema.snapshot.prisma/,
    );
  });

  it('rejects a name without letters or digits', async () => {
    await expect(generateMigration('!!!', options)).rejects.toThrow(/Invalid migration name/);
    expect(existsSync(options.migrationsDir)).toBe(false);
  });
});
