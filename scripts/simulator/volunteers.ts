/**
 * The demo's volunteers: some hundreds go on duty, wander near home reporting
 * their position, answer offers (most accept, some decline, some let them
 * expire), walk to the task, check in and check out after its duration.
 * Community staff post tasks in the communities where they live. All through
 * the public API and Socket.IO, each volunteer with their own socket.
 */
import { io, type Socket } from 'socket.io-client';
import {
  areaGeometrySchema,
  scaledMs,
  type AreaGeometry,
  type LatLng,
  type Random,
  type ServerToClientEvents,
  type TaskEventPayload,
} from '@gridline/core';
import type { PrismaClient } from '@gridline/db';
import { randomPointIn } from './traffic.ts';
import { answerDelayMs, answerOffer, pickTaskTemplate, wander } from './volunteer-model.ts';

export interface VolunteerStats {
  onDuty: number;
  tasksPosted: number;
  offers: number;
  accepted: number;
  declined: number;
  checkedIn: number;
  checkedOut: number;
}

export interface VolunteerSimulationDeps {
  baseUrl: string;
  prisma: PrismaClient;
  random: Random;
  timeScale: number;
  /** How many volunteers go on duty. */
  volunteers: number;
  /** A task posted about this often, in real milliseconds. */
  taskEveryMs: number;
  cookieOf: (userId: number) => Promise<string>;
  /** POST as a user; answers the status and the JSON body. Counts refusals itself. */
  call: (path: string, body: unknown, asUser: number) => Promise<{ status: number; body: unknown }>;
  later: (delayMs: number, action: () => Promise<void>) => void;
  log: (message: string) => void;
}

export interface VolunteerSimulation {
  stats: VolunteerStats;
  stop(): void;
}

interface SimulatedVolunteer {
  userId: number;
  communityId: number;
  home: LatLng;
  at: LatLng;
  busy: boolean;
  socket: Socket<ServerToClientEvents> | null;
}

const MOVE_EVERY_MS = 15_000;

