import type { LeaderboardRow, LedgerEntry, LedgerResponse } from '@gridline/core';
import { Prisma, type PrismaClient } from '@gridline/db';
import type { AuditLog } from '../audit/audit-log.ts';
import type {
  IdempotencyClaim,
  LeaderboardQuery,
  LedgerRepository,
  NewReward,
  RedeemOutcome,
  RedemptionDto,
  RedemptionFilter,
  RewardDto,
} from './ports.ts';

const REDEMPTION_INCLUDE = {
  reward: { select: { nameZh: true, nameEn: true } },
  volunteer: {
    select: { homeCommunityId: true, user: { select: { displayName: true } } },
  },
} satisfies Prisma.RedemptionInclude;

type RedemptionRow = Prisma.RedemptionGetPayload<{ include: typeof REDEMPTION_INCLUDE }>;

function toRedemption(row: RedemptionRow): RedemptionDto {
  return {
    id: row.id,
    volunteerId: row.volunteerId,
    volunteerName: row.volunteer.user.displayName,
    homeCommunityId: row.volunteer.homeCommunityId,
    rewardId: row.rewardId,
    reward: row.reward,
    points: row.points,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
    decidedAt: row.decidedAt?.toISOString() ?? null,
    decidedById: row.decidedById,
  };
}

const REWARD_SELECT = {
  id: true,
  nameZh: true,
  nameEn: true,
  cost: true,
  stock: true,
  active: true,
} as const;

const isUniqueViolation = (error: unknown) =>
  error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';

/** Raised inside the redemption transaction to roll it back with an outcome. */
class Refused extends Error {
  constructor(readonly outcome: RedeemOutcome) {
    super(outcome.kind);
  }
}

