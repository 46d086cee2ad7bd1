import { describe, expect, it } from 'vitest';
import {
  OVERDUE_VISITS_LIMIT,
  overdueVisits,
  type CareRecipientDto,
  type LatLng,
  type OverdueVisitsResponse,
  type RegionLevel,
  type Role,
} from '@gridline/core';
import type { RoutingResult } from '@gridline/db';
import type { AuditEntry } from '../audit/audit-log.ts';
import { HttpError } from '../http/errors.ts';
import type { AuthContext } from '../http/types.ts';
import { CareService, type CareReply } from './care-service.ts';
import {
  IdempotencyTaken,
  type AttachDeviceResult,
  type CareIdempotency,
  type CareRecipientData,
  type CareRecipientRecord,
  type CareRegions,
  type CareRepository,
  type OverdueRow,
} from './ports.ts';

const DAY = 24 * 3600_000;

/**
 * City 1 > district 2 > street 3 > communities 10 (grids 101: lat 0-1, 102:
 * lat 1-2) and 20 (grid 201: lat 2-3); street 4 > community 30 (grid 301:
 * lat 3-4). Beyond lat 4: outside every grid (nearest is 301).
 */
class FakeRegions implements CareRegions {
  readonly nodes = new Map<number, { id: number; level: RegionLevel; parentId: number | null }>([
    [1, { id: 1, level: 'CITY', parentId: null }],
    [2, { id: 2, level: 'DISTRICT', parentId: 1 }],
    [3, { id: 3, level: 'STREET', parentId: 2 }],
    [4, { id: 4, level: 'STREET', parentId: 2 }],
    [10, { id: 10, level: 'COMMUNITY', parentId: 3 }],
    [20, { id: 20, level: 'COMMUNITY', parentId: 3 }],
    [30, { id: 30, level: 'COMMUNITY', parentId: 4 }],
    [101, { id: 101, level: 'GRID', parentId: 10 }],
    [102, { id: 102, level: 'GRID', parentId: 10 }],
    [201, { id: 201, level: 'GRID', parentId: 20 }],
    [301, { id: 301, level: 'GRID', parentId: 30 }],
  ]);
  get(id: number) {
    return this.nodes.get(id);
  }
  isWithin(regionId: number, ancestorId: number): boolean {
    for (let node = this.nodes.get(regionId); node; ) {
      if (node.id === ancestorId) return true;
      node = node.parentId === null ? undefined : this.nodes.get(node.parentId);
    }
    return false;
  }
  route(point: LatLng): RoutingResult {
    const grids = [101, 102, 201, 301];
    const index = Math.floor(point.lat);
    const chain = (gridId: number) => {
      const community = this.nodes.get(gridId)!.parentId!;
      const street = this.nodes.get(community)!.parentId!;
      return { gridId, communityId: community, streetId: street, districtId: 2 };
    };
    if (index >= 0 && index < grids.length) return { kind: 'grid', chain: chain(grids[index]!) };
    return { kind: 'outside', chain: { ...chain(301), gridId: null } };
  }
}

class FakeRepository implements CareRepository {
  rows = new Map<number, CareRecipientRecord>();
  devices = new Map<string, { careRecipientId: number; active: boolean }>();
  audits: AuditEntry[] = [];
  idempotency = new Map<string, { requestHash: string; careRecipientId: number }>();
  nextId = 1;
  /** Bump a row's updatedAt just before the next update (a concurrent change). */
  raceNextUpdate = false;

  constructor(
    private readonly regions: FakeRegions,
    private readonly now: () => Date,
  ) {}

