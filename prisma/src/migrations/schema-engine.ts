import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as bindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { DiffTarget } from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaFile } from './layout.ts';

// TypeScript declares WebAssembly only in lib.dom, which this project does not load.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, object>) => { exports: WasmExports };
};
interface WasmExports {
  __wbindgen_start(): void;
}

let loaded = false;

// The package's own entry point imports the .wasm file as an ES module, which Node 20
// cannot do, so the module is instantiated here against the generated JS bindings.
function loadEngine(): typeof bindings {
  if (!loaded) {
    const bindingsFile = createRequire(import.meta.url).resolve(
      '@prisma/schema-engine-wasm/schema_engine_bg',
    );
    const bytes = readFileSync(path.join(path.dirname(bindingsFile), 'schema_engine_bg.wasm'));
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
      './schema_engine_bg.js': bindings,
    });
    bindings.__wbg_set_wasm(instance.exports);
    instance.exports.__wbindgen_start();
    loaded = true;
  }
  return bindings;
}

type Result<T> = { ok: true; value: T } | { ok: false; error: { kind: 'GenericJs'; id: number } };

const noDatabase: Result<never> = { ok: false, error: { kind: 'GenericJs', id: 0 } };

// The engine wants a driver adapter even for schema-to-schema diffs, but only asks it for
// the server version (once, when it starts). Answering that here keeps generating
// migrations free of any database; every other query fails.
const offlineConnection = {
  provider: 'postgres',
  adapterName: 'gridline-offline',
  queryRaw: async (query: { sql: string }) =>
    query.sql.includes('server_version_num')
      ? {
          ok: true,
          value: {
            columnNames: ['exists', 'version', 'numeric_version'],
            columnTypes: [5, 7, 0], // Boolean, Text, Int32 in driver-adapter-utils' ColumnTypeEnum
            rows: [[true, 'PostgreSQL 15', 150000]],
          },
        }
      : noDatabase,
  executeRaw: async () => noDatabase,
  executeScript: async () => noDatabase,
  startTransaction: async () => noDatabase,
  dispose: async () => ({ ok: true, value: undefined }),
};

const offlineAdapterFactory = {
  provider: 'postgres',
  adapterName: 'gridline-offline',
  connect: async () => ({ ok: true, value: offlineConnection }),
  connectToShadowDb: async () => ({ ok: true, value: offlineConnection }),
};

/** The SQL that takes a database from `from` (or nothing) to `to`. */
export async function diffSchemas(from: SchemaFile[] | 'empty', to: SchemaFile[]): Promise<string> {
  const { SchemaEngine } = loadEngine();
  const ignoreLogs = () => {};
  const engine = await SchemaEngine.new(
    { datamodels: undefined },
    ignoreLogs,
    offlineAdapterFactory,
  );
  try {
    const target = (files: SchemaFile[]): DiffTarget => ({ tag: 'schemaDatamodel', files });
    const result = await engine.diff({
      from: from === 'empty' ? { tag: 'empty' } : target(from),
      to: target(to),
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    return result.stdout ?? '';
  } finally {
    engine.free();
  }
}

/** What the engine prints for a diff with no steps. */
export function isEmptyMigration(sql: string): boolean {
  return sql.trim() === '' || sql.trim() === '-- This is an empty migration.';
}
