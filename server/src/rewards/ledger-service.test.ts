import { describe, expect, it } from 'vitest';
import type { LeaderboardRow, LedgerResponse, RegionLevel } from '@gridline/core';
import type { RegionNode } from '@gridline/db';
import { HttpError } from '../http/errors.ts';
import type { AuthContext } from '../http/types.ts';
import { LedgerService, ranked } from './ledger-service.ts';
import type {
  LeaderboardQuery,
  LedgerRepository,
  RedeemOutcome,
  RedemptionDto,
  RedemptionFilter,
  RewardDto,
} from './ports.ts';

/** city 1 > street 3 > communities 4 and 5 > grid 6 (in 4). */
const NODES: Array<[number, RegionLevel, number | null]> = [
  [1, 'CITY', null],
  [3, 'STREET', 1],
  [4, 'COMMUNITY', 3],
  [5, 'COMMUNITY', 3],
  [6, 'GRID', 4],
];
const byId = new Map<number, RegionNode>(
  NODES.map(([id, level, parentId]) => [
    id,
    { id, code: String(id), name: `r${id}`, nameEn: null, level, parentId, centroid: null },
  ]),
);
const regions = {
  get: (id: number) => byId.get(id),
  isWithin(regionId: number, ancestorId: number) {
    for (let node = byId.get(regionId); node; ) {
      if (node.id === ancestorId) return true;
      node = node.parentId === null ? undefined : byId.get(node.parentId);
    }
    return false;
  },
};

const redemption = (id: number, status: RedemptionDto['status'] = 'REQUESTED'): RedemptionDto => ({
  id,
  volunteerId: 100,
  volunteerName: '小李',
  homeCommunityId: 4,
  rewardId: 7,
  reward: { nameZh: '志愿者马甲', nameEn: 'Volunteer vest' },
  points: 80,
  status,
  createdAt: '2026-11-22T08:00:00.000Z',
  decidedAt: null,
  decidedById: null,
});

class FakeRepository implements LedgerRepository {
  outcome: RedeemOutcome = { kind: 'short-stock' };
  redeemed: Array<{ volunteerId: number; rewardId: number; idempotency?: unknown }> = [];
  stored = new Map<number, RedemptionDto>([[1, redemption(1)]]);
  decisions: Array<{ id: number; to: string }> = [];
  filters: RedemptionFilter[] = [];
  boards: LeaderboardQuery[] = [];
  async ledger(): Promise<LedgerResponse> {
    return { balance: { minutes: 0, points: 0 }, entries: [] };
  }
  async rewards(): Promise<RewardDto[]> {
    return [];
  }
  async createReward(reward: { nameZh: string; nameEn: string; cost: number; stock: number }) {
    return { id: 9, active: true, ...reward };
  }
  async redeem(request: { volunteerId: number; rewardId: number; idempotency?: unknown }) {
    this.redeemed.push(request);
    return this.outcome;
  }
  async redemption(id: number) {
    return this.stored.get(id) ?? null;
  }
  async redemptions(filter: RedemptionFilter) {
    this.filters.push(filter);
    return [...this.stored.values()];
  }
  async decide(decision: { id: number; to: 'APPROVED' | 'REJECTED' }) {
    const row = this.stored.get(decision.id);
    if (!row || row.status !== 'REQUESTED') return null;
    this.decisions.push(decision);
    const decided = { ...row, status: decision.to };
    this.stored.set(decision.id, decided);
    return decided;
  }
  async homeCommunity(volunteerId: number) {
    return volunteerId === 100 ? 4 : undefined;
  }
  async teamExists(teamId: number) {
    return teamId === 10;
  }
  async leaderboard(query: LeaderboardQuery) {
    this.boards.push(query);
    return [
      { volunteerId: 1, displayName: 'a', minutes: 120, points: 20 },
      { volunteerId: 2, displayName: 'b', minutes: 60, points: 10 },
      { volunteerId: 3, displayName: 'c', minutes: 60, points: 10 },
      { volunteerId: 4, displayName: 'd', minutes: 0, points: 0 },
    ].slice(0, query.limit);
  }
  standings: number[] = [];
  async standing(_query: Omit<LeaderboardQuery, 'limit'>, volunteerId: number) {
    this.standings.push(volunteerId);
    return volunteerId === 100
      ? { volunteerId: 100, displayName: 'me', minutes: 0, points: 0, rank: 5 }
      : null;
  }
}

