import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeaderboardResponse, LedgerResponse } from '@gridline/core';
import { SessionRepository } from '@gridline/server';
import { sessionAt, startSystem, type Session, type TestSystem } from './support/system.ts';

interface Redemption {
  id: number;
  volunteerId: number;
  rewardId: number;
  points: number;
  status: 'REQUESTED' | 'APPROVED' | 'REJECTED';
}
interface Reply {
  redemption?: Redemption;
  error?: { code: string; details?: { reason?: string } };
}

describe('hours and points: ledger, redemptions, leaderboards', () => {
  let system: TestSystem;
  let community: Session;
  let otherCommunity: Session;
  let admin: Session;
  let homeCommunityId: number;
  let taskId: number;
  let sessionsBy: SessionRepository;

  const prisma = () => system.server.prisma;
  /** Signed in without the login form (its rate limit), as the tasks tests do. */
  const signIn = async (username: string): Promise<Session> => {
    const user = await prisma().user.findUniqueOrThrow({
      where: { username },
      select: { id: true, username: true, role: true, regionId: true },
    });
    const { token } = await sessionsBy.create(user.id, { userAgent: 'ledger itest' });
    return sessionAt({ cookie: `gl_session=${token}`, user }, system.baseUrl);
  };
  const credit = (volunteerId: number, minutes: number, points: number, task = true) =>
    prisma().pointsLedger.create({
      data: {
        volunteerId,
        minutes,
        points,
        reason: task ? 'task' : 'adjustment',
        taskId: task ? taskId : null,
      },
    });
  const sumOf = async (volunteerId: number) => {
    const sum = await prisma().pointsLedger.aggregate({
      where: { volunteerId },
      _sum: { points: true, minutes: true },
    });
    return { points: sum._sum.points ?? 0, minutes: sum._sum.minutes ?? 0 };
  };
  const ledgerOf = async (session: Session) => {
    const response = await session.get<LedgerResponse>('/api/volunteers/me/ledger');
    expect(response.status).toBe(200);
    return response.body;
  };
  const reward = async (cost: number, stock: number) => {
    const response = await admin.post<{ reward: { id: number } }>('/api/rewards', {
      nameZh: `礼品${cost}-${stock}`,
      nameEn: `Gift ${cost}/${stock}`,
      cost,
      stock,
    });
    expect(response.status).toBe(201);
    return response.body.reward.id;
  };
  const stockOf = async (rewardId: number) =>
    (await prisma().reward.findUniqueOrThrow({ where: { id: rewardId } })).stock;
  const redeem = (session: Session, rewardId: number, key?: string) =>
    session.post<Reply>('/api/redemptions', { rewardId }, key ? { 'idempotency-key': key } : {});

  beforeAll(async () => {
    system = await startSystem({ workers: false });
    sessionsBy = new SessionRepository(prisma(), 'test-secret');
    [community, admin] = await Promise.all([signIn('community'), signIn('admin')]);
    homeCommunityId = community.user.regionId!;
    const other = await prisma().region.findFirstOrThrow({
      where: { level: 'COMMUNITY', id: { not: homeCommunityId } },
      orderBy: { id: 'asc' },
    });
    otherCommunity = await signIn(`cs-${other.code}`);
    const grid = await prisma().region.findFirstOrThrow({
      where: { parentId: homeCommunityId, level: 'GRID' },
    });
    const task = await prisma().task.create({
      data: {
        title: '陪老人就医',
        description: '',
        lat: grid.centroidLat!,
        lng: grid.centroidLng!,
        communityId: homeCommunityId,
        startsAt: new Date('2026-11-01T08:00:00Z'),
        endsAt: new Date('2026-11-01T10:00:00Z'),
        durationMinutes: 120,
        createdById: community.user.id,
        status: 'COMPLETED',
      },
    });
    taskId = task.id;
  });
  afterAll(() => system?.close());

  it('races for the last stock: never below zero, one unit per redemption', async () => {
    const names = ['vol-0001', 'vol-0002', 'vol-0003', 'vol-0004', 'vol-0005'];
    const volunteers = await Promise.all(names.map(signIn));
    for (const volunteer of volunteers) await credit(volunteer.user.id, 60, 100);
    const rewardId = await reward(10, 3);

    const answers = await Promise.all(
      volunteers.flatMap((volunteer) => [redeem(volunteer, rewardId), redeem(volunteer, rewardId)]),
    );
    const won = answers.filter((answer) => answer.status === 201);
    const lost = answers.filter((answer) => answer.status === 409);
    expect(won).toHaveLength(3);
    expect(lost).toHaveLength(7);
    for (const answer of lost) expect(answer.body.error?.details?.reason).toBe('stock');
    expect(await stockOf(rewardId)).toBe(0);
    expect(await prisma().redemption.count({ where: { rewardId } })).toBe(3);
    for (const volunteer of volunteers) {
      const mine = won.filter(
        (answer) => answer.body.redemption?.volunteerId === volunteer.user.id,
      );
      const ledger = await ledgerOf(volunteer);
      expect(ledger.balance).toEqual(await sumOf(volunteer.user.id));
      expect(ledger.balance.points).toBe(100 - 10 * mine.length);
    }
  });

  it('races for the last points: the balance never goes below zero', async () => {
    const volunteer = await signIn('vol-0006');
    await credit(volunteer.user.id, 90, 70);
    await credit(volunteer.user.id, 0, 30, false);
    const rewardId = await reward(30, 100);

    const answers = await Promise.all(
      Array.from({ length: 10 }, () => redeem(volunteer, rewardId)),
    );
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(3);
    const refused = answers.filter((answer) => answer.status === 409);
    expect(refused).toHaveLength(7);
    for (const answer of refused) expect(answer.body.error?.details?.reason).toBe('points');

    const ledger = await ledgerOf(volunteer);
    expect(ledger.balance).toEqual({ points: 10, minutes: 90 });
    expect(ledger.balance).toEqual(await sumOf(volunteer.user.id));
    expect(await stockOf(rewardId)).toBe(97);
    // Latest first: three reservations, then the credits.
    expect(ledger.entries.map((entry) => [entry.reason, entry.points])).toEqual([
      ['redemption', -30],
      ['redemption', -30],
      ['redemption', -30],
      ['adjustment', 30],
      ['task', 70],
    ]);
    expect(ledger.entries.at(-1)).toMatchObject({ taskId, taskTitle: '陪老人就医', minutes: 90 });
  });

  it('rejecting refunds points and stock; a decision is taken once, by staff in scope', async () => {
    const volunteer = await signIn('volunteer');
    await credit(volunteer.user.id, 30, 200);
    const rewardId = await reward(80, 5);
    const first = await redeem(volunteer, rewardId);
    const second = await redeem(volunteer, rewardId);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect((await ledgerOf(volunteer)).balance.points).toBe(40);
    expect(await stockOf(rewardId)).toBe(3);

    const firstId = first.body.redemption!.id;
    const listed = await community.get<{ redemptions: Redemption[] }>(
      '/api/redemptions?status=REQUESTED',
    );
    expect(listed.body.redemptions.map((r) => r.id)).toEqual(
      expect.arrayContaining([firstId, second.body.redemption!.id]),
    );
    const outside = await otherCommunity.get<{ redemptions: Redemption[] }>('/api/redemptions');
    expect(outside.body.redemptions.some((r) => r.id === firstId)).toBe(false);
    expect((await otherCommunity.post(`/api/redemptions/${firstId}/reject`)).status).toBe(403);
    expect((await volunteer.post(`/api/redemptions/${firstId}/approve`)).status).toBe(403);

    const rejected = await community.post<Reply>(`/api/redemptions/${firstId}/reject`);
    expect(rejected.status).toBe(200);
    expect(rejected.body.redemption?.status).toBe('REJECTED');
    expect((await community.post(`/api/redemptions/${firstId}/approve`)).status).toBe(409);
    expect((await community.post(`/api/redemptions/${firstId}/reject`)).status).toBe(409);
    const approved = await community.post<Reply>(
      `/api/redemptions/${second.body.redemption!.id}/approve`,
    );
    expect(approved.body.redemption?.status).toBe('APPROVED');

    const ledger = await ledgerOf(volunteer);
    expect(ledger.balance.points).toBe(120);
    expect(ledger.balance).toEqual(await sumOf(volunteer.user.id));
    expect(ledger.entries[0]).toMatchObject({
      reason: 'redemption-refund',
      points: 80,
      redemptionId: firstId,
    });
    expect(await stockOf(rewardId)).toBe(4);
    const audited = await prisma().auditLog.findMany({
      where: {
        entity: 'redemption',
        entityId: { in: [String(firstId), String(second.body.redemption!.id)] },
      },
    });
    expect(audited.map((entry) => entry.action).sort()).toEqual(['approve', 'reject']);
    const mine = await volunteer.get<{ redemptions: Redemption[] }>('/api/redemptions?mine=true');
    expect(mine.body.redemptions.map((r) => r.status)).toEqual(
      expect.arrayContaining(['REJECTED', 'APPROVED']),
    );
  });

  it('replays an Idempotency-Key instead of spending twice', async () => {
    const volunteer = await signIn('vol-0007');
    await credit(volunteer.user.id, 0, 50);
    const rewardId = await reward(20, 10);
    const [a, b] = await Promise.all([
      redeem(volunteer, rewardId, 'redeem-key-0001'),
      redeem(volunteer, rewardId, 'redeem-key-0001'),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.redemption!.id).toBe(b.body.redemption!.id);
    expect((await ledgerOf(volunteer)).balance.points).toBe(30);
    expect(await stockOf(rewardId)).toBe(9);
    const other = await redeem(volunteer, rewardId + 1_000, 'redeem-key-0001');
    expect(other.status).toBe(422);
  });

  it('refuses bad requests with 400, others with 403/404, writing nothing', async () => {
    const volunteer = await signIn('vol-0008');
    await credit(volunteer.user.id, 0, 500);
    const before = await prisma().pointsLedger.count();
    for (const body of [{}, { rewardId: 'one' }, { rewardId: -1 }, { rewardId: 1, extra: 1 }]) {
      expect((await volunteer.post('/api/redemptions', body)).status, JSON.stringify(body)).toBe(
        400,
      );
    }
    expect((await volunteer.post('/api/redemptions', { rewardId: 999_999 })).status).toBe(404);
    expect((await community.post('/api/redemptions', { rewardId: 1 })).status).toBe(403);
    expect(
      (await volunteer.post('/api/rewards', { nameZh: 'x', nameEn: 'x', cost: 1, stock: 1 }))
        .status,
    ).toBe(403);
    expect(
      (await admin.post('/api/rewards', { nameZh: 'x', nameEn: 'x', cost: 0, stock: 1 })).status,
    ).toBe(400);
    expect(await prisma().pointsLedger.count()).toBe(before);
    expect((await volunteer.get('/api/leaderboards?by=team')).status).toBe(400);
    expect((await volunteer.get('/api/leaderboards?by=everyone')).status).toBe(400);
  });

  it('ranks a team and a community by points earned, then minutes; spending does not lower a rank', async () => {
    const team = await prisma().team.create({
      data: { name: '排行榜测试队', communityId: homeCommunityId },
    });
    const names = ['vol-0010', 'vol-0011', 'vol-0012', 'vol-0013'];
    const users = await prisma().user.findMany({
      where: { username: { in: names } },
      orderBy: { username: 'asc' },
    });
    await prisma().teamMember.createMany({
      data: users.map((user) => ({ teamId: team.id, volunteerId: user.id })),
    });
    const [a, b, c, d] = users.map((user) => user.id) as [number, number, number, number];
    await credit(a, 60, 10);
    await credit(b, 240, 40);
    await credit(c, 120, 20);
    await credit(c, 0, 20, false); // an adjustment: points, no hours
    // d earned the most but spent most of it: spending does not count against the rank.
    await credit(d, 300, 50);
    await prisma().pointsLedger.create({
      data: { volunteerId: d, points: -45, reason: 'redemption' },
    });

    const viewer = await signIn('vol-0010');
    const board = await viewer.get<LeaderboardResponse>(
      `/api/leaderboards?by=team&teamId=${team.id}`,
    );
    expect(board.status).toBe(200);
    expect(
      board.body.rows.map((row) => [row.volunteerId, row.points, row.minutes, row.rank]),
    ).toEqual([
      [d, 50, 300, 1],
      [b, 40, 240, 2],
      [c, 40, 120, 3],
      [a, 10, 60, 4],
    ]);
    // The top two only: a reader below them still learns where they stand (c has b's
    // points but fewer minutes, so third); one within the top two gets no extra row.
    const top = await viewer.get<LeaderboardResponse>(
      `/api/leaderboards?by=team&teamId=${team.id}&limit=2`,
    );
    expect(top.body.rows.map((row) => row.volunteerId)).toEqual([d, b]);
    expect(top.body.me).toMatchObject({ volunteerId: a, points: 10, minutes: 60, rank: 4 });
    const third = await (
      await signIn('vol-0012')
    ).get<LeaderboardResponse>(`/api/leaderboards?by=team&teamId=${team.id}&limit=2`);
    expect(third.body.me).toMatchObject({ volunteerId: c, rank: 3 });
    const onTop = await (
      await signIn('vol-0013')
    ).get<LeaderboardResponse>(`/api/leaderboards?by=team&teamId=${team.id}&limit=2`);
    expect(onTop.body.me).toBeUndefined();

    // A window before anything was earned: everyone at zero, tied.
    const empty = await viewer.get<LeaderboardResponse>(
      `/api/leaderboards?by=team&teamId=${team.id}&to=2020-01-01T00:00:00Z`,
    );
    expect(empty.body.rows.map((row) => row.rank)).toEqual([1, 1, 1, 1]);

    // The home community: its approved volunteers, by the same order.
    const volunteer = await signIn('volunteer');
    const home = await volunteer.get<LeaderboardResponse>('/api/leaderboards?by=community');
    expect(home.status).toBe(200);
    expect(home.body.id).toBe(homeCommunityId);
    const points = home.body.rows.map((row) => row.points);
    expect(points).toEqual([...points].sort((x, y) => y - x));
    expect(home.body.rows.find((row) => row.volunteerId === volunteer.user.id)).toBeDefined();
  });
});
