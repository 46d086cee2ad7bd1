import { createHmac, randomBytes } from 'node:crypto';
import type { RegionLevel, Role } from '@gridline/core';
import type { PrismaClient } from '@gridline/db';
import type { AuthContext } from '../http/types.ts';

export const SESSION_COOKIE = 'gl_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

interface SessionRow {
  sessionId: string;
  userId: number;
  username: string;
  displayName: string;
  role: Role;
  regionId: number | null;
  regionLevel: RegionLevel | null;
  expiresAt: Date;
}

export interface NewSession {
  token: string;
  expiresAt: Date;
}

/** Cached sessions at most; beyond, the cache starts over (a flood of distinct tokens). */
const CACHE_LIMIT = 50_000;

/**
 * Sessions in PostgreSQL; the cookie holds a random token, the row its HMAC.
 * Every request asks, so live sessions are kept in memory for `cacheMs`. A
 * revocation or a change of a user forgets them all, here and (through
 * `onInvalidate`, the admin change bus) in every other server process.
 */
export class SessionRepository {
  private readonly cache = new Map<string, { auth: AuthContext; until: number }>();
  private broadcast: () => void = () => undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly secret: string,
    private readonly cacheMs = 5_000,
  ) {}

  /** How to tell the other processes to forget their cached sessions. */
  onInvalidate(broadcast: () => void): void {
    this.broadcast = broadcast;
  }

  /** Drops every cached session in this process (another one revoked or changed one). */
  forget(): void {
    this.cache.clear();
  }

  /** After a session was revoked or a user changed: forget here and everywhere. */
  invalidate(): void {
    this.forget();
    this.broadcast();
  }

  private idOf(token: string): string {
    return createHmac('sha256', this.secret).update(token).digest('hex');
  }

  async create(userId: number, meta: { ip?: string; userAgent?: string }): Promise<NewSession> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
    await this.prisma.session.create({
      data: {
        id: this.idOf(token),
        userId,
        expiresAt,
        ip: meta.ip ?? null,
        userAgent: meta.userAgent?.slice(0, 300) ?? null,
      },
    });
    return { token, expiresAt };
  }

  /**
   * The live session behind a token, with its user and home region's level.
   * Every authenticated request asks, so it is one round trip: a join, where
   * an `include` would be three queries.
   */
  async resolve(token: string): Promise<AuthContext | null> {
    if (token.length === 0 || token.length > 100) return null;
    const id = this.idOf(token);
    const now = Date.now();
    const cached = this.cache.get(id);
    if (cached && cached.until > now) return cached.auth;
    const [row] = await this.prisma.$queryRaw<SessionRow[]>`
      SELECT s.id AS "sessionId", u.id AS "userId", u.username, u.display_name AS "displayName",
             u.role::text AS role, u.region_id AS "regionId", r.level::text AS "regionLevel",
             s.expires_at AS "expiresAt"
        FROM sessions s
        JOIN users u ON u.id = s.user_id
        LEFT JOIN regions r ON r.id = u.region_id
       WHERE s.id = ${id} AND s.revoked_at IS NULL AND s.expires_at > now()
         AND u.active`;
    if (!row) {
      this.cache.delete(id);
      return null;
    }
    const auth: AuthContext = {
      sessionId: row.sessionId,
      regionLevel: row.regionLevel,
      user: {
        id: row.userId,
        username: row.username,
        displayName: row.displayName,
        role: row.role,
        regionId: row.regionId,
      },
    };
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(id, { auth, until: Math.min(now + this.cacheMs, row.expiresAt.getTime()) });
    return auth;
  }

  async revoke(sessionId: string): Promise<void> {
    await this.prisma.session.updateMany({
      where: { id: sessionId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    this.invalidate();
  }

  async revokeAllOf(userId: number): Promise<string[]> {
    const sessions = await this.prisma.session.findMany({
      where: { userId, revokedAt: null },
      select: { id: true },
    });
    await this.prisma.session.updateMany({
      where: { userId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    this.invalidate();
    return sessions.map((session) => session.id);
  }
}
