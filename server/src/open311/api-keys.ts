import { createHash, randomBytes } from 'node:crypto';
import type { Open311ApiKeyDto, Open311IssuedKey } from '@gridline/core';
import type { Prisma, PrismaClient } from '@gridline/db';
import type { AuditLog } from '../audit/audit-log.ts';
import { notFound, conflict } from '../http/errors.ts';

/** Keys read `o311_` and 43 base64url characters (32 random bytes). */
const KEY_PREFIX = 'o311_';
const KEY_SHAPE = /^o311_[A-Za-z0-9_-]{43}$/;
/** How much of a key lists show, to tell keys apart. */
const SHOWN_PREFIX_LENGTH = 10;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function newApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

interface Actor {
  id: number;
  ip: string | null;
}

type KeyRow = Awaited<ReturnType<PrismaClient['open311ApiKey']['findFirstOrThrow']>>;

function toDto(row: KeyRow & { createdBy?: { username: string } | null }): Open311ApiKeyDto {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdBy: row.createdBy?.username ?? null,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

/**
 * The keys other systems file Open311 requests with: issued and revoked by
 * admins (each change audited), checked on every POST. Only a key's SHA-256 is
 * kept (a key is 256 random bits, so a plain hash suffices); the key itself is
 * returned once, when issued.
 */
export class Open311ApiKeys {
  constructor(
    private readonly deps: { prisma: PrismaClient; audit: AuditLog; clock: { now(): Date } },
  ) {}

  async list(): Promise<Open311ApiKeyDto[]> {
    const rows = await this.deps.prisma.open311ApiKey.findMany({
      orderBy: { id: 'desc' },
      include: { createdBy: { select: { username: true } } },
    });
    return rows.map(toDto);
  }

  async issue(name: string, actor: Actor): Promise<Open311IssuedKey> {
    const key = newApiKey();
    const row = await this.deps.prisma.$transaction(async (tx) => {
      const created = await tx.open311ApiKey.create({
        data: {
          name,
          keyHash: hashApiKey(key),
          prefix: key.slice(0, SHOWN_PREFIX_LENGTH),
          createdById: actor.id,
        },
        include: { createdBy: { select: { username: true } } },
      });
      await this.deps.audit.record(
        {
          actorId: actor.id,
          action: 'issue',
          entity: 'open311_key',
          entityId: String(created.id),
          details: { name, prefix: created.prefix },
          ip: actor.ip,
        },
        tx,
      );
      return created;
    });
    return { apiKey: toDto(row), key };
  }

  async revoke(id: number, actor: Actor): Promise<Open311ApiKeyDto> {
    const row = await this.deps.prisma.$transaction(async (tx) => {
      const before = await tx.open311ApiKey.findUnique({ where: { id } });
      if (!before) throw notFound('API key');
      if (before.revokedAt !== null) throw conflict('This key is already revoked');
      const revoked = await tx.open311ApiKey.update({
        where: { id },
        data: { revokedAt: this.deps.clock.now() },
        include: { createdBy: { select: { username: true } } },
      });
      await this.deps.audit.record(
        {
          actorId: actor.id,
          action: 'revoke',
          entity: 'open311_key',
          entityId: String(id),
          details: { name: before.name, prefix: before.prefix } satisfies Prisma.InputJsonObject,
          ip: actor.ip,
        },
        tx,
      );
      return revoked;
    });
    return toDto(row);
  }

  /** The id of the live key `key` is, or null (unknown, malformed or revoked). */
  async verify(key: string): Promise<number | null> {
    if (!KEY_SHAPE.test(key)) return null;
    const row = await this.deps.prisma.open311ApiKey.findUnique({
      where: { keyHash: hashApiKey(key) },
      select: { id: true, revokedAt: true },
    });
    return row && row.revokedAt === null ? row.id : null;
  }

  /** Notes that a request was filed with the key. */
  async used(id: number): Promise<void> {
    await this.deps.prisma.open311ApiKey.update({
      where: { id },
      data: { lastUsedAt: this.deps.clock.now() },
    });
  }
}
