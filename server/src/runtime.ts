import { createServer, type Server as HttpServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import type { RequestHandler } from 'express';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import {
  createPrismaClient,
  openConnections,
  loadRegionDirectory,
  loadVapidKeys,
  TicketStore,
  type PrismaClient,
  type RegionDirectory,
} from '@gridline/db';
import type { ServerConfig } from './config.ts';
import { createApp } from './http/app.ts';
import { ExpressPrototypes } from './http/express-prototypes.ts';
import { AuthService } from './auth/auth-service.ts';
import { authenticate } from './auth/middleware.ts';
import { argon2Hasher } from './auth/passwords.ts';
import { RedisRateLimiter } from './auth/rate-limiter.ts';
import { authRouter } from './auth/routes.ts';
import { SessionRepository } from './auth/session-repository.ts';
import { categoriesRouter } from './categories/routes.ts';
import { eventsRouter } from './events/routes.ts';
import { healthRouter } from './health/routes.ts';
import { PrismaCategoryCatalog } from './infra/category-catalog.ts';
import { PrismaIdempotencyRepository } from './infra/idempotency-repository.ts';
import { BullTimerScheduler } from './infra/timer-queue.ts';
import { SocketTicketPublisher } from './realtime/publisher.ts';
import {
  createSocketServer,
  disconnectSession,
  type GridlineIo,
} from './realtime/socket-server.ts';
import { regionsRouter } from './regions/routes.ts';
import { systemClock } from './tickets/ports.ts';
import { TicketService } from './tickets/ticket-service.ts';
import { DeviceKeys } from './tickets/device-keys.ts';
import { SummonsService } from './tickets/summons-service.ts';
import { ticketsRouter } from './tickets/routes.ts';
import { configRouter } from './health/config-route.ts';
import { Metrics } from './infra/metrics.ts';
import { statsRouter } from './stats/routes.ts';
import { queueBoardRouter } from './admin/queue-board.ts';
import { photosRouter } from './photos/routes.ts';
import { trackRouter } from './track/routes.ts';
import { publicMapRouter } from './public-map/routes.ts';
import { residentsRouter } from './residents/routes.ts';
import { ResidentService } from './residents/resident-service.ts';
import { notificationsRouter } from './notifications/routes.ts';
import { PushSubscriptions } from './notifications/subscriptions.ts';
import { TrackService } from './track/track-service.ts';
import { AuditLog } from './audit/audit-log.ts';
import { careRouter } from './care/routes.ts';
import { adminUsersRouter } from './admin/users-routes.ts';
import { createAdmin } from './admin/admin.ts';
import { PhotoService } from './photos/photo-service.ts';
import { PhotoStore } from './photos/photo-store.ts';
import { createPositionService, positionsRouter } from './positions/routes.ts';
import { volunteersRouter } from './volunteers/routes.ts';
import { rewardsRouter } from './rewards/routes.ts';
import { createTasks } from './tasks/wiring.ts';
import { tasksRouter } from './tasks/routes.ts';
import { createOpen311 } from './open311/wiring.ts';

/** How long in-flight requests get to finish on shutdown before their connections are cut. */
const SHUTDOWN_GRACE_MS = 8_000;

export interface ServerRuntime {
  httpServer: HttpServer;
  io: GridlineIo;
  prisma: PrismaClient;
  logger: Logger;
  /** Rebuild the in-memory region tree and spatial index after regions change. */
  reloadRegions(): Promise<void>;
  /** Resolves once listening; the bound port. */
  listen(port?: number): Promise<number>;
  /** Graceful: stop accepting, finish in-flight requests, tell sockets to reconnect. */
  close(): Promise<void>;
}

async function loadWebHandler(
  handlerPath: string | null,
  logger: Logger,
): Promise<RequestHandler | null> {
  if (!handlerPath) return null;
  const absolute = path.resolve(handlerPath);
  try {
    const module = (await import(pathToFileURL(absolute).href)) as { handler: RequestHandler };
    return module.handler;
  } catch (error) {
    logger.warn({ err: error, handlerPath: absolute }, 'web app not built; serving the API only');
    return null;
  }
}

const HTTP_KEEP_ALIVE_MS = 65_000;

export async function createServerRuntime(
  config: ServerConfig,
  logger?: Logger,
): Promise<ServerRuntime> {
  const log = logger ?? pino({ level: config.logLevel, base: { process: 'server' } });
  // Every connection is opened now and kept: one opened under load cost a PostgreSQL
  // backend and the intake statement planned again while tickets waited.
  const poolSize = config.databasePoolSize;
  const prisma = createPrismaClient({ url: config.databaseUrl, max: poolSize, keepOpen: poolSize });
  await openConnections(prisma);
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
  const queueRedis = new Redis(config.redisUrl, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
  });
  redis.on('error', (error) => log.warn({ err: error }, 'redis error'));
  queueRedis.on('error', (error) => log.warn({ err: error }, 'redis (queue) error'));

  let directory: RegionDirectory = await loadRegionDirectory(prisma);
  const regions = () => directory;
  const metrics = new Metrics();
  const sessions = new SessionRepository(prisma, config.sessionSecret);
  const categories = new PrismaCategoryCatalog(prisma);
  const timers = new BullTimerScheduler(
    queueRedis,
    config.redisPrefix,
    systemClock,
    (error, jobIds) =>
      log.warn({ err: error, jobIds }, 'timers not added; the reconciler re-creates them'),
  );
  const store = new TicketStore(prisma);
  const audit = new AuditLog(prisma);
  const admin = await createAdmin({
    prisma,
    redis,
    redisPrefix: config.redisPrefix,
    regions,
    audit,
    logger: log,
    reload: {
      regions: async () => {
        directory = await loadRegionDirectory(prisma);
      },
      categories: () => categories.invalidate(),
      sessions: () => sessions.forget(),
    },
  });
  sessions.onInvalidate(() => {
    admin.announce('sessions').catch((error: unknown) => {
      log.warn({ err: error }, 'could not tell other processes to forget sessions');
    });
  });

  const prototypes = new ExpressPrototypes();
  const httpServer = createServer({
    IncomingMessage: prototypes.IncomingMessage,
    ServerResponse: prototypes.ServerResponse,
  });
  // Node closes an idle keep-alive connection after 5 s, which races a client that
  // reuses it at that moment (ECONNRESET on a request it already sent). Keep them
  // longer than clients and proxies do (60 s is the common idle limit).
  httpServer.keepAliveTimeout = HTTP_KEEP_ALIVE_MS;
  httpServer.headersTimeout = HTTP_KEEP_ALIVE_MS + 1_000;
  let io: GridlineIo | null = null;
  const publisherProxy = {
    publish: (...args: Parameters<SocketTicketPublisher['publish']>) => {
      metrics.observeIntake(args[0]);
      if (io) new SocketTicketPublisher(io, () => directory.cityId).publish(...args);
    },
    publishTo: (...args: Parameters<SocketTicketPublisher['publishTo']>) => {
      if (io) new SocketTicketPublisher(io, () => directory.cityId).publishTo(...args);
    },
  };
  const tickets = new TicketService({
    prisma,
    store,
    categories,
    regions,
    publisher: publisherProxy,
    timers,
    idempotency: new PrismaIdempotencyRepository(prisma),
    clock: systemClock,
    timeScale: config.timeScale,
    deviceKeys: new DeviceKeys(config.deviceSecret),
  });
  const tasks = createTasks({
    prisma,
    redis,
    queueRedis,
    redisPrefix: config.redisPrefix,
    timeScale: config.timeScale,
    geofenceM: config.taskGeofenceM,
    regions,
    tickets,
    ticketStore: store,
    ticketPublisher: publisherProxy,
    io: () => io,
    logger: log,
  });
  tickets.onCallButton((call) =>
    tasks.service.fromCallButton(call).catch((error: unknown) => {
      log.warn({ err: error, ticketId: call.ticket.id }, 'call-button task not created');
      throw error;
    }),
  );
  const photos = new PhotoService({
    prisma,
    store,
    photos: new PhotoStore(config.dataDir),
    tickets,
    publisher: publisherProxy,
  });
  const vapid = await loadVapidKeys(prisma);
  const track = new TrackService({
    prisma,
    store,
    tickets,
    photos,
    categories,
    clock: systemClock,
    timeScale: config.timeScale,
  });
  io = createSocketServer({
    httpServer,
    track,
    redis,
    redisPrefix: config.redisPrefix,
    sessions,
    tickets,
    tasks: tasks.service,
    regions,
    logger: log,
  });
  metrics.trackSockets(io);
  metrics.trackQueue(timers.queue);

  let shuttingDown = false;
  const auth = new AuthService(
    prisma,
    sessions,
    argon2Hasher,
    new RedisRateLimiter(redis, config.redisPrefix),
  );
  const open311 = createOpen311({
    prisma,
    catalog: categories,
    tickets,
    audit,
    clock: systemClock,
    jurisdiction: config.open311Jurisdiction,
    logger: log,
  });
  const app = createApp({
    logger: log,
    authenticate: authenticate(sessions),
    rootRouters: [
      healthRouter({ prisma, redis, isShuttingDown: () => shuttingDown }),
      metrics.router(),
      queueBoardRouter([timers.queue, tasks.timers.queue]),
      open311.router,
    ],
    errorHandlers: [open311.errorHandler],
    apiRouters: [
      authRouter({
        auth,
        sessions,
        secureCookies: config.secureCookies,
        onSessionRevoked: (sessionId) => io && disconnectSession(io, sessionId),
      }),
      configRouter({ tileUrl: config.tileUrl, timeScale: config.timeScale }),
      regionsRouter({ prisma, regions }),
      categoriesRouter({ categories }),
      // Before the tickets router, whose /tickets/:id/:action would take /ask-volunteers.
      tasksRouter({ tasks: tasks.service }),
      // Before the tickets router, whose /tickets/:id/:action would take /photos.
      photosRouter({ photos }),
      // Before the track router, whose /track/:code/:action would take /push.
      notificationsRouter({
        subscriptions: new PushSubscriptions(prisma),
        track,
        vapidPublicKey: vapid.publicKey,
      }),
      trackRouter({ track, limiter: new RedisRateLimiter(redis, config.redisPrefix) }),
      publicMapRouter({ prisma }),
      ticketsRouter({
        prisma,
        store,
        categories,
        tickets,
        summons: new SummonsService({
          prisma,
          store,
          tickets,
          publisher: publisherProxy,
          timers,
          clock: systemClock,
          timeScale: config.timeScale,
        }),
      }),
      eventsRouter({ store }),
      positionsRouter({
        positions: createPositionService({
          prisma,
          redis,
          redisPrefix: config.redisPrefix,
          io,
          regions,
        }),
        regions,
      }),
      volunteersRouter({
        prisma,
        redis,
        redisPrefix: config.redisPrefix,
        io,
        regions,
        audit,
        sessions,
        hasher: argon2Hasher,
        limiter: new RedisRateLimiter(redis, config.redisPrefix),
        secureCookies: config.secureCookies,
      }),
      residentsRouter({
        residents: new ResidentService({
          prisma,
          sessions,
          hasher: argon2Hasher,
          limiter: new RedisRateLimiter(redis, config.redisPrefix),
        }),
        secureCookies: config.secureCookies,
      }),
      rewardsRouter({ prisma, regions, audit }),
      statsRouter({ prisma, regions }),
      careRouter({ prisma, regions, audit, timeScale: config.timeScale }),
      adminUsersRouter({
        prisma,
        regions,
        sessions,
        audit,
        onSessionRevoked: (sessionId) => io && disconnectSession(io, sessionId),
      }),
      admin.router,
      open311.adminRouter,
    ],
    web: await loadWebHandler(config.webHandlerPath, log),
    onRequestDone: (route, method, status, seconds) =>
      metrics.observeHttp(route, method, status, seconds),
  });
  // While shutting down, every response ends its connection, so keep-alive
  // clients cannot hold the server open with new requests.
  httpServer.on('request', (_req, res) => {
    if (shuttingDown) res.setHeader('connection', 'close');
  });
  prototypes.adoptBy(app);
  httpServer.on('request', app);

  const socketIo = io;
  const runtime: ServerRuntime = {
    httpServer,
    io: socketIo,
    prisma,
    logger: log,
    async reloadRegions() {
      directory = await loadRegionDirectory(prisma);
    },
    listen(port = config.port) {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, config.host, () => {
          const address = httpServer.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      });
    },
    async close() {
      shuttingDown = true;
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      // This process's sockets only (the adapter would tell every server): they
      // reconnect to another process, or to this one restarted, and catch up via /api/events.
      socketIo.local.disconnectSockets(true);
      // Connections free up as their in-flight requests finish; close each as soon as it is idle.
      const sweep = setInterval(() => httpServer.closeIdleConnections(), 100);
      const lastResort = setTimeout(() => httpServer.closeAllConnections(), SHUTDOWN_GRACE_MS);
      httpServer.closeIdleConnections();
      await closed;
      clearInterval(sweep);
      clearTimeout(lastResort);
      await socketIo.close().catch(() => undefined);
      await timers.close();
      await tasks.close();
      await admin.close();
      redis.disconnect();
      queueRedis.disconnect();
      await prisma.$disconnect();
    },
  };
  return runtime;
}
