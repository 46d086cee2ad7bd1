import { createHash } from 'node:crypto';
import {
  AWAITING_ACCEPT,
  OPEN_STATUSES,
  rooms,
  RATING_WINDOW_DAYS,
  REOPEN_WINDOW_DAYS,
  STAFF_ROLES,
  TRANSITIONS,
  actionBodySchemas,
  canTransition,
  ELDERLY_SERVICES,
  createTicketSchema,
  type CreateTicketInput,
  deadlinePolicySchema,
  initialDeadlines,
  mayAct,
  nextEscalation,
  policyFor,
  relationsOf,
  reminderJobs,
  scaledMs,
  shiftDeadline,
  type AttributeAnswers,
  type Channel,
  type PriorityPolicy,
  type ActorRelation,
  type TicketAction,
  type TicketStatus,
  type TicketSummary,
  type VolunteerService,
  isVolunteerService,
  mayRate,
} from '@gridline/core';
import { z } from 'zod';
import {
  Prisma,
  isUniqueViolation,
  findResponsibleUser,
  type PrismaClient,
  type RegionDirectory,
  type TicketChange,
  type TicketForAction,
  type TicketStore,
  type TransitionRequest,
} from '@gridline/db';
import { HttpError, conflict, notFound, parseOr400 } from '../http/errors.ts';
import type { AuthContext } from '../http/types.ts';
import { canSeeRegion, canSeeTicket } from '../auth/scope.ts';
import { newTicketCode, newTrackingToken } from './codes.ts';
import type { DeviceKeys } from './device-keys.ts';
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
  deviceKeys: DeviceKeys;
}

/** What an Open311 service request files besides the ticket itself. */
export interface Open311Filing {
  ticket: CreateTicketInput;
  attributes: AttributeAnswers;
  mediaUrl: string | null;
  apiKeyId: number;
}

/** What some channels keep on a new ticket beyond CreateTicketInput. */
interface FilingExtras {
  attributes?: AttributeAnswers;
  mediaUrl?: string | null;
  /** Added to the `ticket.created` event. */
  createdData?: Prisma.InputJsonObject;
}

export interface CreateContext {
  auth?: AuthContext;
  idempotencyKey?: string;
  requestId?: string;
}

export type CallButtonHelp = (call: {
  ticket: TicketSummary;
  service: VolunteerService;
  careRecipientId: number;
  onBehalfOf: number;
}) => Promise<{ id: number }>;

export interface HttpReply {
  status: number;
  body: unknown;
}

/** The union of every action body's fields. */
interface ActionInput {
  version?: number;
  reason?: string;
  note?: string;
  rating?: 'GOOD' | 'BAD';
  comment?: string;
  assigneeId?: number;
  gridId?: number;
  intoId?: number;
}

/**
 * Who takes an action: a signed-in user, or whoever holds a ticket's tracking
 * link, who is its reporter for that ticket alone.
 */
export type Actor = { auth: AuthContext } | { trackerOf: number };

interface PlanContext {
  /** Null for a tracking link's holder, who may only take reporter actions. */
  auth: AuthContext | null;
  ticket: TicketSummary;
  row: {
    pendingSince: Date | null;
    resolvedAt: Date | null;
    ratedAt: Date | null;
    category: { requiresVerification: boolean };
  };
  policy: PriorityPolicy;
  now: Date;
}

interface Plan {
  data: Omit<Prisma.TicketUncheckedUpdateManyInput, 'version'>;
  eventData: Prisma.InputJsonObject;
  scheduleResolveDeadline?: boolean;
  related?: TransitionRequest['related'];
}

const deviceCallSchema = z.strictObject({ service: z.enum(ELDERLY_SERVICES) });

/** The first phone among a care recipient's contacts (`[{ name, relation, phone }]`). */
function contactPhone(contacts: unknown): string | undefined {
  if (!Array.isArray(contacts)) return undefined;
  for (const contact of contacts) {
    const phone = (contact as { phone?: unknown } | null)?.phone;
    if (typeof phone === 'string') return phone;
  }
  return undefined;
}

const storedCreateSchema = z.object({ ticketId: z.number().int(), trackingToken: z.string() });

