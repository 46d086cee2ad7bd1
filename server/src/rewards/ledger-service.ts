import { createHash } from 'node:crypto';
import {
  redemptionRequestSchema,
  rewardSchema,
  type LeaderboardResponse,
  type LeaderboardRow,
  type LedgerBalance,
  type LedgerResponse,
} from '@gridline/core';
import type { RegionDirectory } from '@gridline/db';
import { HttpError, notFound, parseOr400 } from '../http/errors.ts';
import type { AuthContext } from '../http/types.ts';
import type { Clock } from '../tickets/ports.ts';
import { canonicalJson } from '../tickets/ticket-service.ts';
import { holdsCommunity, notApproved } from '../volunteers/volunteer-service.ts';
import type { LedgerRepository, RedemptionDto, RedemptionStatus, RewardDto } from './ports.ts';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,100}$/;
/** Who manages rewards and decides redemptions. */
const MANAGERS = new Set(['COMMUNITY_STAFF', 'ADMIN']);

export interface LedgerServiceDeps {
  repository: LedgerRepository;
  regions: () => Pick<RegionDirectory, 'get' | 'isWithin'>;
  clock: Clock;
}

function requireRoles(auth: AuthContext | undefined, roles: ReadonlySet<string>): AuthContext {
  if (!auth) throw new HttpError('UNAUTHENTICATED', 'Sign in first');
  if (!roles.has(auth.user.role)) throw new HttpError('FORBIDDEN', 'Your role may not do this');
  return auth;
}
const VOLUNTEER = new Set(['VOLUNTEER']);

/** Ranks shared by ties (1, 2, 2, 4) over rows already in order. */
export function ranked(rows: readonly Omit<LeaderboardRow, 'rank'>[]): LeaderboardRow[] {
  let rank = 0;
  return rows.map((row, index) => {
    const previous = rows[index - 1];
    if (!previous || previous.points !== row.points || previous.minutes !== row.minutes) {
      rank = index + 1;
    }
    return { ...row, rank };
  });
}

/**
 * Hours and points: the append-only ledger (a balance is always the sum of
 * its rows), rewards with stock, redemptions decided by community staff, and
 * leaderboards. Ledger rows for tasks are written by the task service at check-out.
 */
export class LedgerService {
  constructor(private readonly deps: LedgerServiceDeps) {}

  async ledger(
    auth: AuthContext | undefined,
    page: { before?: number; limit: number },
  ): Promise<LedgerResponse> {
    const me = requireRoles(auth, VOLUNTEER);
    return this.deps.repository.ledger(me.user.id, page);
  }

  async rewards(auth: AuthContext | undefined, includeInactive: boolean): Promise<RewardDto[]> {
    if (!auth) throw new HttpError('UNAUTHENTICATED', 'Sign in first');
    return this.deps.repository.rewards(includeInactive && MANAGERS.has(auth.user.role));
  }

  async createReward(
    auth: AuthContext | undefined,
    body: unknown,
    ip: string | null,
  ): Promise<RewardDto> {
    const staff = requireRoles(auth, MANAGERS);
    const reward = parseOr400(rewardSchema, body);
    return this.deps.repository.createReward(reward, { actorId: staff.user.id, ip });
  }

  async redeem(
    auth: AuthContext | undefined,
    body: unknown,
    idempotencyKey: string | undefined,
  ): Promise<{ redemption: RedemptionDto; balance: LedgerBalance | null }> {
    const me = requireRoles(auth, VOLUNTEER);
    const { rewardId } = parseOr400(redemptionRequestSchema, body);
    let idempotency;
    if (idempotencyKey !== undefined) {
      if (!IDEMPOTENCY_KEY.test(idempotencyKey)) {
        throw new HttpError(
          'VALIDATION_FAILED',
          'Idempotency-Key must be 8-100 letters, digits, - or _',
        );
      }
      idempotency = {
        scope: `POST /api/redemptions user:${me.user.id}`,
        key: idempotencyKey,
        requestHash: createHash('sha256').update(canonicalJson(body)).digest('hex'),
      };
    }
    const outcome = await this.deps.repository.redeem({
      volunteerId: me.user.id,
      rewardId,
      ...(idempotency ? { idempotency } : {}),
    });
    switch (outcome.kind) {
      case 'created':
        return { redemption: outcome.redemption, balance: outcome.balance };
      case 'replay': {
        if (outcome.requestHash !== idempotency?.requestHash) {
          throw new HttpError(
            'IDEMPOTENCY_MISMATCH',
            'This Idempotency-Key was used with another request',
          );
        }
        const redemption = await this.deps.repository.redemption(outcome.redemptionId);
        if (!redemption) throw notFound('Redemption');
        return { redemption, balance: null };
      }
      case 'no-volunteer':
        throw notFound('Volunteer');
      case 'not-approved':
        throw notApproved(outcome.status);
      case 'no-reward':
        throw notFound('Reward');
      case 'short-points':
        throw new HttpError('CONFLICT', 'Not enough points for this reward', {
          reason: 'points',
          balance: outcome.balance,
          cost: outcome.cost,
        });
      case 'short-stock':
        throw new HttpError('CONFLICT', 'This reward is out of stock', { reason: 'stock' });
    }
  }