  #withDevices(row: CareRecipientRecord): CareRecipientRecord {
    return {
      ...row,
      devices: [...this.devices.entries()]
        .filter(([, device]) => device.careRecipientId === row.id)
        .map(([id, device]) => ({ id, active: device.active, lastSeenAt: null })),
    };
  }

  seed(data: Partial<CareRecipientData> & { createdAt?: Date }): CareRecipientRecord {
    const id = this.nextId++;
    const row: CareRecipientRecord = {
      id,
      communityId: 10,
      gridId: 101,
      householdName: `户${id}`,
      firstName: `名${id}`,
      kind: 'ELDERLY_ALONE',
      address: `地址${id}`,
      lat: 0.5,
      lng: 0.5,
      contacts: [],
      visitEveryDays: null,
      lastVisitAt: null,
      notes: null,
      createdAt: data.createdAt ?? this.now(),
      updatedAt: data.createdAt ?? this.now(),
      devices: [],
      ...data,
    };
    this.rows.set(id, row);
    return row;
  }

  async list(communityId: number) {
    return [...this.rows.values()]
      .filter((row) => row.communityId === communityId)
      .map((row) => this.#withDevices(row));
  }
  async find(id: number) {
    const row = this.rows.get(id);
    return row ? this.#withDevices(row) : null;
  }
  async create(data: CareRecipientData, audit: AuditEntry, idempotency: CareIdempotency | null) {
    if (idempotency && this.idempotency.has(`${idempotency.scope}|${idempotency.key}`)) {
      throw new IdempotencyTaken();
    }
    const row = this.seed(data);
    this.audits.push({ ...audit, entityId: String(row.id) });
    if (idempotency) {
      this.idempotency.set(`${idempotency.scope}|${idempotency.key}`, {
        requestHash: idempotency.requestHash,
        careRecipientId: row.id,
      });
    }
    return this.#withDevices(row);
  }
  async findIdempotent(scope: string, key: string) {
    return this.idempotency.get(`${scope}|${key}`) ?? null;
  }
  async update(id: number, expected: Date, changes: Partial<CareRecipientData>, audit: AuditEntry) {
    const row = this.rows.get(id);
    if (row && this.raceNextUpdate) {
      this.raceNextUpdate = false;
      row.updatedAt = new Date(row.updatedAt.getTime() + 1);
    }
    if (!row || row.updatedAt.getTime() !== expected.getTime()) return null;
    const updated = { ...row, ...changes, updatedAt: new Date(this.now().getTime() + 5) };
    this.rows.set(id, updated);
    this.audits.push(audit);
    return this.#withDevices(updated);
  }
  async attachDevice(
    careRecipientId: number,
    deviceId: string,
    audit: (previous: { careRecipientId: number; active: boolean } | null) => AuditEntry,
  ): Promise<AttachDeviceResult> {
    const before = this.devices.get(deviceId);
    if (before?.active) {
      return before.careRecipientId === careRecipientId
        ? { kind: 'unchanged' }
        : { kind: 'taken', careRecipientId: before.careRecipientId };
    }
    this.devices.set(deviceId, { careRecipientId, active: true });
    const previous = before ? { ...before } : null;
    this.audits.push(audit(previous));
    return { kind: 'attached', previous };
  }
  async deactivateDevice(careRecipientId: number, deviceId: string, audit: AuditEntry) {
    const device = this.devices.get(deviceId);
    if (!device || device.careRecipientId !== careRecipientId) return null;
    if (!device.active) return 'unchanged' as const;
    device.active = false;
    this.audits.push(audit);
    return 'deactivated' as const;
  }
  async overdue(query: {
    regionId: number | null;
    now: Date;
    timeScale: number;
    limit: number;
  }): Promise<OverdueRow[]> {
    const inScope = [...this.rows.values()].filter(
      (row) =>
        query.regionId === null ||
        this.regions.isWithin(row.communityId, query.regionId) ||
        (row.gridId !== null && this.regions.isWithin(row.gridId, query.regionId)),
    );
    return overdueVisits(inScope, query.now, query.timeScale)
      .slice(0, query.limit)
      .map((row) => ({
        id: row.id,
        communityId: row.communityId,
        householdName: row.householdName,
        firstName: row.firstName,
        address: row.address,
        dueAt: row.dueAt,
      }));
  }
}

function setup(timeScale = 1) {
  let now = new Date('2026-11-22T08:00:00Z');
  const regions = new FakeRegions();
  const repository = new FakeRepository(regions, () => now);
  const reads: AuditEntry[] = [];
  const service = new CareService({
    repository,
    audit: { record: async (entry) => void reads.push(entry) },
    regions: () => regions,
    clock: { now: () => now },
    timeScale,
  });
  const as = (role: Role, regionId: number | null, id = 7): { auth: AuthContext; ip: string } => ({
    auth: {
      user: { id, username: `u${id}`, displayName: 'U', role, regionId },
      sessionId: 's',
      regionLevel: regionId === null ? null : (regions.get(regionId)?.level ?? null),
    },
    ip: '127.0.0.1',
  });
  return {
    service,
    repository,
    reads,
    as,
    advance: (ms: number) => (now = new Date(now.getTime() + ms)),
    now: () => now,
  };
}

