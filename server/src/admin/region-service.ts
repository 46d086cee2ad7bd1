import {
  validateRegionImport,
  type GridAssignmentPatch,
  type ImportProblem,
  type RegionImportResponse,
  type RegionImportSummary,
  type RegionLevel,
  type ValidRegionFeature,
} from '@gridline/core';
import type { PrismaClient, RegionDirectory } from '@gridline/db';
import { HttpError, notFound } from '../http/errors.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AdminChange } from './change-bus.ts';
import type { RegionAdminRepository } from './region-repository.ts';

/** Serialises imports: validation and writes see the same stored regions. */
const REGION_IMPORT_LOCK = 7_300_411;
const IMPORT_TIMEOUT_MS = 120_000;

export interface Actor {
  id: number;
  ip: string | null;
}

/** Thrown when an import has problems: 422, every problem listed, nothing written. */
export function importRejected(problems: ImportProblem[], summary: RegionImportSummary): HttpError {
  return new HttpError(
    'UNPROCESSABLE',
    `The file has ${problems.length} problem(s); nothing was imported`,
    { problems, summary },
  );
}

function summarise(
  input: unknown,
  features: ValidRegionFeature[],
  existingCodes: ReadonlySet<string>,
): RegionImportSummary {
  const raw = (input as { features?: unknown } | null)?.features;
  const byLevel: Partial<Record<RegionLevel, number>> = {};
  for (const feature of features) byLevel[feature.level] = (byLevel[feature.level] ?? 0) + 1;
  const updated = features.filter((feature) => existingCodes.has(feature.code)).length;
  return {
    features: Array.isArray(raw) ? raw.length : 0,
    created: features.length - updated,
    updated,
    byLevel,
  };
}

/** Region import (all or nothing), and who looks after each grid. */
export class RegionAdminService {
  constructor(
    private readonly deps: {
      prisma: PrismaClient;
      repository: RegionAdminRepository;
      audit: AuditLog;
      regions: () => RegionDirectory;
      announce: (change: AdminChange) => Promise<void>;
    },
  ) {}

  async importRegions(
    input: unknown,
    options: { dryRun: boolean; actor: Actor },
  ): Promise<RegionImportResponse> {
    const usernames = namedUsers(input);
    if (options.dryRun) {
      const context = await this.deps.repository.importContext(this.deps.prisma, usernames);
      const { problems, features } = validateRegionImport(input, context);
      const summary = summarise(input, features, new Set(context.existing.keys()));
      if (problems.length > 0) throw importRejected(problems, summary);
      return { dryRun: true, applied: false, problems: [], summary };
    }
    const summary = await this.deps.prisma.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${REGION_IMPORT_LOCK})`;
        const context = await this.deps.repository.importContext(tx, usernames);
        const { problems, features } = validateRegionImport(input, context);
        const summary = summarise(input, features, new Set(context.existing.keys()));
        if (problems.length > 0) throw importRejected(problems, summary);
        const written = await this.deps.repository.upsert(tx, features);
        await this.deps.audit.record(
          {
            actorId: options.actor.id,
            action: 'import',
            entity: 'regions',
            entityId: null,
            details: {
              features: summary.features,
              byLevel: summary.byLevel,
              created: written.created,
              updated: written.updated,
            },
            ip: options.actor.ip,
          },
          tx,
        );
        return summary;
      },
      { timeout: IMPORT_TIMEOUT_MS, maxWait: 10_000 },
    );
    await this.deps.announce('regions');
    return { dryRun: false, applied: true, problems: [], summary };
  }

  /** Sets a grid's member and/or backup: active grid members at home in the grid's community. */
  async assignGrid(gridId: number, patch: GridAssignmentPatch, actor: Actor) {
    const directory = this.deps.regions();
    const grid = directory.get(gridId);
    if (!grid) throw notFound('Grid');
    if (grid.level !== 'GRID') {
      throw new HttpError('UNPROCESSABLE', 'Only grids have members', [
        { path: 'id', message: `region ${grid.code} is a ${grid.level}` },
      ]);
    }
    const communityId = directory.chainOf(gridId).communityId;
    const candidates = [patch.memberId, patch.backupId].filter(
      (id): id is number => typeof id === 'number',
    );
    const users = await this.deps.prisma.user.findMany({
      where: { id: { in: candidates } },
      select: { id: true, role: true, active: true, regionId: true, username: true },
    });
    const problems: { path: string; message: string }[] = [];
    for (const [path, id] of [
      ['memberId', patch.memberId],
      ['backupId', patch.backupId],
    ] as const) {
      if (typeof id !== 'number') continue;
      const user = users.find((row) => row.id === id);
      if (!user) problems.push({ path, message: 'no such user' });
      else if (user.role !== 'GRID_MEMBER' || !user.active)
        problems.push({ path, message: `${user.username} is not an active grid member` });
      else if (
        user.regionId === null ||
        communityId === null ||
        !directory.isWithin(user.regionId, communityId)
      )
        problems.push({
          path,
          message: `${user.username} is not at home in this grid's community`,
        });
    }
    if (problems.length > 0) throw new HttpError('UNPROCESSABLE', 'Cannot assign', problems);

    const result = await this.deps.prisma.$transaction(async (tx) => {
      const before = await tx.gridAssignment.findUnique({ where: { gridId } });
      const memberId = patch.memberId ?? before?.memberId;
      if (memberId === undefined) {
        throw new HttpError('UNPROCESSABLE', 'This grid has no member yet: set memberId first', [
          { path: 'memberId', message: 'required for a grid without a member' },
        ]);
      }
      const backupId = patch.backupId !== undefined ? patch.backupId : (before?.backupId ?? null);
      if (backupId === memberId) {
        throw new HttpError('UNPROCESSABLE', 'The backup must be someone else', [
          { path: 'backupId', message: 'same as the member' },
        ]);
      }
      await tx.gridAssignment.upsert({
        where: { gridId },
        create: { gridId, memberId, backupId },
        update: { memberId, backupId },
      });
      await this.deps.audit.record(
        {
          actorId: actor.id,
          action: 'assign',
          entity: 'grid',
          entityId: String(gridId),
          details: {
            before: before ? { memberId: before.memberId, backupId: before.backupId } : null,
            after: { memberId, backupId },
          },
          ip: actor.ip,
        },
        tx,
      );
      return this.deps.repository.assignment(gridId, tx);
    });
    return { gridId, member: result?.member ?? null, backup: result?.backup ?? null };
  }
}

function namedUsers(input: unknown): string[] {
  const features = (input as { features?: unknown } | null)?.features;
  if (!Array.isArray(features)) return [];
  const names = new Set<string>();
  for (const feature of features as { properties?: Record<string, unknown> }[]) {
    for (const key of ['memberUsername', 'backupUsername']) {
      const value = feature?.properties?.[key];
      if (typeof value === 'string' && value.trim() !== '') names.add(value.trim());
    }
  }
  return [...names].slice(0, 10_000);
}
