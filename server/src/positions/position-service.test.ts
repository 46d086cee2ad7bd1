import { describe, expect, it } from 'vitest';
import type { PositionUpdatedPayload, RegionChain } from '@gridline/core';
import { HttpError } from '../http/errors.ts';
import type {
  DutyRepository,
  FieldUser,
  PositionPublisher,
  PositionStore,
  RegionTree,
  StoredPosition,
} from './ports.ts';
import { PositionService, positionRooms } from './position-service.ts';

class FakeClock {
  ms = Date.parse('2026-11-22T08:00:00Z');
  now = () => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

class FakeStore implements PositionStore {
  duty = new Set<number>();
  positions = new Map<number, StoredPosition>();
  pushWindows = new Map<number, number>();
  constructor(private readonly clock: FakeClock) {}
  async markOnDuty(user: FieldUser) {
    this.duty.add(user.id);
  }
  async isMarkedOnDuty(userId: number) {
    return this.duty.has(userId);
  }
  async markOffDuty(userId: number) {
    this.duty.delete(userId);
    const last = this.positions.get(userId) ?? null;
    this.positions.delete(userId);
    return last;
  }
  async save(position: StoredPosition) {
    if (!this.duty.has(position.userId)) return false;
    const before = this.positions.get(position.userId);
    this.positions.set(position.userId, {
      ...position,
      ...(position.openTickets === undefined && before?.openTickets !== undefined
        ? { openTickets: before.openTickets }
        : {}),
    });
    return true;
  }
  async claimPush(userId: number, windowMs: number) {
    const until = this.pushWindows.get(userId);
    if (until !== undefined && until > this.clock.ms) return false;
    this.pushWindows.set(userId, this.clock.ms + windowMs);
    return true;
  }
  async list() {
    return [...this.positions.values()];
  }
}

class FakeDuty implements DutyRepository {
  onDuty = new Set<number>();
  openTickets = new Map<number, number>();
  counts = 0;
  async setOnDuty(userId: number, onDuty: boolean) {
    if (onDuty) this.onDuty.add(userId);
    else this.onDuty.delete(userId);
  }
  async isOnDuty(userId: number) {
    return this.onDuty.has(userId);
  }
  async openTicketCount(userId: number) {
    this.counts++;
    return this.openTickets.get(userId) ?? 0;
  }
}

class FakePublisher implements PositionPublisher {
  pushes: Array<{ rooms: string[]; payload: PositionUpdatedPayload }> = [];
  publish(rooms: string[], payload: PositionUpdatedPayload) {
    this.pushes.push({ rooms, payload });
  }
}

/** city 1 > district 2 > street 3 > community 4 > grids 5 and 6; another district 7 > ... > grid 10. */
const PARENTS = new Map<number, number | null>([
  [1, null],
  [2, 1],
  [3, 2],
  [4, 3],
  [5, 4],
  [6, 4],
  [7, 1],
  [8, 7],
  [9, 8],
  [10, 9],
]);
const LEVELS = new Map<number, keyof RegionChain | 'city'>([
  [1, 'city'],
  [2, 'districtId'],
  [3, 'streetId'],
  [4, 'communityId'],
  [5, 'gridId'],
  [6, 'gridId'],
  [7, 'districtId'],
  [8, 'streetId'],
  [9, 'communityId'],
  [10, 'gridId'],
]);
const tree: RegionTree = {
  cityId: 1,
  get: (id) => (PARENTS.has(id) ? { id } : undefined),
  isWithin(regionId, ancestorId) {
    for (let id: number | null | undefined = regionId; id != null; id = PARENTS.get(id)) {
      if (id === ancestorId) return true;
    }
    return false;
  },
  chainOf(regionId) {
    const chain: RegionChain = {
      gridId: null,
      communityId: null,
      streetId: null,
      districtId: null,
    };
    for (let id: number | null | undefined = regionId; id != null; id = PARENTS.get(id)) {
      const level = LEVELS.get(id);
      if (level && level !== 'city') chain[level] = id;
    }
    return chain;
  },
};

const member: FieldUser = { id: 42, role: 'GRID_MEMBER', displayName: '王网格', regionId: 5 };
const other: FieldUser = { id: 43, role: 'GRID_MEMBER', displayName: '李网格', regionId: 10 };

function setup() {
  const clock = new FakeClock();
  const store = new FakeStore(clock);
  const duty = new FakeDuty();
  const publisher = new FakePublisher();
  const service = new PositionService({
    store,
    duty,
    publisher,
    clock,
    regions: () => tree,
    pushIntervalMs: 5_000,
    staleMs: 600_000,
  });
  return { clock, store, duty, publisher, service };
}

const expectConflict = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpError);
  expect((error as HttpError).status).toBe(409);
};

