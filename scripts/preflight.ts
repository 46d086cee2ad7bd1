import pg from 'pg';
import { Redis } from 'ioredis';

const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

/** One line saying which service does not answer, where we looked and how to start it; null when both answer. */
export async function checkServices(databaseUrl: string, redisUrl: string): Promise<string[]> {
  const problems: string[] = [];
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  try {
    // Connect to the server's default database: ours may not exist yet.
    const url = new URL(databaseUrl);
    url.pathname = '/postgres';
    const admin = new pg.Client({
      connectionString: url.toString(),
      connectionTimeoutMillis: 3000,
    });
    await admin.connect();
    await admin.end();
  } catch (error) {
    problems.push(
      `PostgreSQL does not answer at ${redact(databaseUrl)} (${(error as Error).message || 'no answer'}).\n` +
        '  Start it with `docker compose up -d postgres redis`, or on Debian:\n' +
        '  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n' +
        '  or point DATABASE_URL at a running server.',
    );
  } finally {
    await client.end().catch(() => undefined);
  }
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    problems.push(
      `Redis does not answer at ${redact(redisUrl)} (${(error as Error).message || 'no answer'}).\n` +
        '  Start it with `docker compose up -d postgres redis`, or:\n' +
        '  redis-server --daemonize yes --hz 100 --maxmemory-policy noeviction\n' +
        '  or point REDIS_URL at a running server.',
    );
  } finally {
    redis.disconnect();
  }
  return problems;
}
