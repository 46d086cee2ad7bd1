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
}

export interface NewSession {
  token: string;
  expiresAt: Date;
}

/** Sessions in PostgreSQL; the cookie holds a random token, the row its HMAC. */
export class SessionRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly secret: string,
  ) {}

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
    const [row] = await this.prisma.$queryRaw<SessionRow[]>`
      SELECT s.id AS "sessionId", u.id AS "userId", u.username, u.display_name AS "displayName",
             u.role::text AS role, u.region_id AS "regionId", r.level::text AS "regionLevel"
        FROM sessions s
        JOIN users u ON u.id = s.user_id
        LEFT JOIN regions r ON r.id = u.region_id
       WHERE s.id = ${this.idOf(token)} AND s.revoked_at IS NULL AND s.expires_at > now()
         AND u.active`;
    if (!row) return null;
    return {
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
  }

  async revoke(sessionId: string): Promise<void> {
    await this.prisma.session.updateMany({
      where: { id: sessionId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
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
    return sessions.map((session) => session.id);
  }
}