async function status(promise: Promise<CareReply>): Promise<number> {
  try {
    return (await promise).status;
  } catch (error) {
    if (error instanceof HttpError) return error.status;
    throw error;
  }
}

const household = {
  householdName: '王家',
  firstName: '秀兰',
  kind: 'ELDERLY_ALONE',
  address: '健身社区3号楼2单元501室',
  location: { lat: 1.5, lng: 0.5 },
  contacts: [{ name: '王强', relation: '子女', phone: '138 0013 8000' }],
  visitEveryDays: 7,
};

describe('CareService reads', () => {
  it('lists the households of the caller’s community and audits the read with their ids', async () => {
    const { service, repository, reads, as } = setup();
    const a = repository.seed({});
    repository.seed({ communityId: 20, gridId: 201, lat: 2.5 });
    const b = repository.seed({});
    const reply = await service.list(as('COMMUNITY_STAFF', 10), {});
    const body = reply.body as { careRecipients: CareRecipientDto[] };
    expect(body.careRecipients.map((row) => row.id)).toEqual([a.id, b.id]);
    expect(reads).toEqual([
      expect.objectContaining({
        action: 'read',
        entity: 'care_recipient',
        entityId: null,
        details: { communityId: 10, ids: [a.id, b.id] },
      }),
    ]);
  });

  it('refuses other communities, other roles and the signed out, auditing nothing', async () => {
    const { service, repository, reads, as } = setup();
    const row = repository.seed({ communityId: 20, gridId: 201 });
    expect(await status(service.list(as('COMMUNITY_STAFF', 10), { communityId: '20' }))).toBe(403);
    expect(await status(service.get(as('COMMUNITY_STAFF', 10), String(row.id)))).toBe(403);
    expect(await status(service.list(as('DISPATCHER', 1), {}))).toBe(403);
    expect(await status(service.list(as('VOLUNTEER', null), {}))).toBe(403);
    expect(await status(service.get(as('GRID_MEMBER', 201), String(row.id)))).toBe(403);
    // Residents and volunteers do not learn that a household exists.
    expect(await status(service.get(as('VOLUNTEER', null), String(row.id)))).toBe(404);
    expect(await status(service.get(as('RESIDENT', null), String(row.id)))).toBe(404);
    expect(await status(service.get({ auth: undefined, ip: null }, String(row.id)))).toBe(401);
    expect(await status(service.get(as('COMMUNITY_STAFF', 20), '99'))).toBe(404);
    expect(await status(service.get(as('COMMUNITY_STAFF', 20), 'x'))).toBe(400);
    expect(reads).toEqual([]);
  });

  it('audits a single read by id; admins see every community', async () => {
    const { service, repository, reads, as } = setup();
    const row = repository.seed({ communityId: 30, gridId: 301, lat: 3.5 });
    const reply = await service.get(as('ADMIN', null, 1), String(row.id));
    expect((reply.body as { careRecipient: CareRecipientDto }).careRecipient.id).toBe(row.id);
    expect(reads).toEqual([
      expect.objectContaining({ actorId: 1, action: 'read', entityId: String(row.id) }),
    ]);
  });
});