const PUBLIC_CHANNELS: readonly Channel[] = ['WEB', 'APP'];
const STAFF_CHANNELS: readonly Channel[] = ['WEB', 'APP', 'HOTLINE', 'PATROL'];
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,100}$/;

interface Written {
  change: TicketChange | null;
  plan: Plan;
  policy: PriorityPolicy;
  now: Date;
}

export class TicketService {
  /** Actions being written by this process, by `<ticket id>:<version>` (see act()). */
  private readonly inFlight = new Map<string, Promise<TicketSummary | null>>();

  /** Who asks volunteers to help when a call button wants a service they can serve. */
  private callButtonHelp: CallButtonHelp | null = null;

  constructor(private readonly deps: TicketServiceDeps) {}

  /** Set once the task service exists (it is built on this one). */
  onCallButton(help: CallButtonHelp): void {
    this.callButtonHelp = help;
  }

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
    return this.file(input, channel, context, idempotency);
  }

  /**
   * A service request from another system through Open311 (see server/src/open311):
   * the same intake as `create`, on the OPEN311 channel, with the answers to the
   * category's attributes and the media URL kept on the ticket. The caller has
   * checked the API key and the answers; the Idempotency-Key is scoped to the key.
   */
  async createFromOpen311(filing: Open311Filing, context: CreateContext): Promise<HttpReply> {
    const input = parseOr400(createTicketSchema, filing.ticket);
    const idempotency =
      context.idempotencyKey === undefined
        ? undefined
        : {
            ...this.idempotencyScope(context, filing),
            scope: `POST /open311/v2/requests key:${filing.apiKeyId}`,
          };
    if (idempotency) {
      const replay = await this.replay(idempotency.scope, idempotency.key, idempotency.requestHash);
      if (replay) return replay;
    }
    return this.file(input, 'OPEN311', { requestId: context.requestId }, idempotency, {
      attributes: filing.attributes,
      mediaUrl: filing.mediaUrl,
      createdData: { open311ApiKeyId: filing.apiKeyId },
    });
  }

  /**
   * An elderly person pressed their call button: an urgent ticket for one of
   * the eight services, at their registered home. The device proves itself
   * with its key (an HMAC of its id).
   */
  async callFromDevice(
    deviceId: string,
    deviceKey: string | undefined,
    body: unknown,
  ): Promise<HttpReply> {
    if (!deviceKey || !this.deps.deviceKeys.verify(deviceId, deviceKey)) {
      throw new HttpError('UNAUTHENTICATED', 'Unknown device or wrong device key');
    }
    const { service } = parseOr400(deviceCallSchema, body);
    const device = await this.deps.prisma.device.findUnique({
      where: { id: deviceId },
      include: { careRecipient: true },
    });
    if (!device || !device.active) throw notFound('Device');
    const category = (await this.deps.categories.list()).find((c) => c.elderlyService === service);
    if (!category) throw new HttpError('UNPROCESSABLE', `No category serves ${service}`);
    const home = device.careRecipient;
    const contact = contactPhone(home.contacts);
    await this.deps.prisma.device.update({
      where: { id: deviceId },
      data: { lastSeenAt: this.deps.clock.now() },
    });
    const reply = await this.file(
      {
        categoryCode: category.code,
        description: `一键呼叫：${category.names.zh} / Call button: ${category.names.en}`,
        location: { lat: home.lat, lng: home.lng },
        address: home.address,
        priority: 'URGENT',
        reporter: { name: home.householdName, ...(contact ? { phone: contact } : {}) },
      },
      'DEVICE',
      {},
    );
    const filed = reply.body as { ticket: TicketSummary };
    const help = this.callButtonHelp;
    if (!help || !isVolunteerService(service) || filed.ticket.assigneeId === null) return reply;
    // The ticket stands whatever happens to the task: it is already someone's.
    const task = await help({
      ticket: filed.ticket,
      service,
      careRecipientId: home.id,
      onBehalfOf: filed.ticket.assigneeId,
    }).catch(() => null);
    return { ...reply, body: { ...filed, volunteerTask: task && { id: task.id } } };
  }

  private async file(
    input: CreateTicketInput,
    channel: Channel,
    context: CreateContext,
    idempotency?: { scope: string; key: string; requestHash: string },
    extras: FilingExtras = {},
  ): Promise<HttpReply> {
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
    const policy = policyFor(category.policy, priority);
    const deadlines = initialDeadlines(policy, now, this.deps.timeScale);
    // On patrol a grid member reports what they found: it is theirs, accepted on creation.
    const patrol = channel === 'PATROL';
    if (patrol && context.auth?.user.role !== 'GRID_MEMBER') {
      throw new HttpError('FORBIDDEN', 'Only grid members report on patrol');
    }
    const tracking = newTrackingToken();
    const reporterUserId = context.auth?.user.role === 'RESIDENT' ? context.auth.user.id : null;
    const actorId = context.auth?.user.id ?? null;

    const change = await this.withUniqueCode(now, (code) =>
      this.deps.store.create(
        {
          code,
          trackingTokenHash: tracking.hash,
          channel,
          categoryId: category.id,
          categoryCode: category.code,
          priority,
          // Intake latency is the product: the store finds who answers for the grid (and
          // the likely duplicates) in the same statement that files the ticket.
          status: patrol ? 'ACCEPTED' : 'ASSIGNED',
          description: input.description,
          address: input.address ?? null,
          lat: input.location.lat,
          lng: input.location.lng,
          ...chain,
          cityId: directory.cityId,
          outsideGrid: routing.kind === 'outside',
          assigneeId: patrol ? context.auth!.user.id : null,
          acceptBy: deadlines.acceptBy,
          resolveBy: deadlines.resolveBy,
          acceptedAt: patrol ? now : null,
          reporterUserId,
          reporterName: input.reporter?.name ?? null,
          reporterPhone: input.reporter?.phone ?? null,
          createdAt: now,
          attributes: extras.attributes ?? null,
          mediaUrl: extras.mediaUrl ?? null,
        },
        [
          {
            type: 'ticket.created',
            actorId,
            fromStatus: null,
            toStatus: 'NEW',
            data: { channel, ...extras.createdData },
          },
          // Kept only when someone answers for the grid; the store adds who.
          {
            type: 'ticket.assigned',
            actorId: null,
            fromStatus: 'NEW',
            toStatus: 'ASSIGNED',
            data: { level: 0, automatic: !patrol },
          },
          ...(patrol
            ? [
                {
                  type: 'ticket.accepted' as const,
                  actorId,
                  fromStatus: 'ASSIGNED' as const,
                  toStatus: 'ACCEPTED' as const,
                  data: { level: 0, onTime: true, patrol: true },
                },
              ]
            : []),
        ],
        idempotency && { ...idempotency, response: { trackingToken: tracking.token } },
      ),
    ).catch(async (error: unknown) => {
      if (idempotency && isUniqueViolation(error, 'idempotency_keys_pkey')) {
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
    if (patrol) {
      await this.scheduleResolveTimers(change.ticket, policy, now, context.requestId);
    } else {
      // The ticket is committed: its answer need not wait for Redis (see scheduleSoon).
      this.deps.timers.scheduleSoon({
        kind: 'accept-deadline',
        ticketId: change.ticket.id,
        version: change.ticket.version,
        level: 0,
        dueAt: deadlines.acceptBy.toISOString(),
        ...(context.requestId ? { requestId: context.requestId } : {}),
      });
    }
    return {
      status: 201,
      body: {
        ticket: change.ticket,
        trackingToken: tracking.token,
        likelyDuplicates: change.likelyDuplicates,
      },
    };
  }

  /** The assignee accepts. 409 when the ticket has moved on since `expectedVersion`. */
  accept(ticketId: number, auth: AuthContext, expectedVersion?: number): Promise<TicketSummary> {
    return this.act(
      ticketId,
      'accept',
      auth,
      expectedVersion === undefined ? {} : { version: expectedVersion },
    );
  }

  /**
   * Any lifecycle action: checks the body, who may act and whether the state
   * machine allows it, then one conditional update + event, then pushes and
   * timers after the commit.
   */
  act(
    ticketId: number,
    action: TicketAction,
    auth: AuthContext,
    rawBody: unknown,
    /** Follows the ticket into the timers this action schedules (logs join them up). */
    requestId?: string,
  ): Promise<TicketSummary> {
    return this.actAs(ticketId, action, { auth }, rawBody, requestId);
  }

  /** An action by the holder of the ticket's tracking link (see TrackService). */
  actAsTracker(
    ticketId: number,
    action: TicketAction,
    rawBody: unknown,
    requestId?: string,
  ): Promise<TicketSummary> {
    return this.actAs(ticketId, action, { trackerOf: ticketId }, rawBody, requestId);
  }

  private async actAs(
    ticketId: number,
    action: TicketAction,
    actor: Actor,
    rawBody: unknown,
    requestId?: string,
  ): Promise<TicketSummary> {
    const body = parseOr400(actionBodySchemas[action] as z.ZodType<ActionInput>, rawBody ?? {});
    const row = await this.deps.store.findForAction(ticketId);
    if (!row) throw notFound('Ticket');
    const { ticket } = row;
    const relations = relationsOfActor(actor, row);
    if (!mayAct(action, relations)) {
      throw new HttpError('FORBIDDEN', `You may not ${action} this ticket`);
    }
    if (
      !canTransition(action, ticket.status) ||
      (body.version !== undefined && body.version !== ticket.version)
    ) {
      throw conflict(`Cannot ${action} a ${ticket.status} ticket at version ${ticket.version}`, {
        ticket,
      });
    }
    // Single flight: while this process writes an action on the ticket at this version,
    // another can only lose the conditional update. It waits for the first and, if that
    // one committed, answers 409 without a round trip: a herd of accepts costs one write.
    const flightKey = `${ticketId}:${ticket.version}`;
    const running = this.inFlight.get(flightKey);
    if (running) {
      const first = await running;
      if (first && first.version !== ticket.version) {
        throw conflict('The ticket has changed; reload it', { ticket: first });
      }
    }
    let landed: (ticket: TicketSummary | null) => void = () => undefined;
    if (!running) {
      const flight = new Promise<TicketSummary | null>((resolve) => (landed = resolve));
      this.inFlight.set(flightKey, flight);
      void flight.then(() => this.inFlight.delete(flightKey));
    }
    let written: Written;
    try {
      written = await this.transitionFor(action, body, actor, ticket, row);
      landed(written.change?.ticket ?? null);
    } finally {
      landed(null);
    }
    const { change, plan, policy, now } = written;
    if (!change) {
      const current = await this.deps.store.findSummary(ticketId);
      throw conflict('The ticket has changed; reload it', { ticket: current });
    }
    return this.afterCommit(change, ticket, row, action, plan, policy, now, requestId);
  }

  private async transitionFor(
    action: TicketAction,
    body: ActionInput,
    actor: Actor,
    ticket: TicketSummary,
    row: TicketForAction,
  ): Promise<Written> {
    const now = this.deps.clock.now();
    const policy = policyFor(deadlinePolicySchema.parse(row.category.policy), ticket.priority);
    const auth = 'auth' in actor ? actor.auth : null;
    const plan = await this.plan(action, body, { auth, ticket, row, policy, now });
    const rule = TRANSITIONS[action];
    const toStatus = (plan.data.status as TicketStatus | undefined) ?? rule.to ?? ticket.status;
    const change = await this.deps.store.transition({
      ticketId: ticket.id,
      expectedVersion: ticket.version,
      expectedStatuses: [ticket.status],
      data: plan.data,
      ...(plan.related ? { related: plan.related } : {}),
      events: [
        {
          type: rule.event,
          actorId: auth?.user.id ?? null,
          fromStatus: ticket.status,
          toStatus,
          data: { action, ...plan.eventData },
        },
      ],
    });
    return { change, plan, policy, now };
  }

  /** Pushes and timers of a committed action. */
  private async afterCommit(
    change: TicketChange,
    ticket: TicketSummary,
    row: TicketForAction,
    action: TicketAction,
    plan: Plan,
    policy: PriorityPolicy,
    now: Date,
    requestId: string | undefined,
  ): Promise<TicketSummary> {
    const ticketId = ticket.id;
    const traced = requestId ? { requestId } : {};
    // The previous rooms hear it too: an old assignee or grid sees the ticket leave.
    this.deps.publisher.publish(change, ticket);
    for (const related of change.related ?? []) this.deps.publisher.publish(related);
    // A merge or unmerge changes who follows; otherwise only a ticket with duplicates has any.
    if (row.hasFollowers || action === 'merge' || action === 'unmerge')
      await this.tellFollowers(change);
    await this.deps.timers.cancel('accept-deadline', ticketId, ticket.version);
    const next = change.ticket;
    if (AWAITING_ACCEPT.includes(next.status) && next.acceptBy) {
      await this.deps.timers.schedule({
        kind: 'accept-deadline',
        ticketId,
        version: next.version,
        level: next.escalationLevel,
        dueAt: next.acceptBy,
        ...traced,
      });
    }
    if (plan.scheduleResolveDeadline)
      await this.scheduleResolveTimers(next, policy, now, requestId);
    const closable =
      next.status === 'VERIFIED' ||
      (next.status === 'RESOLVED' && !row.category.requiresVerification);
    if (closable) {
      const closeAt = now.getTime() + scaledMs(RATING_WINDOW_DAYS * 24 * 60, this.deps.timeScale);
      await this.deps.timers.schedule({
        kind: 'close-window',
        ticketId,
        version: next.version,
        level: next.escalationLevel,
        dueAt: new Date(closeAt).toISOString(),
        ...traced,
      });
    }
    return next;
  }

  /**
   * Reporters of tickets merged into this one follow it: they hear every
   * update of the original in their own ticket's room and user room.
   */
  private async tellFollowers(change: TicketChange): Promise<void> {
    const duplicates = await this.deps.prisma.ticket.findMany({
      where: { duplicateOfId: change.ticket.id, status: 'DUPLICATE' },
      select: { id: true, reporterUserId: true },
    });
    const targets = duplicates.flatMap((duplicate) => [
      rooms.ticket(duplicate.id),
      rooms.track(duplicate.id),
      ...(duplicate.reporterUserId === null ? [] : [rooms.user(duplicate.reporterUserId)]),
    ]);
    this.deps.publisher.publishTo(change, targets);
  }

  /** The resolve deadline and the reminders at fractions of the resolve window before it. */
  private async scheduleResolveTimers(
    ticket: TicketSummary,
    policy: PriorityPolicy,
    now: Date,
    requestId?: string,
  ): Promise<void> {
    if (!ticket.resolveBy) return;
    const common = {
      ticketId: ticket.id,
      version: ticket.version,
      level: ticket.escalationLevel,
      ...(requestId ? { requestId } : {}),
    };
    await Promise.all([
      this.deps.timers.schedule({ ...common, kind: 'resolve-deadline', dueAt: ticket.resolveBy }),
      ...reminderJobs(
        { ...ticket, resolveBy: ticket.resolveBy },
        policy,
        this.deps.timeScale,
        now,
      ).map((job) => this.deps.timers.schedule({ ...job, ...(requestId ? { requestId } : {}) })),
    ]);
  }

  private async plan(action: TicketAction, body: ActionInput, context: PlanContext): Promise<Plan> {
    const { ticket, row, policy, now } = context;
    const onTime = (deadline: string | null) =>
      deadline === null || now.getTime() <= Date.parse(deadline);
    switch (action) {
      case 'accept':
        return {
          data: { status: 'ACCEPTED', acceptedAt: now },
          eventData: { level: ticket.escalationLevel, onTime: onTime(ticket.acceptBy) },
          scheduleResolveDeadline: true,
        };
      case 'start':
        return { data: { status: 'IN_PROGRESS' }, eventData: {} };
      case 'pend':
        return {
          data: { status: 'PENDING', pendingSince: now },
          eventData: { reason: body.reason ?? null },
        };
      case 'resume': {
        const pausedMs = row.pendingSince ? now.getTime() - row.pendingSince.getTime() : 0;
        const resolveBy = shiftDeadline(
          ticket.resolveBy ? new Date(ticket.resolveBy) : null,
          pausedMs,
        );
        return {
          data: { status: 'IN_PROGRESS', pendingSince: null, resolveBy },
          eventData: { pausedMs, resolveBy: resolveBy?.toISOString() ?? null },
          scheduleResolveDeadline: true,
        };
      }
      case 'resolve':
        return {
          data: { status: 'RESOLVED', resolvedAt: now },
          eventData: { note: body.note ?? null, onTime: onTime(ticket.resolveBy) },
        };
      case 'verify':
        if (!row.category.requiresVerification) {
          throw conflict('This category does not need verification; close the ticket instead');
        }
        return { data: { status: 'VERIFIED' }, eventData: { note: body.note ?? null } };
      case 'close':
        if (ticket.status === 'RESOLVED' && row.category.requiresVerification) {
          throw conflict('Community staff must verify this ticket before it is closed');
        }
        return {
          data: { status: 'CLOSED', closedAt: now },
          eventData: { note: body.note ?? null },
        };
      case 'reopen': {
        const resolvedAt = row.resolvedAt?.getTime() ?? 0;
        if (now.getTime() - resolvedAt > REOPEN_WINDOW_DAYS * 24 * 3600 * 1000) {
          throw new HttpError(
            'UNPROCESSABLE',
            `A ticket can be reopened within ${REOPEN_WINDOW_DAYS} days of resolution`,
          );
        }
        const deadlines = initialDeadlines(policy, now, this.deps.timeScale);
        const assigneeId = await findResponsibleUser(
          this.deps.prisma,
          ticket,
          0,
          this.deps.regions().cityId,
        );
        return {
          data: {
            status: 'REOPENED',
            assigneeId,
            escalationLevel: 0,
            acceptBy: deadlines.acceptBy,
            resolveBy: deadlines.resolveBy,
            acceptedAt: null,
            resolvedAt: null,
            closedAt: null,
            overdue: false,
            reopenCount: { increment: 1 },
          },
          eventData: { reason: body.reason ?? null, assigneeId },
        };
      }
      case 'rate': {
        const ratingWindowMs = scaledMs(RATING_WINDOW_DAYS * 24 * 60, this.deps.timeScale);
        if (!mayRate({ ...row, status: ticket.status }, now, ratingWindowMs)) {
          throw conflict(
            row.ratedAt !== null && row.resolvedAt !== null && row.ratedAt >= row.resolvedAt
              ? 'This resolution has already been rated'
              : 'The rating window has closed',
          );
        }
        // Rating is the last step of the loop: it closes what needs no (further) verification.
        const closes =
          ticket.status === 'VERIFIED' ||
          (ticket.status === 'RESOLVED' && !row.category.requiresVerification);
        return {
          data: {
            rating: body.rating,
            ratingComment: body.comment ?? null,
            ratedAt: now,
            ...(closes ? { status: 'CLOSED' as const, closedAt: now } : {}),
          },
          eventData: {
            action: 'rated',
            rating: body.rating ?? null,
            comment: body.comment ?? null,
          },
        };
      }
      case 'assign': {
        const assigneeId = body.assigneeId!;
        await this.checkAssignable(assigneeId, ticket);
        const acceptBy = new Date(
          now.getTime() + scaledMs(policy.acceptMinutes, this.deps.timeScale),
        );
        return {
          data: { status: 'ASSIGNED', assigneeId, acceptBy, acceptedAt: null },
          eventData: {
            assigneeId,
            previousAssigneeId: ticket.assigneeId,
            manual: true,
            note: body.note ?? null,
          },
        };
      }
      case 'transfer': {
        const directory = this.deps.regions();
        const target = directory.get(body.gridId!);
        if (!target || target.level !== 'GRID') {
          throw new HttpError('UNPROCESSABLE', 'gridId must name a grid', [
            { path: 'gridId', message: 'not a grid' },
          ]);
        }
        if (!canSeeRegion(staffOf(context), target.id, directory)) {
          throw new HttpError('FORBIDDEN', 'The target grid is outside your region');
        }
        if (target.id === ticket.gridId) throw conflict('The ticket is already in this grid');
        const chain = directory.chainOf(target.id);
        const assigneeId = await findResponsibleUser(this.deps.prisma, chain, 0, directory.cityId);
        return {
          data: {
            ...chain,
            outsideGrid: false,
            assigneeId,
            status: assigneeId === null ? 'NEW' : 'ASSIGNED',
            escalationLevel: 0,
            acceptBy: new Date(now.getTime() + scaledMs(policy.acceptMinutes, this.deps.timeScale)),
            acceptedAt: null,
          },
          eventData: {
            fromGridId: ticket.gridId,
            toGridId: target.id,
            assigneeId,
            previousAssigneeId: ticket.assigneeId,
            reason: body.reason ?? null,
          },
        };
      }
      case 'escalate': {
        const next = nextEscalation(policy, ticket.escalationLevel, now, this.deps.timeScale);
        if (!next) throw conflict('The ticket is already at the top of the escalation chain');
        const eventData = {
          reason: body.reason ?? 'manual',
          fromLevel: ticket.escalationLevel,
          toLevel: next.level,
        };
        if (!AWAITING_ACCEPT.includes(ticket.status)) {
          return { data: { escalationLevel: next.level }, eventData };
        }
        const assigneeId = await findResponsibleUser(
          this.deps.prisma,
          ticket,
          next.level,
          this.deps.regions().cityId,
        );
        return {
          data: {
            escalationLevel: next.level,
            assigneeId,
            acceptBy: next.acceptBy,
            status: assigneeId ? 'ASSIGNED' : ticket.status,
          },
          eventData: { ...eventData, assigneeId, previousAssigneeId: ticket.assigneeId },
        };
      }
      case 'merge': {
        const intoId = body.intoId!;
        if (intoId === ticket.id) {
          throw new HttpError('UNPROCESSABLE', 'A ticket cannot be merged into itself');
        }
        const original = await this.visibleTicket(intoId, staffOf(context));
        if (!OPEN_STATUSES.includes(original.status)) {
          throw conflict(`The original ticket is ${original.status}; merge into an open one`);
        }
        return {
          data: { status: 'DUPLICATE', duplicateOfId: intoId, closedAt: now },
          eventData: { intoId, intoCode: original.code, previousStatus: ticket.status },
          related: [
            {
              ticketId: intoId,
              event: {
                type: 'ticket.updated',
                actorId: staffOf(context).user.id,
                fromStatus: original.status,
                toStatus: original.status,
                data: { action: 'merged', duplicateId: ticket.id, duplicateCode: ticket.code },
              },
            },
          ],
        };
      }
      case 'unmerge': {
        const merged = await this.deps.prisma.ticketEvent.findFirst({
          where: {
            ticketId: ticket.id,
            type: 'ticket.closed',
            payload: { path: ['action'], equals: 'merge' },
          },
          orderBy: { id: 'desc' },
        });
        const recorded = merged?.payload as
          | { previousStatus?: TicketStatus; intoId?: number }
          | undefined;
        const status: TicketStatus =
          recorded?.previousStatus && OPEN_STATUSES.includes(recorded.previousStatus)
            ? recorded.previousStatus
            : 'ASSIGNED';
        const awaiting = AWAITING_ACCEPT.includes(status);
        return {
          data: {
            status,
            duplicateOfId: null,
            closedAt: null,
            ...(awaiting
              ? {
                  acceptBy: new Date(
                    now.getTime() + scaledMs(policy.acceptMinutes, this.deps.timeScale),
                  ),
                }
              : {}),
          },
          eventData: { fromId: recorded?.intoId ?? null, reason: body.reason ?? null },
          scheduleResolveDeadline: status === 'ACCEPTED' || status === 'IN_PROGRESS',
          ...(recorded?.intoId
            ? {
                related: [
                  {
                    ticketId: recorded.intoId,
                    event: {
                      type: 'ticket.updated' as const,
                      actorId: staffOf(context).user.id,
                      fromStatus: null,
                      toStatus: null,
                      data: { action: 'unmerged', duplicateId: ticket.id },
                    },
                  },
                ],
              }
            : {}),
        };
      }
      case 'cancel':
        return {
          data: { status: 'CANCELLED', closedAt: now },
          eventData: { reason: body.reason ?? null },
        };
    }
  }

  /** A ticket may go to active staff whose home region contains it. */
  private async checkAssignable(assigneeId: number, ticket: TicketSummary): Promise<void> {
    const user = await this.deps.prisma.user.findUnique({
      where: { id: assigneeId },
      select: { role: true, regionId: true, active: true },
    });
    const place = ticket.gridId ?? ticket.communityId;
    const assignable =
      user !== null &&
      user.active &&
      (user.role === 'GRID_MEMBER' ||
        user.role === 'COMMUNITY_STAFF' ||
        user.role === 'DISPATCHER') &&
      user.regionId !== null &&
      place !== null &&
      this.deps.regions().isWithin(place, user.regionId);
    if (!assignable) {
      throw new HttpError(
        'UNPROCESSABLE',
        'The assignee must be active staff whose region contains the ticket',
        [{ path: 'assigneeId', message: 'not assignable to this ticket' }],
      );
    }
  }

  /** The ticket if the caller may see it: 404 for residents and strangers, 403 for staff out of scope. */
  async visibleTicket(ticketId: number, auth: AuthContext): Promise<TicketSummary> {
    const row = await this.deps.prisma.ticket.findUnique({
      where: { id: ticketId },
      select: { reporterUserId: true },
    });
    const ticket = row && (await this.deps.store.findSummary(ticketId));
    if (!row || !ticket) throw notFound('Ticket');
    assertVisible(ticket, row.reporterUserId, auth);
    return ticket;
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

  /** The same ticket and tracking token as the first response (the ticket as it is now). */
  private async replay(scope: string, key: string, requestHash: string): Promise<HttpReply | null> {
    const existing = await this.deps.idempotency.find(scope, key);
    if (!existing) return null;
    if (existing.requestHash !== requestHash) {
      throw new HttpError(
        'IDEMPOTENCY_MISMATCH',
        'This Idempotency-Key was used with a different body',
      );
    }
    const stored = storedCreateSchema.parse(existing.response);
    const ticket = await this.deps.store.findSummary(stored.ticketId);
    if (!ticket) throw notFound('Ticket');
    return { status: existing.status, body: { ticket, trackingToken: stored.trackingToken } };
  }

  private async withUniqueCode<T>(now: Date, attempt: (code: string) => Promise<T>): Promise<T> {
    for (let tries = 0; ; tries++) {
      try {
        return await attempt(newTicketCode(now));
      } catch (error) {
        if (tries < 3 && isUniqueViolation(error, 'tickets_code_key')) continue;
        throw error;
      }
    }
  }
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

/** 404 to residents and volunteers (a ticket that is not theirs does not exist for them), 403 to staff out of scope. */
/** The relations an actor has to a ticket; 404 or 403 when they may not see it at all. */
function relationsOfActor(actor: Actor, row: TicketForAction): ReadonlySet<ActorRelation> {
  const { ticket } = row;
  if (!('auth' in actor)) {
    if (actor.trackerOf !== ticket.id) throw notFound('Ticket');
    return new Set<ActorRelation>(['reporter']);
  }
  const { auth } = actor;
  assertVisible(ticket, row.reporterUserId, auth);
  return relationsOf({
    role: auth.user.role,
    isAssignee: ticket.assigneeId === auth.user.id,
    inScope: STAFF_ROLES.includes(auth.user.role) && canSeeTicket(auth, ticket, row.reporterUserId),
    isReporter: row.reporterUserId !== null && row.reporterUserId === auth.user.id,
  });
}

/** Staff-only actions plan with the signed-in user (a tracking link never gets this far). */
function staffOf(context: PlanContext): AuthContext {
  if (!context.auth) throw new HttpError('FORBIDDEN', 'Only signed-in staff may do this');
  return context.auth;
}

function assertVisible(
  ticket: TicketSummary,
  reporterUserId: number | null,
  auth: AuthContext,
): void {
  if (canSeeTicket(auth, ticket, reporterUserId)) return;
  if (auth.user.role === 'RESIDENT' || auth.user.role === 'VOLUNTEER') throw notFound('Ticket');
  throw new HttpError('FORBIDDEN', 'This ticket is outside your region');
}
