import type { LedgerBalance, SkillDto } from '@gridline/core';
import { Prisma, type PrismaClient } from '@gridline/db';
import type { AuditLog } from '../audit/audit-log.ts';
import {
  UsernameTakenError,
  type NewVolunteer,
  type StatusChange,
  type TeamDto,
  type VolunteerFieldInfo,
  type VolunteerListFilter,
  type VolunteerPatch,
  type VolunteerRecord,
  type VolunteerRepository,
} from './ports.ts';

const RECORD_INCLUDE = {
  user: { select: { username: true, displayName: true, phone: true } },
  skills: { select: { skill: { select: { code: true } } } },
  teams: { select: { leader: true, team: { select: { id: true, name: true } } } },
} satisfies Prisma.VolunteerInclude;

type VolunteerRow = Prisma.VolunteerGetPayload<{ include: typeof RECORD_INCLUDE }>;

function toRecord(row: VolunteerRow, balance: LedgerBalance): VolunteerRecord {
  return {
    userId: row.userId,
    username: row.user.username,
    displayName: row.user.displayName,
    phone: row.user.phone,
    status: row.status,
    homeCommunityId: row.homeCommunityId,
    skills: row.skills.map((held) => held.skill.code).sort(),
    teams: row.teams
      .map((member) => ({ id: member.team.id, name: member.team.name, leader: member.leader }))
      .sort((a, b) => a.id - b.id),
    onDuty: row.onDuty,
    balance,
    createdAt: row.createdAt,
  };
}

const isUniqueViolation = (error: unknown) =>
  error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';

