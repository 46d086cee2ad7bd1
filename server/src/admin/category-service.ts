import {
  deadlinePolicySchema,
  storedCategoryAttributes,
  type CategoryDto,
  type CategoryPatch,
  type ElderlyService,
} from '@gridline/core';
import type { Prisma, PrismaClient } from '@gridline/db';
import { notFound } from '../http/errors.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AdminChange } from './change-bus.ts';
import type { Actor } from './region-service.ts';

export type AdminCategoryDto = CategoryDto & { active: boolean; sortOrder: number };

type CategoryRow = Awaited<ReturnType<PrismaClient['category']['findFirstOrThrow']>>;

function toDto(row: CategoryRow): AdminCategoryDto {
  return {
    code: row.code,
    names: { zh: row.nameZh, en: row.nameEn },
    department: row.department,
    defaultPriority: row.defaultPriority,
    requiresVerification: row.requiresVerification,
    elderlyService: row.elderlyService as ElderlyService | null,
    policy: deadlinePolicySchema.parse(row.policy),
    attributes: storedCategoryAttributes(row.attributes),
    active: row.active,
    sortOrder: row.sortOrder,
  };
}

/** Categories and their deadline policies, every change audited and seen by every process. */
export class CategoryAdminService {
  constructor(
    private readonly deps: {
      prisma: PrismaClient;
      audit: AuditLog;
      announce: (change: AdminChange) => Promise<void>;
    },
  ) {}

  async list(): Promise<AdminCategoryDto[]> {
    const rows = await this.deps.prisma.category.findMany({
      orderBy: [{ sortOrder: 'asc' }, { id: 'asc' }],
    });
    return rows.map(toDto);
  }

  async get(code: string): Promise<AdminCategoryDto> {
    const row = await this.deps.prisma.category.findUnique({ where: { code } });
    if (!row) throw notFound('Category');
    return toDto(row);
  }

  async update(code: string, patch: CategoryPatch, actor: Actor): Promise<AdminCategoryDto> {
    const data: Prisma.CategoryUpdateInput = {
      nameZh: patch.names?.zh,
      nameEn: patch.names?.en,
      defaultPriority: patch.defaultPriority,
      requiresVerification: patch.requiresVerification,
      active: patch.active,
      policy: patch.policy as Prisma.InputJsonValue | undefined,
      attributes: patch.attributes as Prisma.InputJsonValue | undefined,
    };
    const after = await this.deps.prisma.$transaction(async (tx) => {
      const before = await tx.category.findUnique({ where: { code } });
      if (!before) throw notFound('Category');
      const row = await tx.category.update({ where: { code }, data });
      const beforeDto = toDto(before);
      const afterDto = toDto(row);
      await this.deps.audit.record(
        {
          actorId: actor.id,
          action: 'update',
          entity: 'category',
          entityId: code,
          details: {
            before: beforeDto as unknown as Prisma.InputJsonObject,
            after: afterDto as unknown as Prisma.InputJsonObject,
          },
          ip: actor.ip,
        },
        tx,
      );
      return afterDto;
    });
    await this.deps.announce('categories');
    return after;
  }
}
