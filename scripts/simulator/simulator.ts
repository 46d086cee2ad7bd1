/**
 * A living demo city: residents report through the web, callers through the
 * hotline, grid members on patrol; whoever a ticket lands with accepts, starts
 * and resolves it after a human delay, some of them late, so escalations and
 * overdue tickets happen too. Everything goes through the public HTTP API and
 * Socket.IO, as the web app would; only the staff's sessions are minted in the
 * database (logging 2,000 people in would trip the login rate limits).
 */
import { io, type Socket } from 'socket.io-client';
import {
  areaGeometrySchema,
  mulberry32,
  SERVER_EVENTS,
  type AreaGeometry,
  type ServerToClientEvents,
  type TicketEventPayload,
  type TicketSummary,
} from '@gridline/core';
import type { PrismaClient } from '@gridline/db';
import { SessionRepository } from '@gridline/server';
import {
  arrivals,
  callerPhone,
  describe,
  humanDelayMs,
  pickCategory,
  pickChannel,
  randomPointIn,
  ticketsPerMinuteAt,
} from './traffic.ts';
import { startVolunteerSimulation, type VolunteerStats } from './volunteers.ts';

export interface SimulatorOptions {
  baseUrl: string;
  prisma: PrismaClient;
  /** The server's SESSION_SECRET, to mint the staff's sessions. */
  sessionSecret: string;
  /** Reports per minute in the busiest hour of the day. */
  peakPerMinute: number;
  /** Share of answers that come after the deadline. */
  lateShare?: number;
  seed?: number;
  /** The hour of day the arrival rate follows; default: now in Asia/Shanghai. */
  hourOfDay?: () => number;
  /** Volunteers who go on duty and answer offers (200); 0 leaves them out. */
  volunteers?: number;
  /** Community staff post a volunteer task about this often (20 s). */
  taskEveryMs?: number;
  log?: (message: string) => void;
}

export interface SimulatorStats {
  filed: number;
  accepted: number;
  started: number;
  resolved: number;
  /** Requests the server refused for another reason than the ticket having moved on. */
  failed: number;
  volunteers: VolunteerStats | null;
}

export interface Simulator {
  stats: SimulatorStats;
  stop(): Promise<void>;
}

interface Grid {
  id: number;
  name: string;
  area: AreaGeometry;
  memberId: number | null;
}

const TICK_MS = 1000;
const REPORT_EVERY_MS = 60_000;
const STAFF_ROLES = ['GRID_MEMBER', 'COMMUNITY_STAFF', 'DISPATCHER'] as const;

