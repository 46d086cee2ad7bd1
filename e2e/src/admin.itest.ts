import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  geometryCentroid,
  type AreaGeometry,
  type DeadlinePolicy,
  type ImportProblem,
  type Position,
  type RegionFeatureCollection,
  type TicketSummary,
} from '@gridline/core';
import { createServerRuntime, loadConfig, type ServerRuntime } from '@gridline/server';
import { startSystem, type Session, type TestSystem } from './support/system.ts';

interface Answer<T> {
  status: number;
  body: T;
}

async function call<T = unknown>(
  baseUrl: string,
  session: Session | null,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<Answer<T>> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(session ? { cookie: session.cookie } : {}),
      ...(body === undefined ? {} : { 'content-type': contentType }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T };
}

/** The part of a convex ring on one side of the meridian `lng` (Sutherland–Hodgman). */
function halfOf(ring: Position[], lng: number, west: boolean): Position[] {
  const open = ring.slice(0, -1);
  const inside = (p: Position) => (west ? p[0] <= lng : p[0] >= lng);
  const out: Position[] = [];
  for (let i = 0; i < open.length; i++) {
    const p = open[i]!;
    const q = open[(i + 1) % open.length]!;
    if (inside(p)) out.push(p);
    if (inside(p) !== inside(q)) {
      const t = (lng - p[0]) / (q[0] - p[0]);
      out.push([lng, p[1] + t * (q[1] - p[1])]);
    }
  }
  return [...out, out[0]!];
}

const polygon = (ring: Position[]): AreaGeometry => ({ type: 'Polygon', coordinates: [ring] });
const box = (west: number, south: number, east: number, north: number): AreaGeometry =>
  polygon([
    [west, south],
    [east, south],
    [east, north],
    [west, north],
    [west, south],
  ]);