describe('CareService.create', () => {
  it('registers a household in the staff’s community, in the grid of its point, audited', async () => {
    const { service, repository, as } = setup();
    const reply = await service.create(as('COMMUNITY_STAFF', 10), household, undefined);
    expect(reply.status).toBe(201);
    const created = (reply.body as { careRecipient: CareRecipientDto }).careRecipient;
    expect(created).toMatchObject({
      communityId: 10,
      gridId: 102,
      lat: 1.5,
      visitEveryDays: 7,
      lastVisitAt: null,
      notes: null,
      contacts: [{ name: '王强', relation: '子女', phone: '13800138000' }],
      devices: [],
    });
    expect(repository.audits).toEqual([
      expect.objectContaining({
        actorId: 7,
        action: 'create',
        entity: 'care_recipient',
        entityId: String(created.id),
        details: {
          after: expect.objectContaining({ householdName: '王家', contacts: 1, gridId: 102 }),
        },
      }),
    ]);
    // The audit log keeps no phone number.
    expect(JSON.stringify(repository.audits)).not.toContain('13800138000');
  });

  it('answers 422 for a point outside the community or outside every grid, 400 for bad input; writes nothing', async () => {
    const { service, repository, as } = setup();
    const staff = as('COMMUNITY_STAFF', 10);
    expect(
      await status(
        service.create(staff, { ...household, location: { lat: 2.5, lng: 0 } }, undefined),
      ),
    ).toBe(422);
    expect(
      await status(
        service.create(staff, { ...household, location: { lat: 9, lng: 0 } }, undefined),
      ),
    ).toBe(422);
    expect(await status(service.create(staff, { ...household, communityId: 101 }, undefined))).toBe(
      422,
    );
    expect(await status(service.create(staff, { ...household, kind: 'RICH' }, undefined))).toBe(
      400,
    );
    expect(await status(service.create(staff, { ...household, extra: 1 }, undefined))).toBe(400);
    expect(
      await status(
        service.create(
          staff,
          { ...household, contacts: [{ name: '王强', relation: '子女', phone: '12345' }] },
          undefined,
        ),
      ),
    ).toBe(400);
    expect(
      await status(service.create(staff, { ...household, visitEveryDays: 0 }, undefined)),
    ).toBe(400);
    expect(repository.rows.size).toBe(0);
    expect(repository.audits).toEqual([]);
  });

  it('keeps staff to their own community; admins place by the point or a matching communityId', async () => {
    const { service, repository, as } = setup();
    expect(
      await status(
        service.create(as('COMMUNITY_STAFF', 20), { ...household, communityId: 10 }, undefined),
      ),
    ).toBe(403);
    expect(await status(service.create(as('COMMUNITY_STAFF', 20), household, undefined))).toBe(422);
    expect(await status(service.create(as('DISPATCHER', 1), household, undefined))).toBe(403);
    expect(await status(service.create(as('VOLUNTEER', null), household, undefined))).toBe(403);
    expect(repository.rows.size).toBe(0);
    const admin = as('ADMIN', null, 1);
    const placed = await service.create(
      admin,
      { ...household, location: { lat: 3.2, lng: 0 } },
      undefined,
    );
    expect((placed.body as { careRecipient: CareRecipientDto }).careRecipient.communityId).toBe(30);
    expect(await status(service.create(admin, { ...household, communityId: 20 }, undefined))).toBe(
      422,
    );
  });

  it('answers a repeated Idempotency-Key with the first household, and 422 for another body', async () => {
    const { service, repository, as } = setup();
    const staff = as('COMMUNITY_STAFF', 10);
    const first = await service.create(staff, household, 'key-12345678');
    const again = await service.create(staff, household, 'key-12345678');
    expect(again).toEqual(first);
    expect(repository.rows.size).toBe(1);
    expect(
      await status(service.create(staff, { ...household, firstName: '别人' }, 'key-12345678')),
    ).toBe(422);
    expect(await status(service.create(staff, household, 'short'))).toBe(400);
    expect(repository.rows.size).toBe(1);
  });
});