export class PrismaLedgerRepository implements LedgerRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditLog,
  ) {}

  async ledger(
    volunteerId: number,
    page: { before?: number; limit: number },
  ): Promise<LedgerResponse> {
    // One snapshot for the sum and the rows, so they always agree.
    const [sums, rows] = await this.prisma.$transaction(
      [
        this.prisma.pointsLedger.aggregate({
          where: { volunteerId },
          _sum: { minutes: true, points: true },
        }),
        this.prisma.pointsLedger.findMany({
          where: { volunteerId, id: page.before === undefined ? undefined : { lt: page.before } },
          include: { task: { select: { title: true } } },
          orderBy: { id: 'desc' },
          take: page.limit,
        }),
      ],
      { isolationLevel: 'RepeatableRead' },
    );
    const entries: LedgerEntry[] = rows.map((row) => ({
      id: row.id,
      minutes: row.minutes,
      points: row.points,
      reason: row.reason,
      taskId: row.taskId,
      taskTitle: row.task?.title ?? null,
      redemptionId: row.redemptionId,
      at: row.createdAt.toISOString(),
    }));
    return {
      balance: { minutes: sums._sum.minutes ?? 0, points: sums._sum.points ?? 0 },
      entries,
    };
  }

  rewards(includeInactive: boolean): Promise<RewardDto[]> {
    return this.prisma.reward.findMany({
      where: includeInactive ? {} : { active: true },
      select: REWARD_SELECT,
      orderBy: [{ cost: 'asc' }, { id: 'asc' }],
    });
  }

  createReward(
    reward: NewReward,
    audit: { actorId: number; ip: string | null },
  ): Promise<RewardDto> {
    return this.prisma.$transaction(async (tx) => {
      const created = await tx.reward.create({ data: reward, select: REWARD_SELECT });
      await this.audit.record(
        {
          actorId: audit.actorId,
          action: 'create',
          entity: 'reward',
          entityId: String(created.id),
          details: { after: { ...reward } },
          ip: audit.ip,
        },
        tx,
      );
      return created;
    });
  }

  async redeem(request: {
    volunteerId: number;
    rewardId: number;
    idempotency?: IdempotencyClaim;
  }): Promise<RedeemOutcome> {
    const replay = request.idempotency && (await this.replay(request.idempotency));
    if (replay) return replay;
    try {
      return await this.prisma.$transaction(async (tx) => {
        const { volunteerId, rewardId } = request;
        // Every spend of this volunteer's points waits here: check-then-spend cannot interleave.
        const [volunteer] = await tx.$queryRaw<{ status: 'PENDING' | 'APPROVED' | 'SUSPENDED' }[]>`
          SELECT status::text AS status FROM volunteers WHERE user_id = ${volunteerId} FOR UPDATE`;
        if (!volunteer) throw new Refused({ kind: 'no-volunteer' });
        if (volunteer.status !== 'APPROVED') {
          throw new Refused({ kind: 'not-approved', status: volunteer.status });
        }
        const reward = await tx.reward.findUnique({
          where: { id: rewardId },
          select: { cost: true, active: true },
        });
        if (!reward || !reward.active) throw new Refused({ kind: 'no-reward' });
        const [sum] = await tx.$queryRaw<{ points: bigint; minutes: bigint }[]>`
          SELECT COALESCE(SUM(points), 0)::bigint AS points, COALESCE(SUM(minutes), 0)::bigint AS minutes
            FROM points_ledger WHERE volunteer_id = ${volunteerId}`;
        const balance = Number(sum?.points ?? 0);
        if (balance < reward.cost) {
          throw new Refused({ kind: 'short-points', balance, cost: reward.cost });
        }
        const taken = await tx.$executeRaw`
          UPDATE rewards SET stock = stock - 1 WHERE id = ${rewardId} AND stock > 0 AND active`;
        if (taken === 0) throw new Refused({ kind: 'short-stock' });
        const created = await tx.redemption.create({
          data: { volunteerId, rewardId, points: reward.cost, status: 'REQUESTED' },
          include: REDEMPTION_INCLUDE,
        });
        await tx.pointsLedger.create({
          data: {
            volunteerId,
            redemptionId: created.id,
            points: -reward.cost,
            minutes: 0,
            reason: 'redemption',
          },
        });
        if (request.idempotency) {
          await tx.idempotencyKey.create({
            data: {
              ...request.idempotency,
              status: 201,
              response: { redemptionId: created.id },
            },
          });
        }
        return {
          kind: 'created' as const,
          redemption: toRedemption(created),
          balance: { points: balance - reward.cost, minutes: Number(sum?.minutes ?? 0) },
        };
      });
    } catch (error) {
      if (error instanceof Refused) return error.outcome;
      // The same key, committed by a concurrent request meanwhile.
      if (request.idempotency && isUniqueViolation(error)) {
        const again = await this.replay(request.idempotency);
        if (again) return again;
      }
      throw error;
    }
  }

  private async replay(claim: IdempotencyClaim): Promise<RedeemOutcome | null> {
    const row = await this.prisma.idempotencyKey.findUnique({
      where: { scope_key: { scope: claim.scope, key: claim.key } },
    });
    if (!row) return null;
    const response = row.response as { redemptionId?: unknown } | null;
    const redemptionId = Number(response?.redemptionId);
    if (!Number.isInteger(redemptionId)) return null;
    return { kind: 'replay', requestHash: row.requestHash, redemptionId };
  }

  async redemption(id: number): Promise<RedemptionDto | null> {
    const row = await this.prisma.redemption.findUnique({
      where: { id },
      include: REDEMPTION_INCLUDE,
    });
    return row && toRedemption(row);
  }

  async redemptions(filter: RedemptionFilter): Promise<RedemptionDto[]> {
    const communities =
      filter.regionId === null ? undefined : await this.communitiesWithin(filter.regionId);
    const rows = await this.prisma.redemption.findMany({
      where: {
        volunteerId: filter.volunteerId,
        status: filter.status,
        id: filter.before === undefined ? undefined : { lt: filter.before },
        volunteer: communities ? { homeCommunityId: { in: communities } } : undefined,
      },
      include: REDEMPTION_INCLUDE,
      orderBy: { id: 'desc' },
      take: filter.limit,
    });
    return rows.map(toRedemption);
  }

  async decide(decision: {
    id: number;
    to: 'APPROVED' | 'REJECTED';
    actorId: number;
    ip: string | null;
    at: Date;
  }): Promise<RedemptionDto | null> {
    const decided = await this.prisma.$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<{ volunteerId: number; rewardId: number; points: number }[]>`
        UPDATE redemptions
           SET status = ${decision.to}::"RedemptionStatus", decided_by_id = ${decision.actorId},
               decided_at = ${decision.at}
         WHERE id = ${decision.id} AND status = 'REQUESTED'
        RETURNING volunteer_id AS "volunteerId", reward_id AS "rewardId", points`;
      if (!row) return false;
      if (decision.to === 'REJECTED') {
        await tx.pointsLedger.create({
          data: {
            volunteerId: row.volunteerId,
            redemptionId: decision.id,
            points: row.points,
            minutes: 0,
            reason: 'redemption-refund',
          },
        });
        await tx.reward.update({ where: { id: row.rewardId }, data: { stock: { increment: 1 } } });
      }
      await this.audit.record(
        {
          actorId: decision.actorId,
          action: decision.to === 'APPROVED' ? 'approve' : 'reject',
          entity: 'redemption',
          entityId: String(decision.id),
          details: { volunteerId: row.volunteerId, rewardId: row.rewardId, points: row.points },
          ip: decision.ip,
        },
        tx,
      );
      return true;
    });
    return decided ? this.redemption(decision.id) : null;
  }

  async homeCommunity(volunteerId: number): Promise<number | null | undefined> {
    const row = await this.prisma.volunteer.findUnique({
      where: { userId: volunteerId },
      select: { homeCommunityId: true },
    });
    return row === null ? undefined : row.homeCommunityId;
  }

  async teamExists(teamId: number): Promise<boolean> {
    return (await this.prisma.team.count({ where: { id: teamId } })) > 0;
  }

  /**
   * Members ranked by points earned (task rows and adjustments; spending and
   * refunds do not count) then minutes of service (task rows only), in the window.
   */
  async leaderboard(query: LeaderboardQuery): Promise<Omit<LeaderboardRow, 'rank'>[]> {
    const rows = await this.prisma.$queryRaw<BoardRow[]>`
      ${boardSql(query)}
      SELECT "volunteerId", "displayName", minutes, points FROM board
       ORDER BY points DESC, minutes DESC, "volunteerId"
       LIMIT ${query.limit}`;
    return rows.map(fromBoardRow);
  }

  async standing(
    query: Omit<LeaderboardQuery, 'limit'>,
    volunteerId: number,
  ): Promise<LeaderboardRow | null> {
    const [row] = await this.prisma.$queryRaw<Array<BoardRow & { ahead: bigint }>>`
      ${boardSql(query)}
      SELECT b."volunteerId", b."displayName", b.minutes, b.points,
             (SELECT count(*) FROM board o
               WHERE (o.points, o.minutes) > (b.points, b.minutes))::bigint AS ahead
        FROM board b
       WHERE b."volunteerId" = ${volunteerId}`;
    return row ? { ...fromBoardRow(row), rank: Number(row.ahead) + 1 } : null;
  }

  private async communitiesWithin(regionId: number): Promise<number[]> {
    const rows = await this.prisma.$queryRaw<{ id: number }[]>`
      WITH RECURSIVE sub AS (
        SELECT id, level FROM regions WHERE id = ${regionId}
        UNION ALL
        SELECT r.id, r.level FROM regions r JOIN sub ON r.parent_id = sub.id
      )
      SELECT id FROM sub WHERE level = 'COMMUNITY'`;
    return rows.map((row) => row.id);
  }
}

