import { createHash } from 'node:crypto';
import {
  AWAITING_ACCEPT,
  createTicketSchema,
  initialDeadlines,
  policyFor,
  type Channel,
  type TicketSummary,
} from '@gridline/core';
import {
  Prisma,
  findResponsibleUser,
  type PrismaClient,
  type RegionDirectory,
  type TicketStore,
} from '@gridline/db';
import { HttpError, conflict, notFound, parseOr400 } from '../http/errors.ts';
import type { AuthContext } from '../http/types.ts';
import { canSeeTicket } from '../auth/scope.ts';
import { newTicketCode, newTrackingToken } from './codes.ts';
import type {
  CategoryCatalog,
  Clock,
  IdempotencyRepository,
  TicketPublisher,
  TimerScheduler,
} from './ports.ts';

export interface TicketServiceDeps {
  prisma: PrismaClient;
  store: TicketStore;
  categories: CategoryCatalog;
  regions: () => RegionDirectory;
  publisher: TicketPublisher;
  timers: TimerScheduler;
  idempotency: IdempotencyRepository;
  clock: Clock;
  timeScale: number;
}

export interface CreateContext {
  auth?: AuthContext;
  idempotencyKey?: string;
  requestId?: string;
}

export interface HttpReply {
  status: number;
  body: unknown;
}

const PUBLIC_CHANNELS: readonly Channel[] = ['WEB', 'APP'];
const STAFF_CHANNELS: readonly Channel[] = ['WEB', 'APP', 'HOTLINE', 'PATROL'];
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,100}$/;

export class TicketService {
  constructor(private readonly deps: TicketServiceDeps) {}

  async create(body: unknown, context: CreateContext): Promise<HttpReply> {
    const input = parseOr400(createTicketSchema, body);
    const idempotency =
      context.idempotencyKey === undefined ? undefined : this.idempotencyScope(context, body);
    if (idempotency) {
      const replay = await this.replay(idempotency.scope, idempotency.key, idempotency.requestHash);
      if (replay) return replay;
    }

    const channel = input.channel ?? 'WEB';
    const isStaff =
      context.auth !== undefined &&
      context.auth.user.role !== 'RESIDENT' &&
      context.auth.user.role !== 'VOLUNTEER';
    const allowed = isStaff ? STAFF_CHANNELS : PUBLIC_CHANNELS;
    if (!allowed.includes(channel)) {
      throw new HttpError('FORBIDDEN', `Channel ${channel} is not open to you here`);
    }
    const category = await this.deps.categories.byCode(input.categoryCode);
    if (!category) {
      throw new HttpError('UNPROCESSABLE', `Unknown category "${input.categoryCode}"`, [
        { path: 'categoryCode', message: 'no such category' },
      ]);
    }
    const directory = this.deps.regions();
    const routing = directory.route(input.location);
    if (routing.kind === 'unroutable') {
      throw new HttpError('UNPROCESSABLE', 'No grid covers this city yet', [
        { path: 'location', message: 'outside every region' },
      ]);
    }
    const { chain } = routing;
    const priority = input.priority ?? category.defaultPriority;
    const now = this.deps.clock.now();
    const deadlines = initialDeadlines(
      policyFor(category.policy, priority),
      now,
      this.deps.timeScale,
    );
    const assigneeId = await findResponsibleUser(this.deps.prisma, chain, 0, directory.cityId);
    const tracking = newTrackingToken();
    const reporterUserId = context.auth?.user.role === 'RESIDENT' ? context.auth.user.id : null;
    const actorId = context.auth?.user.id ?? null;
    const status = assigneeId === null ? 'NEW' : 'ASSIGNED';

    const change = await this.withUniqueCode(now, (code) =>
      this.deps.store.create(
        {
          code,
          trackingTokenHash: tracking.hash,
          channel,
          categoryId: category.id,
          priority,
          status,
          description: input.description,
          address: input.address ?? null,
          lat: input.location.lat,
          lng: input.location.lng,
          ...chain,
          outsideGrid: routing.kind === 'outside',
          assigneeId,
          acceptBy: deadlines.acceptBy,
          resolveBy: deadlines.resolveBy,
          reporterUserId,
          reporterName: input.reporter?.name ?? null,
          reporterPhone: input.reporter?.phone ?? null,
          createdAt: now,
        },
        [
          { type: 'ticket.created', actorId, fromStatus: null, toStatus: 'NEW', data: { channel } },
          ...(assigneeId === null
            ? []
            : [
                {
                  type: 'ticket.assigned' as const,
                  actorId: null,
                  fromStatus: 'NEW' as const,
                  toStatus: 'ASSIGNED' as const,
                  data: { assigneeId, level: 0, automatic: true },
                },
              ]),
        ],
        idempotency && {
          ...idempotency,
          response: (ticket) => ({
            status: 201,
            body: { ticket, trackingToken: tracking.token } as unknown as Prisma.InputJsonObject,
          }),
        },
      ),
    ).catch(async (error: unknown) => {
      if (idempotency && isUniqueViolation(error, 'idempotency_keys')) {
        const replay = await this.replay(
          idempotency.scope,
          idempotency.key,
          idempotency.requestHash,
        );
        if (replay) return replay;
      }
      throw error;
    });
    if ('status' in change) return change;

    this.deps.publisher.publish(change);
    await this.deps.timers.schedule({
      kind: 'accept-deadline',
      ticketId: change.ticket.id,
      version: change.ticket.version,
      level: 0,
      dueAt: deadlines.acceptBy.toISOString(),
      ...(context.requestId ? { requestId: context.requestId } : {}),
    });
    return { status: 201, body: { ticket: change.ticket, trackingToken: tracking.token } };
  }

