import { deadlinePolicySchema, type CategoryDto, type ElderlyService } from '@gridline/core';
import type { PrismaClient } from '@gridline/db';
import type { CategoryCatalog } from '../tickets/ports.ts';

type CategoryWithId = CategoryDto & { id: number };

/** Categories change rarely: held in memory, reloaded after `ttlMs`. */
export class PrismaCategoryCatalog implements CategoryCatalog {
  private cache: { at: number; byCode: Map<string, CategoryWithId> } | null = null;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly ttlMs = 30_000,
  ) {}

  async byCode(code: string): Promise<CategoryWithId | null> {
    return (await this.load()).get(code) ?? null;
  }

  async list(): Promise<CategoryDto[]> {
    return [...(await this.load()).values()].map(({ id: _id, ...dto }) => dto);
  }

  invalidate(): void {
    this.cache = null;
  }

  private async load(): Promise<Map<string, CategoryWithId>> {
    if (this.cache && Date.now() - this.cache.at < this.ttlMs) return this.cache.byCode;
    const rows = await this.prisma.category.findMany({
      where: { active: true },
      orderBy: [{ sortOrder: 'asc' }, { id: 'asc' }],
    });
    const byCode = new Map<string, CategoryWithId>();
    for (const row of rows) {
      byCode.set(row.code, {
        id: row.id,
        code: row.code,
        names: { zh: row.nameZh, en: row.nameEn },
        department: row.department,
        defaultPriority: row.defaultPriority,
        requiresVerification: row.requiresVerification,
        elderlyService: row.elderlyService as ElderlyService | null,
        policy: deadlinePolicySchema.parse(row.policy),
      });
    }
    this.cache = { at: Date.now(), byCode };
    return byCode;
  }
}
