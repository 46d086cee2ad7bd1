import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { inject } from 'vitest';
import type {
  ClientToServerEvents,
  ServerToClientEvents,
  TicketEventPayload,
} from '@gridline/core';
import { createTestDatabase } from '@gridline/db/testing';
import { createServerRuntime, loadConfig, type ServerRuntime } from '@gridline/server';
import { createWorkersRuntime, type WorkersConfig, type WorkersRuntime } from '@gridline/workers';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface SystemOptions {
  timeScale?: number;
  /** Serve the built web app (browser tests). */
  web?: boolean;
  workers?: boolean;
  reconcileIntervalMs?: number;
  /** More workers settings (a push agent, an SMS gateway, the notifier's pace). */
  workerOptions?: Partial<WorkersConfig>;
}

export interface TestSystem {
  baseUrl: string;
  databaseUrl: string;
  redisPrefix: string;
  server: ServerRuntime;
  workers: WorkersRuntime | null;
  login(username: string, password?: string): Promise<Session>;
  startWorkers(): Promise<WorkersRuntime>;
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

export interface Session {
  cookie: string;
  user: { id: number; username: string; role: string; regionId: number | null };
  get<T = unknown>(path: string): Promise<{ status: number; body: T }>;
  post<T = unknown>(
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T }>;
  socket(): Promise<ClientSocket>;
}

export const DEMO_PASSWORD = 'demo1234';

/** The seeded demo city in a fresh database, a server on a free port and (optionally) the workers. */
export async function startSystem(options: SystemOptions = {}): Promise<TestSystem> {
  const database = await createTestDatabase(inject('cityTemplateDatabaseUrl'));
  const redisPrefix = `test-${randomBytes(4).toString('hex')}`;
  const base = loadConfig({
    ...process.env,
    DATABASE_URL: database.url,
    REDIS_PREFIX: redisPrefix,
    TIME_SCALE: String(options.timeScale ?? 1),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    WEB_HANDLER: options.web ? (process.env.WEB_HANDLER ?? 'web/build/handler.js') : 'none',
    SESSION_SECRET: 'test-secret',
    DATA_DIR: path.join(tmpdir(), `gridline-${redisPrefix}`),
  });
  const server = await createServerRuntime({ ...base, host: '127.0.0.1' });
  const port = await server.listen(0);
  const baseUrl = `http://127.0.0.1:${port}`;
  let workers: WorkersRuntime | null = null;
  const startWorkers = async () => {
    workers = await createWorkersRuntime({
      ...base,
      concurrency: 20,
      reconcileIntervalMs: options.reconcileIntervalMs ?? 30_000,
      ...options.workerOptions,
    });
    return workers;
  };
  if (options.workers !== false) await startWorkers();
  const openSockets: ClientSocket[] = [];

  const system: TestSystem = {
    baseUrl,
    databaseUrl: database.url,
    redisPrefix,
    server,
    get workers() {
      return workers;
    },
    startWorkers,
    async stopWorkers() {
      await workers?.close();
      workers = null;
    },
    async login(username, password = DEMO_PASSWORD) {
      const response = await fetch(`${baseUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      if (response.status !== 200) throw new Error(`login ${username}: ${response.status}`);
      const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
      const { user } = (await response.json()) as { user: Session['user'] };
      return sessionFor(baseUrl, cookie, user, openSockets);
    },
    async close() {
      for (const socket of openSockets) socket.disconnect();
      await workers?.close();
      await server.close();
      await database.drop();
      await rm(base.dataDir, { recursive: true, force: true });
    },
  };
  return system;
}

function sessionFor(
  baseUrl: string,
  cookie: string,
  user: Session['user'],
  openSockets: ClientSocket[],
): Session {
  const request = async <T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        cookie,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  return {
    cookie,
    user,
    get: (path) => request('GET', path),
    post: (path, body, headers) => request('POST', path, body, headers),
    socket: () => openSocket(baseUrl, { cookie }, openSockets),
  };
}

/** A socket signed in by session cookie, or a resident's by tracking token. */
export function openSocket(
  baseUrl: string,
  auth: { cookie?: string; trackingToken?: string },
  registry: ClientSocket[] = [],
): Promise<ClientSocket> {
  const socket: ClientSocket = connectSocket(baseUrl, {
    path: '/socket.io',
    transports: ['websocket'],
    extraHeaders: auth.cookie ? { cookie: auth.cookie } : {},
    ...(auth.trackingToken ? { auth: { trackingToken: auth.trackingToken } } : {}),
    reconnection: false,
    forceNew: true,
  });
  registry.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => reject(error));
  });
}

/** Collects every ticket event a socket receives. */
export function recordEvents(socket: ClientSocket): TicketEventPayload[] {
  const seen: TicketEventPayload[] = [];
  socket.onAny((_name: string, payload: unknown) => {
    // Task events (a care visit scheduled meanwhile, say) carry an eventId too, but no ticket.
    if (payload && typeof payload === 'object' && 'eventId' in payload && 'ticket' in payload)
      seen.push(payload as TicketEventPayload);
  });
  return seen;
}

export async function waitFor<T>(
  check: () => T | undefined | null | false,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The same signed-in user against another server (sessions live in PostgreSQL, so the cookie works on every process). */
export function sessionAt(
  session: Pick<Session, 'cookie' | 'user'>,
  baseUrl: string,
  openSockets: ClientSocket[] = [],
): Session {
  return sessionFor(baseUrl, session.cookie, session.user, openSockets);
}

/** Like waitFor, for checks that must ask the database or the network. */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
  what = 'condition',
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