function shanghaiHour(): number {
  return (new Date().getUTCHours() + 8) % 24;
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const random = mulberry32(options.seed ?? Date.now());
  const lateShare = options.lateShare ?? 0.15;
  const hourOfDay = options.hourOfDay ?? shanghaiHour;
  const log = options.log ?? ((message: string) => console.log(`[simulator] ${message}`));
  const stats: SimulatorStats = {
    filed: 0,
    accepted: 0,
    started: 0,
    resolved: 0,
    failed: 0,
    volunteers: null,
  };

  const { prisma } = options;
  const staff = new Set(
    (
      await prisma.user.findMany({
        where: { role: { in: [...STAFF_ROLES] }, active: true },
        select: { id: true },
      })
    ).map((user) => user.id),
  );
  const members = new Map(
    (
      await prisma.user.findMany({
        where: { role: 'GRID_MEMBER', active: true },
        select: { id: true, regionId: true },
      })
    ).map((user) => [user.regionId, user.id]),
  );
  const grids: Grid[] = [];
  for (const region of await prisma.region.findMany({
    where: { level: 'GRID' },
    select: { id: true, name: true, boundary: true },
  })) {
    const area = areaGeometrySchema.safeParse(region.boundary);
    if (area.success)
      grids.push({
        id: region.id,
        name: region.name,
        area: area.data as AreaGeometry,
        memberId: members.get(region.id) ?? null,
      });
  }
  const cityDispatcher = await prisma.user.findFirst({
    where: { role: 'DISPATCHER', active: true, region: { level: 'CITY' } },
    orderBy: { id: 'asc' },
    select: { id: true },
  });
  if (grids.length === 0 || !cityDispatcher) {
    throw new Error('The simulator needs the seeded demo city (grids and a city dispatcher)');
  }

  const sessions = new SessionRepository(prisma, options.sessionSecret);
  const cookies = new Map<number, Promise<string>>();
  const cookieOf = (userId: number) => {
    let cookie = cookies.get(userId);
    if (!cookie) {
      cookie = sessions
        .create(userId, { userAgent: 'gridline-simulator' })
        .then(({ token }) => `gl_session=${token}`);
      cookies.set(userId, cookie);
    }
    return cookie;
  };

  const categoriesResponse = await fetch(`${options.baseUrl}/api/categories`);
  const { categories } = (await categoriesResponse.json()) as {
    categories: Array<{ code: string }>;
  };
  const codes = categories.map((category) => category.code);

  const call = async (
    path: string,
    body: unknown,
    asUser: number | null,
  ): Promise<{ status: number; body: { ticket?: TicketSummary } & Record<string, unknown> }> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (asUser !== null) headers.cookie = await cookieOf(asUser);
    const response = await fetch(`${options.baseUrl}${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    const parsed = (await response.json().catch(() => ({}))) as {
      ticket?: TicketSummary;
      error?: { code: string; message: string };
    } & Record<string, unknown>;
    // 409, or 403 once it is someone else's: the ticket (or task) moved on (escalated,
    // reassigned, filled) before this person answered, as happens in life.
    if (response.status >= 400 && response.status !== 409 && response.status !== 403) {
      stats.failed++;
      log(`${path} refused: ${response.status} ${parsed.error?.message ?? ''}`);
    }
    return { status: response.status, body: parsed };
  };

  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const later = (delayMs: number, action: () => Promise<void>) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) action().catch((error: unknown) => log(`error: ${(error as Error).message}`));
    }, delayMs);
    timers.add(timer);
  };

  /** What each ticket's current holder plans to do next, so an event seen twice plans once. */
  const planned = new Map<number, string>();
  const plan = (ticket: TicketSummary) => {
    const assigneeId = ticket.assigneeId;
    if (assigneeId === null || !staff.has(assigneeId)) return;
    const key = `${ticket.status}:${ticket.version}:${assigneeId}`;
    if (planned.get(ticket.id) === key) return;
    const now = Date.now();
    if (ticket.status === 'ASSIGNED' || ticket.status === 'REOPENED') {
      planned.set(ticket.id, key);
      const window = ticket.acceptBy ? Date.parse(ticket.acceptBy) - now : 60_000;
      later(humanDelayMs(window, random, lateShare), async () => {
        const reply = await call(
          `/api/tickets/${ticket.id}/accept`,
          { version: ticket.version },
          assigneeId,
        );
        if (reply.status === 200) stats.accepted++;
      });
    } else if (ticket.status === 'ACCEPTED') {
      planned.set(ticket.id, key);
      const window = ticket.resolveBy ? Date.parse(ticket.resolveBy) - now : 60_000;
      const resolveIn = humanDelayMs(window, random, lateShare);
      later(Math.min(resolveIn / 4, 30_000), async () => {
        const started = await call(
          `/api/tickets/${ticket.id}/start`,
          { version: ticket.version },
          assigneeId,
        );
        if (started.status !== 200 || !started.body.ticket) return;
        stats.started++;
        const inProgress = started.body.ticket;
        later(Math.max(0, resolveIn - Math.min(resolveIn / 4, 30_000)), async () => {
          const resolved = await call(
            `/api/tickets/${ticket.id}/resolve`,
            { version: inProgress.version, note: '已到现场处理完毕 / Fixed on site' },
            assigneeId,
          );
          if (resolved.status === 200) stats.resolved++;
        });
      });
    } else if (!['IN_PROGRESS', 'PENDING'].includes(ticket.status)) {
      planned.delete(ticket.id);
    }
  };

  // The city's dispatcher hears every ticket event: the simulator acts on them.
  const socket: Socket<ServerToClientEvents> = io(options.baseUrl, {
    transports: ['websocket'],
    extraHeaders: { cookie: await cookieOf(cityDispatcher.id) },
  });
  for (const name of SERVER_EVENTS) {
    if (!name.startsWith('ticket.')) continue;
    socket.on(name as 'ticket.created', (payload: TicketEventPayload) => plan(payload.ticket));
  }
  socket.on('connect_error', (error) => log(`socket: ${error.message}`));

  const fileOne = async () => {
    const grid = grids[Math.floor(random() * grids.length)]!;
    const categoryCode = pickCategory(codes, random);
    const channel = pickChannel(random);
    const body = {
      categoryCode,
      description: describe(categoryCode, random),
      location: randomPointIn(grid.area, random),
      address: `${grid.name}附近`,
      channel,
      ...(channel === 'PATROL' ? {} : { reporter: { phone: callerPhone(random) } }),
    };
    const as =
      channel === 'PATROL' ? grid.memberId : channel === 'HOTLINE' ? cityDispatcher.id : null;
    if (channel === 'PATROL' && as === null) return;
    const reply = await call('/api/tickets', body, as);
    if (reply.status === 201) {
      stats.filed++;
      if (reply.body.ticket) plan(reply.body.ticket);
    }
  };

  const tick = setInterval(() => {
    const expected = ticketsPerMinuteAt(hourOfDay(), options.peakPerMinute) / (60_000 / TICK_MS);
    for (let n = arrivals(expected, random); n > 0; n--) {
      fileOne().catch((error: unknown) => log(`error: ${(error as Error).message}`));
    }
  }, TICK_MS);
  const configResponse = await fetch(`${options.baseUrl}/api/config`);
  const { timeScale } = (await configResponse.json()) as { timeScale: number };
  const volunteers =
    (options.volunteers ?? 200) > 0
      ? await startVolunteerSimulation({
          baseUrl: options.baseUrl,
          prisma,
          random,
          timeScale,
          volunteers: options.volunteers ?? 200,
          taskEveryMs: options.taskEveryMs ?? 20_000,
          cookieOf,
          call,
          later,
          log,
        })
      : null;
  stats.volunteers = volunteers?.stats ?? null;
  const report = setInterval(() => {
    const helped = stats.volunteers;
    log(
      `filed ${stats.filed}, accepted ${stats.accepted}, resolved ${stats.resolved}` +
        (helped
          ? `; volunteer tasks ${helped.tasksPosted}, offers ${helped.offers}, ` +
            `taken ${helped.accepted}, done ${helped.checkedOut}`
          : '') +
        (stats.failed > 0 ? `, refused ${stats.failed}` : ''),
    );
  }, REPORT_EVERY_MS);
  log(
    `running: up to ${options.peakPerMinute} reports a minute at the busiest hour, ` +
      `${Math.round(lateShare * 100)}% of answers late`,
  );

  return {
    stats,
    async stop() {
      stopped = true;
      volunteers?.stop();
      clearInterval(tick);
      clearInterval(report);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      socket.disconnect();
    },
  };
}