describe('admin: regions, grids, categories, users', () => {
  let system: TestSystem;
  let admin: Session;
  let member: Session;
  let dispatcher: Session;
  let second: ServerRuntime;
  let secondUrl: string;
  let grid: { id: number; code: string; parentId: number; boundary: AreaGeometry };
  let community: { id: number; code: string; parentId: number };

  beforeAll(async () => {
    system = await startSystem({ workers: false });
    admin = await system.login('admin');
    member = await system.login('member');
    dispatcher = await system.login('dispatcher');
    // A second server process on the same database and Redis: it must see every admin change too.
    const config = loadConfig({
      ...process.env,
      DATABASE_URL: system.databaseUrl,
      REDIS_PREFIX: system.redisPrefix,
      LOG_LEVEL: 'silent',
      WEB_HANDLER: 'none',
      SESSION_SECRET: 'test-secret',
    });
    second = await createServerRuntime({ ...config, host: '127.0.0.1' });
    secondUrl = `http://127.0.0.1:${await second.listen(0)}`;
    const prisma = system.server.prisma;
    const row = await prisma.region.findUniqueOrThrow({ where: { id: member.user.regionId! } });
    grid = {
      id: row.id,
      code: row.code,
      parentId: row.parentId!,
      boundary: row.boundary as unknown as AreaGeometry,
    };
    const parent = await prisma.region.findUniqueOrThrow({ where: { id: grid.parentId } });
    community = { id: parent.id, code: parent.code, parentId: parent.parentId! };
  });
  afterAll(async () => {
    await second?.close();
    await system?.close();
  });

  /** Everything an import could change, as one fingerprint. */
  const fingerprint = async () => {
    const [row] = await system.server.prisma.$queryRaw<{ regions: string; assignments: string }[]>`
      SELECT
        (SELECT count(*) || ':' || md5(coalesce(string_agg(
           concat_ws('|', id, code, name, name_en, level, parent_id, boundary::text, centroid_lat, centroid_lng),
           ',' ORDER BY id), '')) FROM regions) AS regions,
        (SELECT count(*) || ':' || md5(coalesce(string_agg(
           concat_ws('|', grid_id, member_id, backup_id), ',' ORDER BY grid_id), '')) FROM grid_assignments) AS assignments`;
    const audits = await system.server.prisma.auditLog.count({ where: { entity: 'regions' } });
    return { ...row, audits };
  };

  const postTicket = async (baseUrl: string, location: { lat: number; lng: number }) => {
    const answer = await call<{ ticket: TicketSummary }>(baseUrl, null, 'POST', '/api/tickets', {
      categoryCode: 'NOISE',
      priority: 'URGENT',
      description: '管理测试：夜间噪音',
      location,
    });
    expect(answer.status).toBe(201);
    return answer.body.ticket;
  };

  it('refuses everyone but admins', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/admin/users'],
      ['GET', '/api/admin/regions?level=DISTRICT'],
      ['GET', '/api/admin/regions/export?level=DISTRICT'],
      ['POST', '/api/admin/regions/import', { type: 'FeatureCollection', features: [] }],
      ['PATCH', `/api/admin/grids/${grid.id}`, { backupId: member.user.id }],
      ['GET', '/api/admin/categories'],
      ['PATCH', '/api/admin/categories/NOISE', { requiresVerification: true }],
    ];
    for (const [method, path, body] of routes) {
      for (const session of [member, dispatcher]) {
        const answer = await call<{ error: { code: string } }>(
          system.baseUrl,
          session,
          method,
          path,
          body,
        );
        expect([path, session.user.username, answer.status]).toEqual([
          path,
          session.user.username,
          403,
        ]);
      }
      expect((await call(system.baseUrl, null, method, path, body)).status).toBe(401);
    }
  });

  it('exports GeoJSON that imports back cleanly (a dry run over the whole city, above the 100 kB JSON limit)', async () => {
    const grids = await call<RegionFeatureCollection>(
      system.baseUrl,
      admin,
      'GET',
      `/api/admin/regions/export?level=GRID&parentId=${community.id}`,
    );
    expect(grids.status).toBe(200);
    expect(grids.body.type).toBe('FeatureCollection');
    const mine = grids.body.features.find((feature) => feature.properties.code === grid.code);
    expect(mine?.properties).toMatchObject({
      level: 'GRID',
      parentCode: community.code,
      memberUsername: 'member',
    });
    expect(
      grids.body.features.every((feature) => feature.properties.parentCode === community.code),
    ).toBe(true);

    const everything = await call<RegionFeatureCollection>(
      system.baseUrl,
      admin,
      'GET',
      '/api/admin/regions/export',
    );
    expect(everything.body.features.length).toBeGreaterThan(1500);
    const before = await fingerprint();
    const dry = await call<{
      dryRun: boolean;
      applied: boolean;
      summary: { updated: number; created: number };
    }>(
      system.baseUrl,
      admin,
      'POST',
      '/api/admin/regions/import?dryRun=1',
      everything.body,
      'application/geo+json',
    );
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, applied: false });
    expect(dry.body.summary).toMatchObject({
      created: 0,
      updated: everything.body.features.length,
    });
    // The same body as application/json meets the app-wide 100 kB limit.
    const tooLarge = await call(
      system.baseUrl,
      admin,
      'POST',
      '/api/admin/regions/import?dryRun=1',
      everything.body,
    );
    expect(tooLarge.status).toBe(413);
    expect(await fingerprint()).toEqual(before);
  });

  it('rejects a file with errors with 422, every problem by feature, and writes nothing', async () => {
    const siblings = await system.server.prisma.region.findMany({
      where: { parentId: community.id, level: 'GRID', id: { not: grid.id } },
    });
    const sibling = siblings[0]!;
    const feature = (
      code: string | undefined,
      geometry: unknown,
      extra: Record<string, unknown> = {},
    ) => ({
      type: 'Feature',
      geometry,
      properties: {
        code,
        name: `测试网格 ${code ?? ''}`,
        level: 'GRID',
        parentCode: community.code,
        ...extra,
      },
    });
    const street = await system.server.prisma.region.findUniqueOrThrow({
      where: { id: community.parentId },
    });
    const ring = (grid.boundary as { coordinates: Position[][] }).coordinates[0]!;
    const [west, south] = ring[0]!;
    const file = {
      type: 'FeatureCollection',
      features: [
        feature(`${community.code}-X1`, sibling.boundary), // 0 overlaps a stored grid
        feature(undefined, box(west, south, west + 0.001, south + 0.001)), // 1 no code
        feature(`${community.code}-X2`, box(0, 0, 0.001, 0.001)), // 2 duplicate
        feature(`${community.code}-X2`, box(0, 1, 0.001, 1.001)), // 3 duplicate
        feature(`${community.code}-X3`, box(1, 1, 1.001, 1.001), { parentCode: 'NO-SUCH' }), // 4
        feature(`${community.code}-X4`, box(2, 2, 2.001, 2.001), { parentCode: street.code }), // 5 grid under a street
        feature(`${community.code}-X5`, {
          type: 'Polygon',
          coordinates: [
            (box(5, 5, 5.001, 5.001) as { coordinates: Position[][] }).coordinates[0]!.slice(0, -1),
          ],
        }), // 6 unclosed ring
        feature(`${community.code}-X6`, {
          type: 'Polygon',
          coordinates: [
            [
              [3, 3],
              [3.001, 3.001],
              [3.001, 3],
              [3, 3.001],
              [3, 3],
            ],
          ],
        }), // 7 self-intersection
        feature(`${community.code}-X7`, box(200, 95, 200.001, 95.001)), // 8 out of range
        feature(`${community.code}-X8`, { type: 'Point', coordinates: [west, south] }), // 9 not a polygon
        feature(`${community.code}-X9`, box(4, 4, 4.001, 4.001)), // 10 orphan
      ],
    };

    const before = await fingerprint();
    for (const dryRun of [true, false]) {
      const answer = await call<{
        error: { code: string; details: { problems: ImportProblem[] } };
      }>(
        system.baseUrl,
        admin,
        'POST',
        `/api/admin/regions/import${dryRun ? '?dryRun=1' : ''}`,
        file,
        'application/geo+json',
      );
      expect(answer.status).toBe(422);
      expect(answer.body.error.code).toBe('UNPROCESSABLE');
      const problems = answer.body.error.details.problems;
      const seen = problems.map((problem) => `${problem.index}:${problem.kind}`);
      expect(seen).toEqual([
        '0:OVERLAP',
        '1:MISSING_CODE',
        '2:DUPLICATE_CODE',
        '3:DUPLICATE_CODE',
        '4:UNKNOWN_PARENT',
        '5:WRONG_LEVEL',
        '6:RING_NOT_CLOSED',
        '7:SELF_INTERSECTION',
        '8:COORDINATES_OUT_OF_RANGE',
        '9:GEOMETRY_TYPE',
        '10:ORPHAN',
      ]);
      expect(problems[0]).toMatchObject({ code: `${community.code}-X1`, other: sibling.code });
      expect(problems.every((problem) => problem.message.length > 0)).toBe(true);
    }
    expect(await fingerprint()).toEqual(before);
  });

  it('imports a valid file in one transaction: rows, one audit entry, and routing in every process', async () => {
    const ring = (grid.boundary as { coordinates: Position[][] }).coordinates[0]!;
    const middle = geometryCentroid(grid.boundary).lng;
    const westHalf = polygon(halfOf(ring, middle, true));
    const eastHalf = polygon(halfOf(ring, middle, false));
    const newCode = `${community.code}-NEW`;
    const file = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          geometry: westHalf,
          properties: {
            code: grid.code,
            name: '健身社区第1网格（西）',
            level: 'GRID',
            parentCode: community.code,
          },
        },
        {
          type: 'Feature',
          geometry: eastHalf,
          properties: {
            code: newCode,
            name: '健身社区新网格',
            nameEn: 'New grid',
            level: 'GRID',
            parentCode: community.code,
            memberUsername: 'member',
          },
        },
      ],
    };
    const eastPoint = geometryCentroid(eastHalf);
    const westPoint = geometryCentroid(westHalf);
    // Before: the east half still belongs to the old grid, in both processes.
    expect((await postTicket(system.baseUrl, eastPoint)).gridId).toBe(grid.id);
    expect((await postTicket(secondUrl, eastPoint)).gridId).toBe(grid.id);

    const regionsBefore = await system.server.prisma.region.count();
    const before = await fingerprint();
    const dry = await call(
      system.baseUrl,
      admin,
      'POST',
      '/api/admin/regions/import',
      { ...file, dryRun: true },
      'application/geo+json',
    );
    expect(dry.status).toBe(200);
    expect(await fingerprint()).toEqual(before);

    const answer = await call<{ applied: boolean; summary: { created: number; updated: number } }>(
      system.baseUrl,
      admin,
      'POST',
      '/api/admin/regions/import',
      file,
      'application/geo+json',
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ applied: true, summary: { created: 1, updated: 1 } });
    expect(await system.server.prisma.region.count()).toBe(regionsBefore + 1);
    const created = await system.server.prisma.region.findUniqueOrThrow({
      where: { code: newCode },
      include: { gridAssignment: true },
    });
    expect(created).toMatchObject({ level: 'GRID', parentId: community.id, nameEn: 'New grid' });
    expect(created.gridAssignment?.memberId).toBe(member.user.id);
    expect(created.centroidLat).toBeCloseTo(eastPoint.lat, 6);

    const audit = await call<{
      entries: {
        action: string;
        actorId: number;
        details: { created: string[]; updated: string[] };
      }[];
    }>(system.baseUrl, admin, 'GET', '/api/admin/audit?entity=regions');
    expect(audit.body.entries).toHaveLength(1);
    expect(audit.body.entries[0]).toMatchObject({
      action: 'import',
      actorId: admin.user.id,
      details: { created: [newCode], updated: [grid.code] },
    });

    // This process reloaded before answering; the other one hears it over Redis.
    expect((await postTicket(system.baseUrl, eastPoint)).gridId).toBe(created.id);
    expect((await postTicket(system.baseUrl, westPoint)).gridId).toBe(grid.id);
    let routed: number | null = null;
    for (let attempt = 0; attempt < 50 && routed !== created.id; attempt++) {
      routed = (await postTicket(secondUrl, eastPoint)).gridId;
      if (routed !== created.id) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(routed).toBe(created.id);
  });

  it('assigns a grid member and backup, validated and audited', async () => {
    const prisma = system.server.prisma;
    const sibling = await prisma.region.findFirstOrThrow({
      where: {
        parentId: community.id,
        level: 'GRID',
        id: { not: grid.id },
        code: { not: { endsWith: '-NEW' } },
      },
      include: { gridAssignment: true },
    });
    const siblingMember = sibling.gridAssignment!.memberId;
    const elsewhere = await prisma.user.findFirstOrThrow({
      where: { role: 'GRID_MEMBER', region: { parentId: { not: community.id } } },
    });
    const patch = (id: number, body: unknown) =>
      call<{ assignment: { member: { id: number }; backup: { id: number } | null } }>(
        system.baseUrl,
        admin,
        'PATCH',
        `/api/admin/grids/${id}`,
        body,
      );

    expect((await patch(grid.id, { backupId: elsewhere.id })).status).toBe(422);
    expect((await patch(grid.id, { backupId: dispatcher.user.id })).status).toBe(422);
    expect((await patch(grid.id, { backupId: member.user.id })).status).toBe(422); // same as the member
    expect((await patch(community.id, { memberId: member.user.id })).status).toBe(422);
    expect((await patch(999_999, { memberId: member.user.id })).status).toBe(404);
    expect((await patch(grid.id, {})).status).toBe(400);

    const ok = await patch(grid.id, { backupId: siblingMember });
    expect(ok.status).toBe(200);
    expect(ok.body.assignment.backup?.id).toBe(siblingMember);
    const stored = await prisma.gridAssignment.findUniqueOrThrow({ where: { gridId: grid.id } });
    expect(stored).toMatchObject({ memberId: member.user.id, backupId: siblingMember });
    const cleared = await patch(grid.id, { backupId: null });
    expect(cleared.body.assignment.backup).toBeNull();

    const audit = await call<{
      entries: { action: string; details: { after: { backupId: number | null } } }[];
    }>(system.baseUrl, admin, 'GET', `/api/admin/audit?entity=grid&entityId=${grid.id}`);
    expect(audit.body.entries.map((entry) => [entry.action, entry.details.after.backupId])).toEqual(
      [
        ['assign', null],
        ['assign', siblingMember],
      ],
    );
  });

  it('changes a category policy: validated, audited, and new tickets in every process get the new deadlines', async () => {
    const current = await call<{ category: { policy: DeadlinePolicy } }>(
      system.baseUrl,
      admin,
      'GET',
      '/api/admin/categories/NOISE',
    );
    expect(current.status).toBe(200);
    const policy = current.body.category.policy;
    const bad = await call<{ error: { details: { path: string }[] } }>(
      system.baseUrl,
      admin,
      'PATCH',
      '/api/admin/categories/NOISE',
      {
        policy: {
          ...policy,
          URGENT: { ...policy.URGENT, acceptMinutes: 500, resolveMinutes: 100 },
        },
      },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((detail) => detail.path)).toEqual([
      'policy.URGENT.acceptMinutes',
    ]);
    expect(
      (await call(system.baseUrl, admin, 'PATCH', '/api/admin/categories/NOPE', { active: true }))
        .status,
    ).toBe(404);

    // Warm both processes' catalogues with the old policy first.
    const location = geometryCentroid(grid.boundary);
    await postTicket(system.baseUrl, location);
    await postTicket(secondUrl, location);

    const changed = await call(system.baseUrl, admin, 'PATCH', '/api/admin/categories/NOISE', {
      names: { zh: '噪音扰民', en: 'Noise nuisance' },
      policy: { ...policy, URGENT: { ...policy.URGENT, acceptMinutes: 7, resolveMinutes: 77 } },
    });
    expect(changed.status).toBe(200);
    const minutesOf = (ticket: TicketSummary) => [
      (Date.parse(ticket.acceptBy!) - Date.parse(ticket.createdAt)) / 60_000,
      (Date.parse(ticket.resolveBy!) - Date.parse(ticket.createdAt)) / 60_000,
    ];
    expect(minutesOf(await postTicket(system.baseUrl, location)).map(Math.round)).toEqual([7, 77]);
    let seen: number[] = [];
    for (let attempt = 0; attempt < 50; attempt++) {
      seen = minutesOf(await postTicket(secondUrl, location)).map(Math.round);
      if (seen[0] === 7) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen).toEqual([7, 77]);
    const list = await call<{ categories: { code: string; names: { en: string } }[] }>(
      secondUrl,
      null,
      'GET',
      '/api/categories',
    );
    expect(list.body.categories.find((category) => category.code === 'NOISE')?.names.en).toBe(
      'Noise nuisance',
    );

    const audit = await call<{
      entries: {
        action: string;
        details: { before: { policy: DeadlinePolicy }; after: { policy: DeadlinePolicy } };
      }[];
    }>(system.baseUrl, admin, 'GET', '/api/admin/audit?entity=category&entityId=NOISE');
    expect(audit.body.entries).toHaveLength(1);
    expect(audit.body.entries[0]!.details.before.policy.URGENT.acceptMinutes).toBe(
      policy.URGENT.acceptMinutes,
    );
    expect(audit.body.entries[0]!.details.after.policy.URGENT.acceptMinutes).toBe(7);
  });

  it('lists and searches users by text, role and region, a page at a time', async () => {
    type Users = {
      users: {
        id: number;
        username: string;
        role: string;
        regionId: number | null;
        regionName: string | null;
      }[];
      nextCursor: number | null;
    };
    const found = await call<Users>(system.baseUrl, admin, 'GET', '/api/admin/users?query=member');
    expect(found.status).toBe(200);
    expect(found.body.users.find((user) => user.username === 'member')).toMatchObject({
      role: 'GRID_MEMBER',
      regionId: grid.id,
    });
    const inCommunity = await call<Users>(
      system.baseUrl,
      admin,
      'GET',
      `/api/admin/users?regionId=${community.id}&role=GRID_MEMBER&limit=200`,
    );
    const ids = new Set(
      (
        await system.server.prisma.region.findMany({
          where: { OR: [{ id: community.id }, { parentId: community.id }] },
        })
      ).map((row) => row.id),
    );
    expect(inCommunity.body.users.length).toBeGreaterThan(1);
    expect(
      inCommunity.body.users.every(
        (user) => user.role === 'GRID_MEMBER' && ids.has(user.regionId!),
      ),
    ).toBe(true);

    const first = await call<Users>(
      system.baseUrl,
      admin,
      'GET',
      '/api/admin/users?role=GRID_MEMBER&limit=5',
    );
    expect(first.body.users).toHaveLength(5);
    const next = await call<Users>(
      system.baseUrl,
      admin,
      'GET',
      `/api/admin/users?role=GRID_MEMBER&limit=5&cursor=${first.body.nextCursor}`,
    );
    expect(next.body.users[0]!.id).toBeGreaterThan(first.body.users[4]!.id);
    expect((await call(system.baseUrl, admin, 'GET', '/api/admin/users?role=KING')).status).toBe(
      400,
    );
  });
});