const auth = (
  id: number,
  role: AuthContext['user']['role'],
  regionId: number | null,
): AuthContext => ({
  sessionId: `s${id}`,
  regionLevel: regionId === null ? null : (byId.get(regionId)?.level ?? null),
  user: { id, username: `u${id}`, displayName: `User ${id}`, role, regionId },
});
const volunteer = auth(100, 'VOLUNTEER', 4);

function setup() {
  const repository = new FakeRepository();
  const service = new LedgerService({
    repository,
    regions: () => regions,
    clock: { now: () => new Date('2026-11-22T09:00:00Z') },
  });
  return { repository, service };
}

async function failure(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpError);
  return error as HttpError;
}

describe('LedgerService.redeem', () => {
  it('answers 409 with the reason when points or stock are short', async () => {
    const { service, repository } = setup();
    repository.outcome = { kind: 'short-points', balance: 30, cost: 80 };
    const points = await failure(service.redeem(volunteer, { rewardId: 7 }, undefined));
    expect(points.status).toBe(409);
    expect(points.details).toEqual({ reason: 'points', balance: 30, cost: 80 });
    repository.outcome = { kind: 'short-stock' };
    const stock = await failure(service.redeem(volunteer, { rewardId: 7 }, undefined));
    expect(stock.status).toBe(409);
    expect(stock.details).toEqual({ reason: 'stock' });
  });

  it('refuses pending volunteers, other roles and bad bodies', async () => {
    const { service, repository } = setup();
    repository.outcome = { kind: 'not-approved', status: 'PENDING' };
    expect((await failure(service.redeem(volunteer, { rewardId: 7 }, undefined))).status).toBe(403);
    expect(
      (await failure(service.redeem(auth(4, 'COMMUNITY_STAFF', 4), { rewardId: 7 }, undefined)))
        .status,
    ).toBe(403);
    expect((await failure(service.redeem(volunteer, { rewardId: 'x' }, undefined))).status).toBe(
      400,
    );
    expect((await failure(service.redeem(volunteer, { rewardId: 7 }, 'bad key'))).status).toBe(400);
    repository.outcome = { kind: 'no-reward' };
    expect((await failure(service.redeem(volunteer, { rewardId: 7 }, undefined))).status).toBe(404);
    // Only the well-formed requests of a volunteer with a good key reached the repository.
    expect(repository.redeemed).toHaveLength(2);
  });

  it('replays an Idempotency-Key with the same body and refuses it with another (422)', async () => {
    const { service, repository } = setup();
    const first = setup();
    first.repository.outcome = {
      kind: 'created',
      redemption: redemption(1),
      balance: { minutes: 0, points: 20 },
    };
    await first.service.redeem(volunteer, { rewardId: 7 }, 'key-12345678');
    const claim = first.repository.redeemed[0]!.idempotency as {
      requestHash: string;
      scope: string;
    };
    expect(claim.scope).toBe('POST /api/redemptions user:100');

    repository.outcome = { kind: 'replay', requestHash: claim.requestHash, redemptionId: 1 };
    const replay = await service.redeem(volunteer, { rewardId: 7 }, 'key-12345678');
    expect(replay.redemption.id).toBe(1);
    const other = await failure(service.redeem(volunteer, { rewardId: 8 }, 'key-12345678'));
    expect(other.status).toBe(422);
  });
});

