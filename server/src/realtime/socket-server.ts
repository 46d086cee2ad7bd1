import type { Server as HttpServer } from 'node:http';
import { Server, type Namespace, type Socket } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import {
  roomNameSchema,
  rooms,
  socketRedisKey,
  trackingTokenSchema,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@gridline/core';
import type { RegionDirectory } from '@gridline/db';
import type { Logger } from 'pino';
import { sessionTokenFrom } from '../auth/middleware.ts';
import { canSeeRegion } from '../auth/scope.ts';
import type { SessionRepository } from '../auth/session-repository.ts';
import type { AuthContext } from '../http/types.ts';
import type { TicketService } from '../tickets/ticket-service.ts';
import { coalesceEngineWrites } from './engine-writes.ts';
import { createSocketWireParser } from './socket-wire.ts';
import { writeOncePerTurn } from './write-per-turn.ts';

/** A signed-in user's socket, or a tracking link's (which hears its ticket only). */
type SocketData = { auth: AuthContext } | { trackedTicketId: number };

export type GridlineIo = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;
type GridlineSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;

const sessionRoom = (sessionId: string) => `session:${sessionId}`;

export interface SocketServerDeps {
  httpServer: HttpServer;
  redis: Redis;
  redisPrefix: string;
  sessions: SessionRepository;
  tickets: TicketService;
  /** Resolves a resident's tracking token (handshake `auth: { trackingToken }`) to its ticket. */
  track: {
    ticketIdOfToken(token: string): Promise<number | null>;
    ticketIdsOfResident(userId: number): Promise<number[]>;
  };
  /** Who may join `task:<id>` (staff in scope, volunteers offered or holding it). */
  tasks?: { canJoinRoom(taskId: number, auth: AuthContext): Promise<boolean> };
  regions: () => RegionDirectory;
  logger: Logger;
}

export function createSocketServer(deps: SocketServerDeps): GridlineIo {
  const io: GridlineIo = new Server(deps.httpServer, {
    path: '/socket.io',
    serveClient: false,
    maxHttpBufferSize: 16 * 1024,
    pingInterval: 20_000,
    pingTimeout: 20_000,
  });
  // A ticket's events reach each socket in one write (see engine-writes.ts).
  coalesceEngineWrites(io.engine, (error) =>
    deps.logger.warn({ err: error }, 'socket write failed; connection closed'),
  );
  // A ticket's events are published in one turn: one write (see write-per-turn.ts).
  const pub = deps.redis.duplicate();
  writeOncePerTurn(pub);
  const sub = deps.redis.duplicate();
  for (const client of [pub, sub]) {
    client.on('error', (error: Error) =>
      deps.logger.warn({ err: error }, 'redis (socket adapter) error'),
    );
  }
  const parser = createSocketWireParser();
  const redisAdapter = createAdapter(pub, sub, { key: socketRedisKey(deps.redisPrefix), parser });
  // Socket.IO calls the adapter with `new`: a function, not an arrow.
  io.adapter(function redisAdapterOfNamespace(nsp: Namespace) {
    const adapter = redisAdapter(nsp);
    parser.ignoreBroadcastsOf(adapter.uid);
    return adapter;
  });

  io.use(async (socket, next) => {
    try {
      const token = sessionTokenFrom(socket.handshake.headers.cookie);
      const auth = token ? await deps.sessions.resolve(token) : null;
      if (auth) {
        socket.data = { auth };
        next();
        return;
      }
      const tracking = trackingTokenSchema.safeParse(
        (socket.handshake.auth as { trackingToken?: unknown } | undefined)?.trackingToken,
      );
      const trackedTicketId = tracking.success
        ? await deps.track.ticketIdOfToken(tracking.data)
        : null;
      if (trackedTicketId === null) {
        next(new Error('unauthorized'));
        return;
      }
      socket.data = { trackedTicketId };
      next();
    } catch (error) {
      deps.logger.warn({ err: error }, 'socket authentication failed');
      next(new Error('unavailable'));
    }
  });

  io.on('connection', (socket) => {
    const { data } = socket;
    if (!('auth' in data)) {
      // A tracking link hears its own ticket, pushed without staff details; it joins nothing else.
      void socket.join(rooms.track(data.trackedTicketId));
      const refuse = (_room: unknown, ack: unknown) =>
        respond(ack, { ok: false, error: 'forbidden' });
      socket.on('room.join', refuse);
      socket.on('room.leave', refuse);
      return;
    }
    const { auth } = data;
    if (auth.user.role === 'RESIDENT') {
      // A signed-in resident hears each of their tickets as its tracking link would.
      void deps.track.ticketIdsOfResident(auth.user.id).then(
        (ids) => socket.join(ids.map((id) => rooms.track(id))),
        (error: unknown) => deps.logger.warn({ err: error }, 'resident rooms not joined'),
      );
    }
    void socket.join([rooms.user(auth.user.id), sessionRoom(auth.sessionId)]);
    if (auth.user.regionId !== null && canSeeRegion(auth, auth.user.regionId, deps.regions())) {
      void socket.join(rooms.region(auth.user.regionId));
    }
    socket.on('room.join', (room, ack) => {
      void handleJoin(socket, room, deps).then(
        (result) => respond(ack, result),
        (error: unknown) => {
          deps.logger.warn({ err: error }, 'room.join failed');
          respond(ack, { ok: false, error: 'unavailable' });
        },
      );
    });
    socket.on('room.leave', (room, ack) => {
      const parsed = roomNameSchema.safeParse(room);
      if (parsed.success && !parsed.data.startsWith('user:')) void socket.leave(parsed.data);
      respond(ack, { ok: parsed.success });
    });
  });

  return io;
}

/** Disconnects every socket of a revoked session, on every server process. */
export function disconnectSession(io: GridlineIo, sessionId: string): void {
  io.to(sessionRoom(sessionId)).emit('session.revoked');
  io.in(sessionRoom(sessionId)).disconnectSockets(true);
}

async function handleJoin(
  socket: GridlineSocket,
  room: unknown,
  deps: SocketServerDeps,
): Promise<{ ok: boolean; error?: string }> {
  const parsed = roomNameSchema.safeParse(room);
  if (!parsed.success) return { ok: false, error: 'bad room name' };
  const [kind, rawId] = parsed.data.split(':') as [string, string];
  const id = Number(rawId);
  if (!('auth' in socket.data)) return { ok: false, error: 'forbidden' };
  const { auth } = socket.data;
  let allowed = false;
  if (kind === 'user') allowed = id === auth.user.id;
  if (kind === 'region')
    allowed = deps.regions().get(id) !== undefined && canSeeRegion(auth, id, deps.regions());
  if (kind === 'ticket') {
    allowed = await deps.tickets.visibleTicket(id, auth).then(
      () => true,
      () => false,
    );
  }
  if (kind === 'task' && deps.tasks) {
    allowed = await deps.tasks.canJoinRoom(id, auth).catch(() => false);
  }
  if (!allowed) return { ok: false, error: 'forbidden' };
  await socket.join(parsed.data);
  return { ok: true };
}

function respond<T>(ack: unknown, result: T): void {
  if (typeof ack === 'function') (ack as (value: T) => void)(result);
}