interface BoardRow {
  volunteerId: number;
  displayName: string;
  minutes: bigint;
  points: bigint;
}

function fromBoardRow(row: BoardRow): Omit<LeaderboardRow, 'rank'> {
  return {
    volunteerId: row.volunteerId,
    displayName: row.displayName,
    minutes: Number(row.minutes),
    points: Number(row.points),
  };
}

/**
 * `WITH board AS (...)`: a board's members with points earned (task rows and
 * adjustments; spending and refunds do not count) and minutes of service
 * (task rows only), in the window.
 */
function boardSql(query: Omit<LeaderboardQuery, 'limit'>): Prisma.Sql {
  const members =
    query.by === 'team'
      ? Prisma.sql`v.user_id IN (SELECT volunteer_id FROM team_members WHERE team_id = ${query.id})`
      : Prisma.sql`v.home_community_id = ${query.id} AND v.status = 'APPROVED'`;
  const from = query.from ? Prisma.sql`AND l.created_at >= ${query.from}` : Prisma.empty;
  const to = query.to ? Prisma.sql`AND l.created_at < ${query.to}` : Prisma.empty;
  return Prisma.sql`
    WITH board AS (
      SELECT v.user_id AS "volunteerId", u.display_name AS "displayName",
             COALESCE(SUM(l.minutes) FILTER (WHERE l.task_id IS NOT NULL), 0)::bigint AS minutes,
             COALESCE(SUM(l.points) FILTER (
               WHERE l.reason NOT IN ('redemption', 'redemption-refund')), 0)::bigint AS points
        FROM volunteers v
        JOIN users u ON u.id = v.user_id
        LEFT JOIN points_ledger l ON l.volunteer_id = v.user_id ${from} ${to}
       WHERE ${members}
       GROUP BY v.user_id, u.display_name)`;
}
