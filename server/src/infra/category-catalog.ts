import {
  deadlinePolicySchema,
  storedCategoryAttributes,
  type CategoryDto,
  type ElderlyService,
} from '@gridline/core';
import type { PrismaClient } from '@gridline/db';
import type { CatalogCategory, CategoryCatalog } from '../tickets/ports.ts';

/** Categories change rarely: held in memory, reloaded after `ttlMs`. */
export class PrismaCategoryCatalog implements CategoryCatalog {
  private cache: { at: number; byCode: Map<string, CatalogCategory> } | null = null;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly ttlMs = 30_000,
  ) {}

  async byCode(code: string): Promise<CatalogCategory | null> {
    return (await this.load()).get(code) ?? null;
  }

  async list(): Promise<CategoryDto[]> {
    return (await this.entries()).map(({ id: _id, sensitive: _sensitive, ...dto }) => dto);
  }

  async entries(): Promise<CatalogCategory[]> {
    return [...(await this.load()).values()];
  }

  invalidate(): void {
    this.cache = null;
  }

  private async load(): Promise<Map<string, CatalogCategory>> {
    if (this.cache && Date.now() - this.cache.at < this.ttlMs) return this.cache.byCode;
    const rows = await this.prisma.category.findMany({
      where: { active: true },
      orderBy: [{ sortOrder: 'asc' }, { id: 'asc' }],
    });
    const byCode = new Map<string, CatalogCategory>();
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
        attributes: storedCategoryAttributes(row.attributes),
        sensitive: row.sensitive,
      });
    }
    this.cache = { at: Date.now(), byCode };
    return byCode;
  }
}