describe('CareService.update', () => {
  it('changes the fields given and audits them before and after; a new point moves the grid', async () => {
    const { service, repository, as } = setup();
    const row = repository.seed({ visitEveryDays: 3, contacts: [] });
    const reply = await service.update(as('COMMUNITY_STAFF', 10), String(row.id), {
      visitEveryDays: null,
      location: { lat: 1.2, lng: 0.1 },
      contacts: [{ name: '李四', relation: '邻居', phone: '0412-2345678' }],
    });
    const updated = (reply.body as { careRecipient: CareRecipientDto }).careRecipient;
    expect(updated).toMatchObject({ visitEveryDays: null, gridId: 102, lat: 1.2 });
    expect(repository.audits).toEqual([
      expect.objectContaining({
        action: 'update',
        entityId: String(row.id),
        details: {
          before: { visitEveryDays: 3, lat: 0.5, lng: 0.5, gridId: 101, contacts: 0 },
          after: { visitEveryDays: null, lat: 1.2, lng: 0.1, gridId: 102, contacts: 1 },
        },
      }),
    ]);
  });

  it('refuses a point in another community, a future visit and an empty change (nothing written)', async () => {
    const { service, repository, as, now } = setup();
    const row = repository.seed({});
    const staff = as('COMMUNITY_STAFF', 10);
    const future = new Date(now().getTime() + DAY).toISOString();
    expect(
      await status(service.update(staff, String(row.id), { location: { lat: 2.5, lng: 0 } })),
    ).toBe(422);
    expect(await status(service.update(staff, String(row.id), { lastVisitAt: future }))).toBe(422);
    expect(await status(service.update(staff, String(row.id), {}))).toBe(400);
    expect(await status(service.update(staff, String(row.id), { communityId: 20 }))).toBe(400);
    expect(
      await status(service.update(as('COMMUNITY_STAFF', 20), String(row.id), { notes: 'x' })),
    ).toBe(403);
    expect(await status(service.update(as('RESIDENT', null), String(row.id), { notes: 'x' }))).toBe(
      404,
    );
    expect(repository.rows.get(row.id)).toEqual(row);
    expect(repository.audits).toEqual([]);
  });

  it('answers 409 when the household changed at the same moment', async () => {
    const { service, repository, as } = setup();
    const row = repository.seed({});
    repository.raceNextUpdate = true;
    expect(
      await status(service.update(as('COMMUNITY_STAFF', 10), String(row.id), { notes: 'x' })),
    ).toBe(409);
    expect(repository.audits).toEqual([]);
  });
});

describe('CareService devices', () => {
  it('registers a call button once, refuses one active elsewhere, deactivates it, and moves an inactive one', async () => {
    const { service, repository, as } = setup();
    const a = repository.seed({});
    const b = repository.seed({});
    const staff = as('COMMUNITY_STAFF', 10);
    const added = await service.addDevice(staff, String(a.id), { deviceId: 'CB-900001' });
    expect(added.status).toBe(201);
    expect((added.body as { careRecipient: CareRecipientDto }).careRecipient.devices).toEqual([
      { id: 'CB-900001', active: true, lastSeenAt: null },
    ]);
    expect(await status(service.addDevice(staff, String(a.id), { deviceId: 'CB-900001' }))).toBe(
      200,
    );
    expect(await status(service.addDevice(staff, String(b.id), { deviceId: 'CB-900001' }))).toBe(
      409,
    );
    expect(await status(service.addDevice(staff, String(b.id), { deviceId: 'bad id!' }))).toBe(400);
    expect(await status(service.deactivateDevice(staff, String(b.id), 'CB-900001'))).toBe(404);
    const off = await service.deactivateDevice(staff, String(a.id), 'CB-900001');
    expect((off.body as { careRecipient: CareRecipientDto }).careRecipient.devices).toEqual([
      { id: 'CB-900001', active: false, lastSeenAt: null },
    ]);
    expect(await status(service.deactivateDevice(staff, String(a.id), 'CB-900001'))).toBe(200);
    expect(await status(service.addDevice(staff, String(b.id), { deviceId: 'CB-900001' }))).toBe(
      201,
    );
    expect(repository.audits.map((entry) => [entry.action, entry.entityId, entry.details])).toEqual(
      [
        ['device.add', String(a.id), { deviceId: 'CB-900001' }],
        ['device.deactivate', String(a.id), { deviceId: 'CB-900001' }],
        [
          'device.add',
          String(b.id),
          { deviceId: 'CB-900001', previousCareRecipientId: a.id, wasActive: false },
        ],
      ],
    );
  });
});

