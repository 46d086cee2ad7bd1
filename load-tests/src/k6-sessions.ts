/**
 * Mints grid members' sessions for the k6 scenario (load-tests/k6/intake.js),
 * the way the Node benchmark does: straight into the database, one INSERT,
 * instead of thousands of argon2 logins (logins are limited to 60 per address
 * per 15 minutes). Needs the target server's DATABASE_URL and SESSION_SECRET.
 *
 *   DATABASE_URL=... SESSION_SECRET=... npx tsx --conditions=source load-tests/src/k6-sessions.ts [file]
 *   DATABASE_URL=... npx tsx --conditions=source load-tests/src/k6-sessions.ts --delete
 *
 * Writes [file] (default $TMPDIR/gridline-k6-sessions.json; it holds live
 * session tokens, keep it private) for BENCH_SOCKETS sockets (default 5000).
 * Sessions expire after 3 hours; --delete removes them at once.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DEFAULTS } from '@gridline/core';
import { createSessions, deleteSessions, loadGrids, loadOnDutyMembers, routedHome } from './db.ts';
import { buildK6Sessions, type K6SessionsFile } from './k6-sessions-file.ts';

async function main(): Promise<void> {
  const pool = new pg.Pool({
    connectionString: process.env.DATABASE_URL || DEFAULTS.databaseUrl,
    max: 2,
  });
  try {
    if (process.argv[2] === '--delete') {
      await deleteSessions(pool);
      console.log('Deleted the benchmark sessions.');
      return;
    }
    const secret = process.env.SESSION_SECRET;
    if (!secret) throw new Error('Set SESSION_SECRET to the target server’s secret');
    const sockets = Number(process.env.BENCH_SOCKETS || 5000);
    if (!Number.isInteger(sockets) || sockets < 1)
      throw new Error('BENCH_SOCKETS must be a positive integer');
    const file = process.argv[2] || path.join(os.tmpdir(), 'gridline-k6-sessions.json');
    const members = routedHome(await loadOnDutyMembers(pool), await loadGrids(pool));
    const userIds = [...new Set(members.map((member) => member.userId))].slice(0, sockets);
    const tokens = await createSessions(pool, secret, userIds);
    const content: K6SessionsFile = buildK6Sessions(members, tokens);
    writeFileSync(file, JSON.stringify(content), { mode: 0o600 });
    console.log(`Wrote ${content.sessions.length} sessions to ${file}`);
  } finally {
    await pool.end();
  }
}

main().catch((error: unknown) => {
  console.error(`✖ ${(error as Error).message}`);
  process.exit(1);
});