describe('LedgerService redemptions for staff', () => {
  it('lists a volunteer only their own, staff their region', async () => {
    const { service, repository } = setup();
    await service.redemptions(volunteer, { limit: 10 });
    await service.redemptions(auth(4, 'COMMUNITY_STAFF', 4), { status: 'REQUESTED', limit: 10 });
    await service.redemptions(auth(9, 'ADMIN', null), { limit: 10 });
    expect(repository.filters.map((f) => [f.regionId, f.volunteerId, f.status])).toEqual([
      [null, 100, undefined],
      [4, undefined, 'REQUESTED'],
      [null, undefined, undefined],
    ]);
    const outside = await failure(
      service.redemptions(auth(5, 'COMMUNITY_STAFF', 5), { communityId: 4, limit: 10 }),
    );
    expect(outside.status).toBe(403);
    expect(
      (await failure(service.redemptions(auth(3, 'GRID_MEMBER', 6), { limit: 10 }))).status,
    ).toBe(403);
  });

  it('decides in scope only, once', async () => {
    const { service, repository } = setup();
    expect(
      (await failure(service.decide(auth(5, 'COMMUNITY_STAFF', 5), 1, 'reject', null))).status,
    ).toBe(403);
    expect(repository.decisions).toEqual([]);
    const rejected = await service.decide(auth(4, 'COMMUNITY_STAFF', 4), 1, 'reject', null);
    expect(rejected.status).toBe('REJECTED');
    expect(
      (await failure(service.decide(auth(4, 'COMMUNITY_STAFF', 4), 1, 'approve', null))).status,
    ).toBe(409);
    expect(
      (await failure(service.decide(auth(9, 'ADMIN', null), 99, 'approve', null))).status,
    ).toBe(404);
    expect(repository.decisions).toEqual([expect.objectContaining({ id: 1, to: 'REJECTED' })]);
  });
});

describe('LedgerService.leaderboard', () => {
  it('defaults to the volunteer home community and ranks ties alike', async () => {
    const { service, repository } = setup();
    const board = await service.leaderboard(volunteer, { by: 'community', limit: 50 });
    expect(board.id).toBe(4);
    expect(board.rows.map((row) => row.rank)).toEqual([1, 2, 2, 4]);
    expect(repository.boards[0]).toMatchObject({ by: 'community', id: 4 });
  });

  it('adds the reading volunteer’s own standing when they are below the rows', async () => {
    const { service, repository } = setup();
    const board = await service.leaderboard(volunteer, { by: 'community', limit: 2 });
    expect(board.rows.map((row) => row.volunteerId)).toEqual([1, 2]);
    expect(board.me).toEqual({
      volunteerId: 100,
      displayName: 'me',
      minutes: 0,
      points: 0,
      rank: 5,
    });
    // Staff read the board as it is.
    const staff = await service.leaderboard(auth(3, 'DISPATCHER', 3), {
      by: 'team',
      teamId: 10,
      limit: 2,
    });
    expect(staff.me).toBeUndefined();
    expect(repository.standings).toEqual([100]);
  });

  it('needs a team for by=team and a community for by=community', async () => {
    const { service } = setup();
    const staff = auth(3, 'DISPATCHER', 3);
    expect((await failure(service.leaderboard(staff, { by: 'team', limit: 5 }))).status).toBe(400);
    expect(
      (await failure(service.leaderboard(staff, { by: 'team', teamId: 11, limit: 5 }))).status,
    ).toBe(404);
    expect((await service.leaderboard(staff, { by: 'team', teamId: 10, limit: 5 })).id).toBe(10);
    expect((await failure(service.leaderboard(staff, { by: 'community', limit: 5 }))).status).toBe(
      400,
    );
    expect(
      (await failure(service.leaderboard(staff, { by: 'community', regionId: 6, limit: 5 })))
        .status,
    ).toBe(400);
  });
});

describe('ranked', () => {
  it('numbers in order, sharing a rank on equal points and minutes', () => {
    const rows: Omit<LeaderboardRow, 'rank'>[] = [
      { volunteerId: 1, displayName: 'a', minutes: 60, points: 10 },
      { volunteerId: 2, displayName: 'b', minutes: 30, points: 10 },
      { volunteerId: 3, displayName: 'c', minutes: 30, points: 10 },
    ];
    expect(ranked(rows).map((row) => row.rank)).toEqual([1, 2, 2]);
    expect(ranked([])).toEqual([]);
  });
});