describe('PositionService', () => {
  it('refuses positions from someone off duty, storing and pushing nothing', async () => {
    const { service, store, publisher } = setup();
    await expectConflict(service.report(member, { lat: 41.1, lng: 123 }));
    expect(store.positions.size).toBe(0);
    expect(publisher.pushes).toEqual([]);
  });

  it('pushes a position to the home region and every region above it, with the load', async () => {
    const { service, duty, publisher } = setup();
    duty.openTickets.set(member.id, 3);
    await service.setDuty(member, true);
    expect(duty.onDuty.has(member.id)).toBe(true);
    const result = await service.report(member, { lat: 41.1, lng: 123, accuracy: 12 });
    expect(result.pushed).toBe(true);
    expect(publisher.pushes).toHaveLength(1);
    expect(publisher.pushes[0]!.rooms.sort()).toEqual(
      ['region:1', 'region:2', 'region:3', 'region:4', 'region:5'].sort(),
    );
    expect(publisher.pushes[0]!.payload).toMatchObject({
      userId: 42,
      role: 'GRID_MEMBER',
      lat: 41.1,
      lng: 123,
      accuracy: 12,
      onDuty: true,
      openTickets: 3,
      at: '2026-11-22T08:00:00.000Z',
    });
  });

  it('throttles pushes to one per user per window; reports in between only update the store', async () => {
    const { service, store, duty, publisher, clock } = setup();
    await service.setDuty(member, true);
    await service.setDuty(other, true);
    await service.report(member, { lat: 41.1, lng: 123 });
    clock.advance(1_000);
    const second = await service.report(member, { lat: 41.2, lng: 123.1 });
    clock.advance(1_000);
    await service.report(member, { lat: 41.3, lng: 123.2 });
    // Another user has a window of their own.
    await service.report(other, { lat: 40, lng: 122 });
    expect(second.pushed).toBe(false);
    expect(publisher.pushes.map((push) => push.payload.userId)).toEqual([42, 43]);
    expect(store.positions.get(42)).toMatchObject({ lat: 41.3, lng: 123.2 });
    expect(duty.counts).toBe(2);

    clock.advance(3_000);
    const later = await service.report(member, { lat: 41.4, lng: 123.3 });
    expect(later.pushed).toBe(true);
    expect(publisher.pushes.map((push) => push.payload.lat)).toEqual([41.1, 40, 41.4]);
  });

  it('going off duty removes the position, pushes onDuty false, and refuses later reports', async () => {
    const { service, store, duty, publisher, clock } = setup();
    await service.setDuty(member, true);
    await service.report(member, { lat: 41.1, lng: 123 });
    clock.advance(1_000);
    await service.setDuty(member, false);
    expect(duty.onDuty.has(member.id)).toBe(false);
    expect(store.positions.has(member.id)).toBe(false);
    const last = publisher.pushes.at(-1)!;
    expect(last.payload).toMatchObject({ userId: 42, onDuty: false, lat: 41.1, lng: 123 });
    expect(last.rooms).toContain('region:5');
    expect(last.rooms).toContain('region:1');
    // Not throttled: the first push was 1 s ago.
    expect(publisher.pushes).toHaveLength(2);

    await expectConflict(service.report(member, { lat: 41.2, lng: 123 }));
    expect(store.positions.size).toBe(0);
    expect(publisher.pushes).toHaveLength(2);
  });

  it('rebuilds a lost duty mark from the durable flag', async () => {
    const { service, store, duty } = setup();
    duty.onDuty.add(member.id); // on duty in PostgreSQL, Redis lost everything
    const result = await service.report(member, { lat: 41.1, lng: 123 });
    expect(result.pushed).toBe(true);
    expect(store.duty.has(member.id)).toBe(true);
  });

  it('lists recent positions inside a region only', async () => {
    const { service, clock } = setup();
    await service.setDuty(member, true);
    await service.setDuty(other, true);
    await service.report(member, { lat: 41.1, lng: 123 });
    await service.report(other, { lat: 40, lng: 122 });
    expect((await service.list(1)).map((p) => p.userId)).toEqual([42, 43]);
    expect((await service.list(3)).map((p) => p.userId)).toEqual([42]);
    expect((await service.list(6)).map((p) => p.userId)).toEqual([]);

    clock.advance(300_000);
    await service.report(other, { lat: 40, lng: 122 });
    clock.advance(400_000);
    // The member's report is 700 s old now: stale.
    expect((await service.list(1)).map((p) => p.userId)).toEqual([43]);
  });

  it('sends nothing for a user without a known home region', () => {
    expect(positionRooms(tree, null)).toEqual([]);
    expect(positionRooms(tree, 999)).toEqual([]);
    expect(positionRooms(tree, 1)).toEqual(['region:1']);
  });
});
