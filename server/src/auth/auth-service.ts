import type { PrismaClient } from '@gridline/db';
import type { UserDto } from '@gridline/core';
import { HttpError } from '../http/errors.ts';
import type { PasswordHasher } from './passwords.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { NewSession, SessionRepository } from './session-repository.ts';

export const LOGIN_LIMITS = {
  perAccount: { limit: 10, windowSeconds: 15 * 60 },
  perAddress: { limit: 60, windowSeconds: 15 * 60 },
};

// Verified against when the username is unknown, so both paths cost one argon2 check.
const DECOY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$H7mzHpwi8vXGQqJmmpL6TUfPa3EyDCmC2Yk3KR5JPIk';

export class AuthService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sessions: SessionRepository,
    private readonly hasher: PasswordHasher,
    private readonly limiter: RateLimiter,
  ) {}

  async login(
    username: string,
    password: string,
    meta: { ip: string; userAgent?: string },
  ): Promise<{ user: UserDto; session: NewSession }> {
    const accountKey = `login:user:${username.toLowerCase()}`;
    const addressKey = `login:ip:${meta.ip}`;
    const [accountOk, addressOk] = await Promise.all([
      this.limiter.hit(
        accountKey,
        LOGIN_LIMITS.perAccount.limit,
        LOGIN_LIMITS.perAccount.windowSeconds,
      ),
      this.limiter.hit(
        addressKey,
        LOGIN_LIMITS.perAddress.limit,
        LOGIN_LIMITS.perAddress.windowSeconds,
      ),
    ]);
    if (!accountOk || !addressOk) {
      throw new HttpError('RATE_LIMITED', 'Too many sign-in attempts; try again later');
    }
    const user = await this.prisma.user.findUnique({ where: { username } });
    const valid = await this.hasher.verify(user?.passwordHash ?? DECOY_HASH, password);
    if (!user || !valid || !user.active) {
      throw new HttpError('UNAUTHENTICATED', 'Wrong username or password');
    }
    await this.limiter.reset(accountKey);
    const session = await this.sessions.create(user.id, meta);
    return {
      session,
      user: {
        id: user.id,
        username: user.username,
        displayName: user.displayName,
        role: user.role,
        regionId: user.regionId,
      },
    };
  }
}
