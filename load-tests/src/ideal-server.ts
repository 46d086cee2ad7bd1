/**
 * The intake's two hops and nothing else, for comparison with the real server
 * under the same load (`BENCH_SERVER=ideal`): `POST /api/tickets` parses the
 * body, finds the grid, makes one INSERT commit into a scratch table and
 * emits `ticket.assigned` to the grid member's room; sockets sign in with the
 * benchmark's session cookies. No validation, no events, no timers, no Redis
 * adapter, no Express: what any implementation of the intake must at least do.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import pg from 'pg';
import { Server } from 'socket.io';
import { GridIndex } from '@gridline/core';
import { loadGrids, loadOnDutyMembers, sessionIdOf } from './db.ts';

const TABLE = 'bench_ideal_tickets';
const COOKIE = 'gl_session=';

const databaseUrl = requiredEnv('DATABASE_URL');
const secret = requiredEnv('SESSION_SECRET');
const port = Number(requiredEnv('PORT'));
const host = process.env.HOST ?? '127.0.0.1';

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const pool = new pg.Pool({ connectionString: databaseUrl, max: 8 });
await pool.query(`DROP TABLE IF EXISTS ${TABLE}`);
await pool.query(
  `CREATE TABLE ${TABLE} (id bigserial PRIMARY KEY, grid_id int NOT NULL,
     assignee_id int NOT NULL, lat float8 NOT NULL, lng float8 NOT NULL, description text,
     address text, created_at timestamptz NOT NULL DEFAULT now())`,
);
const index = new GridIndex(await loadGrids(pool));
const memberOfGrid = new Map<number, number>();
for (const member of await loadOnDutyMembers(pool))
  if (!memberOfGrid.has(member.gridId)) memberOfGrid.set(member.gridId, member.userId);

interface TicketBody {
  description?: unknown;
  address?: unknown;
  location?: { lat?: unknown; lng?: unknown };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function file(body: TicketBody, res: ServerResponse): Promise<void> {
  const lat = Number(body.location?.lat);
  const lng = Number(body.location?.lng);
  const gridId = index.gridAt({ lat, lng });
  const assigneeId = gridId === null ? undefined : memberOfGrid.get(gridId);
  if (gridId === null || assigneeId === undefined) return reply(res, 422, { error: 'no grid' });
  const { rows } = await pool.query<{ id: string }>({
    name: 'ideal-intake',
    text: `INSERT INTO ${TABLE} (grid_id, assignee_id, lat, lng, description, address)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    values: [gridId, assigneeId, lat, lng, String(body.description), String(body.address)],
  });
  const ticket = { id: Number(rows[0]!.id), gridId, assigneeId, status: 'ASSIGNED' };
  io.to(`user:${assigneeId}`).emit('ticket.assigned', { ticket });
  reply(res, 201, { ticket });
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  if (req.method === 'GET' && req.url === '/readyz') return reply(res, 200, { ok: true });
  if (req.method !== 'POST' || req.url !== '/api/tickets') return reply(res, 404, {});
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let body: TicketBody;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as TicketBody;
    } catch {
      return reply(res, 400, { error: 'bad json' });
    }
    file(body, res).catch((error: unknown) => reply(res, 500, { error: String(error) }));
  });
}

const httpServer = createServer(handle);
const io = new Server(httpServer, { path: '/socket.io', serveClient: false });
io.use((socket, next) => {
  const cookie = socket.handshake.headers.cookie ?? '';
  const at = cookie.indexOf(COOKIE);
  const token = at < 0 ? '' : cookie.slice(at + COOKIE.length).split(';')[0]!;
  pool
    .query<{ user_id: number }>(`SELECT user_id FROM sessions WHERE id = $1`, [
      sessionIdOf(token, secret),
    ])
    .then(({ rows }) => {
      const userId = rows[0]?.user_id;
      if (userId === undefined) return next(new Error('unauthorized'));
      void socket.join(`user:${userId}`);
      next();
    })
    .catch((error: Error) => next(error));
});

function stop(): void {
  io.disconnectSockets(true);
  void io
    .close()
    .then(() => pool.query(`DROP TABLE IF EXISTS ${TABLE}`))
    .finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 3000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
httpServer.listen(port, host);