export async function startVolunteerSimulation(
  deps: VolunteerSimulationDeps,
): Promise<VolunteerSimulation> {
  const { prisma, random } = deps;
  const stats: VolunteerStats = {
    onDuty: 0,
    tasksPosted: 0,
    offers: 0,
    accepted: 0,
    declined: 0,
    checkedIn: 0,
    checkedOut: 0,
  };
  const rows = await prisma.volunteer.findMany({
    where: {
      status: 'APPROVED',
      homeLat: { not: null },
      homeLng: { not: null },
      homeCommunityId: { not: null },
      user: { active: true, username: { not: 'volunteer' } },
    },
    select: { userId: true, homeLat: true, homeLng: true, homeCommunityId: true },
    orderBy: { userId: 'asc' },
    take: deps.volunteers,
  });
  const people: SimulatedVolunteer[] = rows.map((row) => {
    const home = { lat: row.homeLat!, lng: row.homeLng! };
    return {
      userId: row.userId,
      communityId: row.homeCommunityId!,
      home,
      at: home,
      busy: false,
      socket: null,
    };
  });
  const communities = [...new Set(people.map((person) => person.communityId))];
  const staff = new Map(
    (
      await prisma.user.findMany({
        where: { role: 'COMMUNITY_STAFF', active: true, regionId: { in: communities } },
        select: { id: true, regionId: true },
        orderBy: { id: 'asc' },
      })
    ).map((user) => [user.regionId!, user.id]),
  );
  const gridsOf = new Map<number, AreaGeometry[]>();
  for (const grid of await prisma.region.findMany({
    where: { level: 'GRID', parentId: { in: communities } },
    select: { parentId: true, boundary: true },
  })) {
    const area = areaGeometrySchema.safeParse(grid.boundary);
    if (!area.success || grid.parentId === null) continue;
    const list = gridsOf.get(grid.parentId) ?? [];
    list.push(area.data as AreaGeometry);
    gridsOf.set(grid.parentId, list);
  }

  let stopped = false;
  const report = (person: SimulatedVolunteer) =>
    deps.call('/api/volunteers/me/location', person.at, person.userId);

  const answer = (person: SimulatedVolunteer, payload: TaskEventPayload) => {
    const { task, assignment } = payload;
    if (!assignment || assignment.volunteerId !== person.userId) return;
    stats.offers++;
    const choice = person.busy ? 'decline' : answerOffer(random);
    if (choice === 'ignore') return;
    const expiresIn = assignment.expiresAt ? Date.parse(assignment.expiresAt) - Date.now() : 60_000;
    deps.later(answerDelayMs(expiresIn, random), async () => {
      if (choice === 'decline' || person.busy) {
        const declined = await deps.call(`/api/tasks/${task.id}/decline`, {}, person.userId);
        if (declined.status === 200) stats.declined++;
        return;
      }
      const accepted = await deps.call(`/api/tasks/${task.id}/accept`, {}, person.userId);
      if (accepted.status !== 200) return;
      stats.accepted++;
      person.busy = true;
      const site = { lat: task.lat, lng: task.lng };
      const startIn = Math.max(50, Date.parse(task.startsAt) - Date.now());
      deps.later(startIn, async () => {
        person.at = site;
        await report(person);
        const checkedIn = await deps.call(`/api/tasks/${task.id}/check-in`, site, person.userId);
        if (checkedIn.status !== 200) {
          person.busy = false;
          return;
        }
        stats.checkedIn++;
        deps.later(Math.max(1_000, scaledMs(task.durationMinutes, deps.timeScale)), async () => {
          const checkedOut = await deps.call(
            `/api/tasks/${task.id}/check-out`,
            site,
            person.userId,
          );
          if (checkedOut.status === 200) stats.checkedOut++;
          person.busy = false;
        });
      });
    });
  };

  // On duty, a first position and a socket for offers, fifty at a time.
  for (let i = 0; i < people.length && !stopped; i += 50) {
    await Promise.all(
      people.slice(i, i + 50).map(async (person) => {
        const duty = await deps.call('/api/volunteers/me/duty', { onDuty: true }, person.userId);
        if (duty.status !== 200) return;
        stats.onDuty++;
        await report(person);
        const socket: Socket<ServerToClientEvents> = io(deps.baseUrl, {
          transports: ['websocket'],
          extraHeaders: { cookie: await deps.cookieOf(person.userId) },
        });
        socket.on('task.offered', (payload) => answer(person, payload));
        person.socket = socket;
      }),
    );
  }

  const move = setInterval(() => {
    for (const person of people) {
      if (person.busy || person.socket === null) continue;
      person.at = wander(person.home, person.at, random);
      void report(person).catch(() => undefined);
    }
  }, MOVE_EVERY_MS);

  const postTask = async () => {
    const person = people[Math.floor(random() * people.length)];
    if (!person) return;
    const creator = staff.get(person.communityId);
    const grids = gridsOf.get(person.communityId);
    if (creator === undefined || !grids?.length) return;
    const template = pickTaskTemplate(random);
    const now = Date.now();
    const reply = await deps.call(
      '/api/tasks',
      {
        ...template,
        location: randomPointIn(grids[Math.floor(random() * grids.length)]!, random),
        startsAt: new Date(now + scaledMs(5, deps.timeScale)).toISOString(),
        endsAt: new Date(
          now + scaledMs(template.durationMinutes * 3, deps.timeScale) + 60_000,
        ).toISOString(),
      },
      creator,
    );
    if (reply.status === 201) stats.tasksPosted++;
  };
  const post = setInterval(() => {
    postTask().catch((error: unknown) => deps.log(`error: ${(error as Error).message}`));
  }, deps.taskEveryMs);

  deps.log(`${stats.onDuty} volunteers on duty; a task posted every ${deps.taskEveryMs / 1000} s`);
  return {
    stats,
    stop() {
      stopped = true;
      clearInterval(move);
      clearInterval(post);
      for (const person of people) person.socket?.disconnect();
    },
  };
}
