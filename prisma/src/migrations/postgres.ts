import pg from 'pg';

/** Same as DEFAULTS.databaseUrl in @gridline/core (see below why it is repeated). */
export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/gridline';

// Neither ../client.ts (it loads the generated Prisma client, and migrating must work before
// `prisma generate`) nor @gridline/core (Vitest's globalSetup, which imports this module,
// does not resolve workspace packages with the `source` condition) can be imported here.
export function databaseUrl(): string {
  return process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
}

/** The database named in the URL's path, or undefined when the path names none. */
export function databaseName(url: string): string | undefined {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  return name === '' ? undefined : name;
}

export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(name)}`;
  return parsed.toString();
}

export function quoteIdent(name: string): string {
  return pg.escapeIdentifier(name);
}

export class DatabaseUnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    const { hostname, port } = new URL(url);
    super(
      `PostgreSQL does not answer at ${hostname || 'localhost'}:${port || '5432'} ` +
        `(${redact(url)}, from DATABASE_URL or its default). ` +
        'Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
      { cause },
    );
    this.name = 'DatabaseUnreachableError';
  }
}

const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'EAI_AGAIN',
  '57P03', // the database system is starting up
]);

export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    return typeof error.code === 'string' ? error.code : undefined;
  }
  return undefined;
}

function isUnreachable(error: unknown): boolean {
  if (unreachableCodes.has(errorCode(error) ?? '')) return true;
  // Node tries every address of a host name and then reports an AggregateError.
  return error instanceof AggregateError && error.errors.some(isUnreachable);
}

/** Opens a connection to `url`; callers must `end()` it. */
export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw isUnreachable(error) ? new DatabaseUnreachableError(url, error) : error;
  }
  return client;
}

/** Runs `fn` on a connection to the server's `postgres` database (to create or drop others). */
export async function withAdminClient<T>(
  url: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = await connect(withDatabase(url, 'postgres'));
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createDatabase(url: string, options: { template?: string } = {}) {
  const name = requireDatabaseName(url);
  const template = options.template ? ` TEMPLATE ${quoteIdent(options.template)}` : '';
  await withAdminClient(url, (client) =>
    client.query(`CREATE DATABASE ${quoteIdent(name)}${template}`),
  );
}

export async function dropDatabase(url: string): Promise<void> {
  const name = requireDatabaseName(url);
  await withAdminClient(url, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`),
  );
}

export function requireDatabaseName(url: string): string {
  const name = databaseName(url);
  if (name === undefined) throw new Error(`The database URL names no database: ${redact(url)}`);
  return name;
}

export function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