export class PrismaVolunteerRepository implements VolunteerRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditLog,
  ) {}

  skills(): Promise<SkillDto[]> {
    return this.prisma.skill.findMany({
      select: { code: true, nameZh: true, nameEn: true },
      orderBy: { id: 'asc' },
    });
  }

  async existingTeams(ids: readonly number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const rows = await this.prisma.team.findMany({
      where: { id: { in: [...ids] } },
      select: { id: true },
    });
    return rows.map((row) => row.id);
  }

  async usernameTaken(username: string): Promise<boolean> {
    const user = await this.prisma.user.findFirst({
      where: { username: { equals: username, mode: 'insensitive' } },
      select: { id: true },
    });
    return user !== null;
  }

  async create(volunteer: NewVolunteer): Promise<number> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const skills = await tx.skill.findMany({
          where: { code: { in: volunteer.skills } },
          select: { id: true },
        });
        const user = await tx.user.create({
          data: {
            username: volunteer.username,
            displayName: volunteer.displayName,
            role: 'VOLUNTEER',
            regionId: volunteer.homeCommunityId,
            phone: volunteer.phone,
            passwordHash: volunteer.passwordHash,
            volunteer: {
              create: {
                status: 'PENDING',
                homeCommunityId: volunteer.homeCommunityId,
                skills: { create: skills.map((skill) => ({ skillId: skill.id })) },
                teams: { create: volunteer.teamIds.map((teamId) => ({ teamId })) },
              },
            },
          },
          select: { id: true },
        });
        return user.id;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new UsernameTakenError();
      throw error;
    }
  }

  async find(userId: number): Promise<VolunteerRecord | null> {
    const [row, balance] = await Promise.all([
      this.prisma.volunteer.findUnique({ where: { userId }, include: RECORD_INCLUDE }),
      this.balances([userId]),
    ]);
    return row && toRecord(row, balance.get(userId) ?? { minutes: 0, points: 0 });
  }

  async fieldInfo(userId: number): Promise<VolunteerFieldInfo | null> {
    const row = await this.prisma.volunteer.findUnique({
      where: { userId },
      select: {
        status: true,
        homeCommunityId: true,
        user: { select: { displayName: true, active: true } },
        skills: { select: { skill: { select: { code: true } } } },
      },
    });
    if (!row || !row.user.active) return null;
    return {
      userId,
      displayName: row.user.displayName,
      status: row.status,
      homeCommunityId: row.homeCommunityId,
      skills: row.skills.map((held) => held.skill.code),
    };
  }

  async update(userId: number, patch: VolunteerPatch): Promise<{ awaitingApproval: boolean }> {
    return this.prisma.$transaction(async (tx) => {
      const user: Prisma.UserUpdateInput = {};
      let awaitingApproval = false;
      if (patch.displayName !== undefined) user.displayName = patch.displayName;
      if (patch.phone !== undefined) user.phone = patch.phone;
      if (patch.homeCommunityId !== undefined) {
        user.region = { connect: { id: patch.homeCommunityId } };
        const before = await tx.volunteer.findUniqueOrThrow({
          where: { userId },
          select: { status: true, homeCommunityId: true },
        });
        awaitingApproval =
          before.status === 'APPROVED' && before.homeCommunityId !== patch.homeCommunityId;
        await tx.volunteer.update({
          where: { userId },
          data: {
            homeCommunityId: patch.homeCommunityId,
            ...(awaitingApproval
              ? { status: 'PENDING', onDuty: false, approvedById: null, approvedAt: null }
              : {}),
          },
        });
        if (awaitingApproval) user.onDuty = false;
      }
      if (Object.keys(user).length > 0) await tx.user.update({ where: { id: userId }, data: user });
      if (patch.skills !== undefined) {
        const skills = await tx.skill.findMany({
          where: { code: { in: patch.skills } },
          select: { id: true },
        });
        await tx.volunteerSkill.deleteMany({ where: { volunteerId: userId } });
        await tx.volunteerSkill.createMany({
          data: skills.map((skill) => ({ volunteerId: userId, skillId: skill.id })),
        });
      }
      return { awaitingApproval };
    });
  }

  async list(filter: VolunteerListFilter): Promise<VolunteerRecord[]> {
    let communities: number[] | undefined;
    if (filter.communityId !== undefined) communities = [filter.communityId];
    else if (filter.regionId !== null) communities = await this.communitiesWithin(filter.regionId);
    const rows = await this.prisma.volunteer.findMany({
      where: {
        homeCommunityId: communities ? { in: communities } : undefined,
        status: filter.status,
        userId: filter.cursor === undefined ? undefined : { gt: filter.cursor },
      },
      include: RECORD_INCLUDE,
      orderBy: { userId: 'asc' },
      take: filter.limit,
    });
    const balances = await this.balances(rows.map((row) => row.userId));
    return rows.map((row) => toRecord(row, balances.get(row.userId) ?? { minutes: 0, points: 0 }));
  }

  async setStatus(change: StatusChange): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const before = await tx.volunteer.findUnique({
        where: { userId: change.userId },
        select: { status: true, onDuty: true },
      });
      if (!before || before.status === change.to) return false;
      const { count } = await tx.volunteer.updateMany({
        where: { userId: change.userId, status: before.status },
        data:
          change.to === 'APPROVED'
            ? { status: 'APPROVED', approvedById: change.actorId, approvedAt: change.at }
            : { status: 'SUSPENDED', onDuty: false },
      });
      if (count === 0) return false;
      if (change.to === 'SUSPENDED') {
        await tx.user.updateMany({ where: { id: change.userId }, data: { onDuty: false } });
      }
      await this.audit.record(
        {
          actorId: change.actorId,
          action: change.to === 'APPROVED' ? 'approve' : 'suspend',
          entity: 'volunteer',
          entityId: String(change.userId),
          details: { before: { status: before.status }, after: { status: change.to } },
          ip: change.ip,
        },
        tx,
      );
      return true;
    });
  }

  async teams(communityId?: number): Promise<TeamDto[]> {
    const rows = await this.prisma.team.findMany({
      where: { communityId },
      select: { id: true, name: true, communityId: true, _count: { select: { members: true } } },
      orderBy: { id: 'asc' },
    });
    return rows.map(toTeam);
  }

  async team(id: number): Promise<TeamDto | null> {
    const row = await this.prisma.team.findUnique({
      where: { id },
      select: { id: true, name: true, communityId: true, _count: { select: { members: true } } },
    });
    return row && toTeam(row);
  }

  async createTeam(team: { name: string; communityId: number }): Promise<TeamDto> {
    const row = await this.prisma.team.create({
      data: team,
      select: { id: true, name: true, communityId: true, _count: { select: { members: true } } },
    });
    return toTeam(row);
  }

  async join(teamId: number, userId: number): Promise<void> {
    await this.prisma.teamMember.createMany({
      data: [{ teamId, volunteerId: userId }],
      skipDuplicates: true,
    });
  }

  async leave(teamId: number, userId: number): Promise<void> {
    await this.prisma.teamMember.deleteMany({ where: { teamId, volunteerId: userId } });
  }

  /** The ledger's sums: a balance is always the sum of its rows. */
  private async balances(userIds: readonly number[]): Promise<Map<number, LedgerBalance>> {
    if (userIds.length === 0) return new Map();
    const sums = await this.prisma.pointsLedger.groupBy({
      by: ['volunteerId'],
      where: { volunteerId: { in: [...userIds] } },
      _sum: { minutes: true, points: true },
    });
    return new Map(
      sums.map((sum) => [
        sum.volunteerId,
        { minutes: sum._sum.minutes ?? 0, points: sum._sum.points ?? 0 },
      ]),
    );
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

function toTeam(row: {
  id: number;
  name: string;
  communityId: number | null;
  _count: { members: number };
}): TeamDto {
  return { id: row.id, name: row.name, communityId: row.communityId, members: row._count.members };
}