describe('CareService.overdue', () => {
  it('lists overdue households most overdue first with whole days, audited with their ids', async () => {
    const { service, repository, reads, as, now } = setup();
    const t = now().getTime();
    const never = repository.seed({ visitEveryDays: 7, createdAt: new Date(t - 10 * DAY) });
    const visited = repository.seed({
      visitEveryDays: 3,
      lastVisitAt: new Date(t - 3 * DAY - 3600_000),
      createdAt: new Date(t - 100 * DAY),
    });
    repository.seed({
      visitEveryDays: 3,
      lastVisitAt: new Date(t - DAY),
      createdAt: new Date(t - 100 * DAY),
    });
    repository.seed({ visitEveryDays: null, createdAt: new Date(t - 100 * DAY) });
    const elsewhere = repository.seed({
      communityId: 30,
      gridId: 301,
      visitEveryDays: 1,
      createdAt: new Date(t - 30 * DAY),
    });
    const reply = await service.overdue(as('COMMUNITY_STAFF', 10), {});
    const body = reply.body as OverdueVisitsResponse;
    expect(body.overdue).toEqual([
      {
        id: never.id,
        communityId: 10,
        householdName: never.householdName,
        firstName: never.firstName,
        address: never.address,
        dueAt: new Date(t - 3 * DAY).toISOString(),
        daysOverdue: 3,
      },
      expect.objectContaining({ id: visited.id, daysOverdue: 0 }),
    ]);
    expect(body.truncated).toBe(false);
    expect(reads).toEqual([
      expect.objectContaining({
        action: 'read',
        entity: 'care_recipient',
        details: { view: 'overdue-visits', regionId: 10, ids: [never.id, visited.id] },
      }),
    ]);
    const city = await service.overdue(as('DISPATCHER', 1), {});
    expect((city.body as OverdueVisitsResponse).overdue.map((row) => row.id)).toEqual([
      elsewhere.id,
      never.id,
      visited.id,
    ]);
    const street = await service.overdue(as('DISPATCHER', 3), { regionId: '3' });
    expect((street.body as OverdueVisitsResponse).overdue.map((row) => row.id)).toEqual([
      never.id,
      visited.id,
    ]);
  });

  it('counts days at TIME_SCALE like the visit schedules do', async () => {
    const { service, repository, as, now } = setup(24);
    const t = now().getTime();
    // At scale 24 a day lasts an hour: 7 days of cadence after 10 hours is 3 days overdue.
    repository.seed({ visitEveryDays: 7, createdAt: new Date(t - 10 * 3600_000) });
    const reply = await service.overdue(as('COMMUNITY_STAFF', 10), {});
    expect((reply.body as OverdueVisitsResponse).overdue.map((row) => row.daysOverdue)).toEqual([
      3,
    ]);
  });

  it('keeps callers to their scope and roles', async () => {
    const { service, reads, as } = setup();
    expect(await status(service.overdue(as('COMMUNITY_STAFF', 10), { communityId: '20' }))).toBe(
      403,
    );
    expect(await status(service.overdue(as('DISPATCHER', 4), { regionId: '3' }))).toBe(403);
    expect(await status(service.overdue(as('DISPATCHER', 3), { communityId: '3' }))).toBe(422);
    expect(await status(service.overdue(as('DISPATCHER', 3), { communityId: '999' }))).toBe(404);
    expect(
      await status(service.overdue(as('DISPATCHER', 3), { regionId: '3', communityId: '10' })),
    ).toBe(400);
    expect(await status(service.overdue(as('GRID_MEMBER', 101), {}))).toBe(403);
    expect(await status(service.overdue(as('VOLUNTEER', null), {}))).toBe(403);
    expect(await status(service.overdue(as('DISPATCHER', null), {}))).toBe(403);
    expect(reads).toEqual([]);
  });

  it('says when more households are overdue than it lists', async () => {
    const { service, repository, as, now } = setup();
    for (let n = 0; n <= OVERDUE_VISITS_LIMIT; n++) {
      repository.seed({ visitEveryDays: 1, createdAt: new Date(now().getTime() - (2 + n) * DAY) });
    }
    const body = (await service.overdue(as('COMMUNITY_STAFF', 10), {}))
      .body as OverdueVisitsResponse;
    expect(body.overdue).toHaveLength(OVERDUE_VISITS_LIMIT);
    expect(body.truncated).toBe(true);
    expect(body.overdue[0]!.daysOverdue).toBe(OVERDUE_VISITS_LIMIT + 1);
  });
});
