import {
  residentRegistrationSchema,
  type MyTicket,
  type TicketStatus,
  type UserDto,
} from '@gridline/core';
import { Prisma, type PrismaClient } from '@gridline/db';
import { HttpError, parseOr400 } from '../http/errors.ts';
import type { AuthContext } from '../http/types.ts';
import type { PasswordHasher } from '../auth/passwords.ts';
import type { RateLimiter } from '../auth/rate-limiter.ts';
import type { NewSession, SessionRepository } from '../auth/session-repository.ts';
import { REGISTER_LIMIT } from '../volunteers/volunteer-service.ts';

export interface ResidentServiceDeps {
  prisma: PrismaClient;
  sessions: SessionRepository;
  hasher: PasswordHasher;
  limiter: RateLimiter;
}

/** How many of each a resident's list shows, the newest first. */
const LIST_LIMIT = 200;

/**
 * Optional resident accounts: a mobile number (the username) and a password.
 * Signed in, a resident's reports and follows are theirs, listed in one place
 * and open without the tracking link.
 */
export class ResidentService {
  constructor(private readonly deps: ResidentServiceDeps) {}

  async register(
    body: unknown,
    meta: { ip: string; userAgent?: string },
  ): Promise<{ user: UserDto; session: NewSession }> {
    const allowed = await this.deps.limiter.hit(
      `register:ip:${meta.ip}`,
      REGISTER_LIMIT.perAddress,
      REGISTER_LIMIT.windowSeconds,
    );
    if (!allowed) throw new HttpError('RATE_LIMITED', 'Too many registrations; try again later');
    const input = parseOr400(residentRegistrationSchema, body);
    const passwordHash = await this.deps.hasher.hash(input.password);
    const displayName = input.displayName ?? `居民 ${input.phone.slice(-4)}`;
    let id: number;
    try {
      const user = await this.deps.prisma.user.create({
        data: {
          username: input.phone,
          phone: input.phone,
          displayName,
          role: 'RESIDENT',
          passwordHash,
        },
        select: { id: true },
      });
      id = user.id;
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw new HttpError('CONFLICT', 'This phone number already has an account; sign in', [
          { path: 'phone', message: 'taken' },
        ]);
      }
      throw error;
    }
    const session = await this.deps.sessions.create(id, meta);
    return {
      user: { id, username: input.phone, displayName, role: 'RESIDENT', regionId: null },
      session,
    };
  }

  /** The tickets a signed-in resident reported, then those they follow. */
  async myTickets(auth: AuthContext | undefined): Promise<MyTicket[]> {
    const userId = requireResident(auth);
    const select = {
      code: true,
      status: true,
      createdAt: true,
      updatedAt: true,
      category: { select: { code: true } },
    } as const;
    const reported = await this.deps.prisma.ticket.findMany({
      where: { reporterUserId: userId },
      orderBy: { createdAt: 'desc' },
      take: LIST_LIMIT,
      select,
    });
    const followed = await this.deps.prisma.ticketFollower.findMany({
      where: { userId },
      orderBy: { createdAt: 'desc' },
      take: LIST_LIMIT,
      select: { ticket: { select } },
    });
    const row = (
      ticket: {
        code: string;
        status: TicketStatus;
        createdAt: Date;
        updatedAt: Date;
        category: { code: string };
      },
      relation: MyTicket['relation'],
    ): MyTicket => ({
      code: ticket.code,
      categoryCode: ticket.category.code,
      status: ticket.status,
      createdAt: ticket.createdAt.toISOString(),
      updatedAt: ticket.updatedAt.toISOString(),
      relation,
    });
    return [
      ...reported.map((ticket) => row(ticket, 'reported')),
      ...followed.map(({ ticket }) => row(ticket, 'followed')),
    ];
  }
}

export function requireResident(auth: AuthContext | undefined): number {
  if (!auth) throw new HttpError('UNAUTHENTICATED', 'Sign in first');
  if (auth.user.role !== 'RESIDENT') throw new HttpError('FORBIDDEN', 'Only residents have this');
  return auth.user.id;
}
