import { createHmac, randomBytes } from 'node:crypto';
import type { PrismaClient } from '@gridline/db';
import type { AuthContext } from '../http/types.ts';

export const SESSION_COOKIE = 'gl_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

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

  async resolve(token: string): Promise<AuthContext | null> {
    if (token.length === 0 || token.length > 100) return null;
    const session = await this.prisma.session.findUnique({
      where: { id: this.idOf(token) },
      include: { user: { include: { region: { select: { level: true } } } } },
    });
    if (!session || session.revokedAt || session.expiresAt.getTime() <= Date.now()) return null;
    const { user } = session;
    if (!user.active) return null;
    return {
      sessionId: session.id,
      regionLevel: user.region?.level ?? null,
      user: {
        id: user.id,
        username: user.username,
        displayName: user.displayName,
        role: user.role,
        regionId: user.regionId,
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