  /** The assignee accepts. 409 when the ticket has moved on since `expectedVersion`. */
  async accept(
    ticketId: number,
    auth: AuthContext,
    expectedVersion?: number,
  ): Promise<TicketSummary> {
    const ticket = await this.visibleTicket(ticketId, auth);
    if (ticket.assigneeId !== auth.user.id) {
      throw new HttpError('FORBIDDEN', 'Only the assignee may accept this ticket');
    }
    if (!AWAITING_ACCEPT.includes(ticket.status)) {
      throw conflict(`Ticket is ${ticket.status}, not awaiting acceptance`, { ticket });
    }
    const version = expectedVersion ?? ticket.version;
    const now = this.deps.clock.now();
    const change = await this.deps.store.transition({
      ticketId,
      expectedVersion: version,
      expectedStatuses: AWAITING_ACCEPT,
      where: { assigneeId: auth.user.id },
      data: { status: 'ACCEPTED', acceptedAt: now },
      events: [
        {
          type: 'ticket.accepted',
          actorId: auth.user.id,
          fromStatus: ticket.status,
          toStatus: 'ACCEPTED',
          data: {
            level: ticket.escalationLevel,
            onTime: ticket.acceptBy === null || now.getTime() <= Date.parse(ticket.acceptBy),
          },
        },
      ],
    });
    if (!change) {
      const current = await this.deps.store.findSummary(ticketId);
      throw conflict('The ticket has changed; reload it', { ticket: current });
    }
    this.deps.publisher.publish(change);
    await this.deps.timers.cancel('accept-deadline', ticketId, version);
    return change.ticket;
  }

  /** The ticket if the caller may see it: 404 for residents and strangers, 403 for staff out of scope. */
  async visibleTicket(ticketId: number, auth: AuthContext): Promise<TicketSummary> {
    const row = await this.deps.prisma.ticket.findUnique({
      where: { id: ticketId },
      select: { reporterUserId: true },
    });
    const ticket = row && (await this.deps.store.findSummary(ticketId));
    if (!row || !ticket) throw notFound('Ticket');
    if (canSeeTicket(auth, ticket, row.reporterUserId)) return ticket;
    if (auth.user.role === 'RESIDENT' || auth.user.role === 'VOLUNTEER') throw notFound('Ticket');
    throw new HttpError('FORBIDDEN', 'This ticket is outside your region');
  }

  private idempotencyScope(context: CreateContext, body: unknown) {
    const key = context.idempotencyKey ?? '';
    if (!IDEMPOTENCY_KEY.test(key)) {
      throw new HttpError(
        'VALIDATION_FAILED',
        'Idempotency-Key must be 8-100 letters, digits, - or _',
      );
    }
    const who = context.auth ? `user:${context.auth.user.id}` : 'anon';
    return {
      scope: `POST /api/tickets ${who}`,
      key,
      requestHash: createHash('sha256').update(canonicalJson(body)).digest('hex'),
    };
  }

  private async replay(scope: string, key: string, requestHash: string): Promise<HttpReply | null> {
    const existing = await this.deps.idempotency.find(scope, key);
    if (!existing) return null;
    if (existing.requestHash !== requestHash) {
      throw new HttpError(
        'IDEMPOTENCY_MISMATCH',
        'This Idempotency-Key was used with a different body',
      );
    }
    return { status: existing.status, body: existing.response };
  }

  private async withUniqueCode<T>(now: Date, attempt: (code: string) => Promise<T>): Promise<T> {
    for (let tries = 0; ; tries++) {
      try {
        return await attempt(newTicketCode(now));
      } catch (error) {
        if (tries < 3 && isUniqueViolation(error, 'tickets')) continue;
        throw error;
      }
    }
  }
}

function isUniqueViolation(error: unknown, table: string): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002')
    return false;
  const meta = JSON.stringify(error.meta ?? {});
  return meta.includes(table) || (table === 'tickets' && meta.includes('code'));
}

/** JSON with object keys sorted, so the same body always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