  /** Volunteers: their own. Community staff and admins: volunteers living in their region. */
  async redemptions(
    auth: AuthContext | undefined,
    query: { status?: RedemptionStatus; communityId?: number; before?: number; limit: number },
  ): Promise<{ redemptions: RedemptionDto[]; nextBefore: number | null }> {
    if (!auth) throw new HttpError('UNAUTHENTICATED', 'Sign in first');
    let filter;
    if (auth.user.role === 'VOLUNTEER') {
      filter = { regionId: null, volunteerId: auth.user.id };
    } else {
      const staff = requireRoles(auth, MANAGERS);
      let regionId = staff.user.role === 'ADMIN' ? null : staff.user.regionId;
      if (query.communityId !== undefined) {
        if (!this.deps.regions().get(query.communityId)) throw notFound('Community');
        if (!holdsCommunity(staff, query.communityId, this.deps.regions())) {
          throw new HttpError('FORBIDDEN', 'This community is outside your region');
        }
        regionId = query.communityId;
      } else if (staff.user.role !== 'ADMIN' && regionId === null) {
        throw new HttpError('FORBIDDEN', 'You have no home region');
      }
      filter = { regionId };
    }
    const rows = await this.deps.repository.redemptions({
      ...filter,
      status: query.status,
      before: query.before,
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    return {
      redemptions: page,
      nextBefore: rows.length > query.limit ? (page[page.length - 1]?.id ?? null) : null,
    };
  }

  async decide(
    auth: AuthContext | undefined,
    id: number,
    action: 'approve' | 'reject',
    ip: string | null,
  ): Promise<RedemptionDto> {
    const staff = requireRoles(auth, MANAGERS);
    const redemption = await this.deps.repository.redemption(id);
    if (!redemption) throw notFound('Redemption');
    if (!holdsCommunity(staff, redemption.homeCommunityId, this.deps.regions())) {
      throw new HttpError('FORBIDDEN', 'This volunteer lives outside your region');
    }
    const decided = await this.deps.repository.decide({
      id,
      to: action === 'approve' ? 'APPROVED' : 'REJECTED',
      actorId: staff.user.id,
      ip,
      at: this.deps.clock.now(),
    });
    if (!decided) {
      throw new HttpError('CONFLICT', 'This redemption was already decided', {
        status: redemption.status,
      });
    }
    return decided;
  }

  async leaderboard(
    auth: AuthContext | undefined,
    query: {
      by: 'team' | 'community';
      regionId?: number;
      teamId?: number;
      from?: Date;
      to?: Date;
      limit: number;
    },
  ): Promise<LeaderboardResponse> {
    if (!auth) throw new HttpError('UNAUTHENTICATED', 'Sign in first');
    let id: number;
    if (query.by === 'team') {
      if (query.teamId === undefined) throw invalidQuery('teamId', 'required when by=team');
      if (!(await this.deps.repository.teamExists(query.teamId))) throw notFound('Team');
      id = query.teamId;
    } else {
      const community = query.regionId ?? (await this.#ownCommunity(auth));
      if (community === null) throw invalidQuery('regionId', 'required: no home community');
      const region = this.deps.regions().get(community);
      if (!region) throw notFound('Community');
      if (region.level !== 'COMMUNITY') throw invalidQuery('regionId', 'not a community');
      id = community;
    }
    const board = { by: query.by, id, from: query.from, to: query.to };
    const rows = ranked(await this.deps.repository.leaderboard({ ...board, limit: query.limit }));
    // A volunteer below the top of a long board still sees where they stand.
    if (auth.user.role === 'VOLUNTEER' && !rows.some((row) => row.volunteerId === auth.user.id)) {
      const me = await this.deps.repository.standing(board, auth.user.id);
      if (me) return { by: query.by, id, rows, me };
    }
    return { by: query.by, id, rows };
  }

  async #ownCommunity(auth: AuthContext): Promise<number | null> {
    if (auth.user.role === 'VOLUNTEER') {
      return (await this.deps.repository.homeCommunity(auth.user.id)) ?? null;
    }
    const regionId = auth.user.regionId;
    return regionId !== null && this.deps.regions().get(regionId)?.level === 'COMMUNITY'
      ? regionId
      : null;
  }
}

const invalidQuery = (path: string, message: string) =>
  new HttpError('VALIDATION_FAILED', 'Invalid query', [{ path, message }]);
