/**
 * The dispatcher's board of open tickets: apply pushed and replayed events,
 * dedupe them, keep the newest version of every ticket, and sort by deadline.
 *
 * Plain TypeScript, free of Svelte and of the DOM, so that it can be unit
 * tested; `board.svelte.ts` wraps it in reactive state.
 */
import type {
  Priority,
  TicketEventPayload,
  TicketEventType,
  TicketStatus,
  TicketSummary,
} from '@gridline/core';

/** Ticket events pushed over Socket.IO (the ticket half of SERVER_EVENTS in core). */
export const TICKET_EVENT_TYPES = [
  'ticket.created',
  'ticket.assigned',
  'ticket.accepted',
  'ticket.updated',
  'ticket.escalated',
  'ticket.resolved',
  'ticket.closed',
  'ticket.reopened',
] as const satisfies readonly TicketEventType[];

/** Fails to compile when core adds a ticket event type that is not listed above. */
type AssertNever<T extends never> = T;
export type UnlistedTicketEventTypes = AssertNever<
  Exclude<TicketEventType, (typeof TICKET_EVENT_TYPES)[number]>
>;

/** Statuses `GET /api/tickets?status=open` returns (OPEN_STATUSES in core). */
export const OPEN_STATUSES: readonly TicketStatus[] = [
  'NEW',
  'ASSIGNED',
  'ACCEPTED',
  'IN_PROGRESS',
  'PENDING',
  'REOPENED',
];
/** Waiting for someone to accept: the accept deadline runs (AWAITING_ACCEPT in core). */
export const AWAITING_ACCEPT: readonly TicketStatus[] = ['NEW', 'ASSIGNED', 'REOPENED'];

export const isOpen = (status: TicketStatus): boolean => OPEN_STATUSES.includes(status);

const PRIORITY_RANK: Record<Priority, number> = { LOW: 0, NORMAL: 1, HIGH: 2, URGENT: 3 };
export const priorityRank = (priority: Priority): number => PRIORITY_RANK[priority];

export interface ActiveDeadline {
  kind: 'accept' | 'resolve';
  /** Epoch milliseconds. */
  at: number;
  /** PENDING tickets do not count time; their deadline moves on resume. */
  paused: boolean;
}

function parseTime(value: string | null): number | null {
  if (value === null) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** The deadline that matters now: accept-by while waiting for acceptance, else resolve-by. */
export function activeDeadline(ticket: TicketSummary): ActiveDeadline | null {
  const acceptBy = parseTime(ticket.acceptBy);
  const resolveBy = parseTime(ticket.resolveBy);
  const paused = ticket.status === 'PENDING';
  if (AWAITING_ACCEPT.includes(ticket.status) && acceptBy !== null) {
    return { kind: 'accept', at: acceptBy, paused };
  }
  if (resolveBy !== null) return { kind: 'resolve', at: resolveBy, paused };
  if (acceptBy !== null) return { kind: 'accept', at: acceptBy, paused };
  return null;
}

/** Soonest deadline first (none last); then higher escalation, higher priority, older ticket. */
export function compareTickets(a: TicketSummary, b: TicketSummary): number {
  const da = activeDeadline(a)?.at ?? Number.POSITIVE_INFINITY;
  const db = activeDeadline(b)?.at ?? Number.POSITIVE_INFINITY;
  if (da !== db) return da < db ? -1 : 1;
  if (a.escalationLevel !== b.escalationLevel) return b.escalationLevel - a.escalationLevel;
  const pa = priorityRank(a.priority);
  const pb = priorityRank(b.priority);
  if (pa !== pb) return pb - pa;
  return a.id - b.id;
}

export type Urgency = 'onTime' | 'dueSoon' | 'overdue' | 'escalated';
export const URGENCIES: readonly Urgency[] = ['onTime', 'dueSoon', 'overdue', 'escalated'];

/** At TIME_SCALE 1 a ticket is "due soon" in its last 30 minutes (or last quarter, if shorter). */
export const DUE_SOON_MS = 30 * 60_000;

export function dueSoonWindowMs(timeScale: number): number {
  return timeScale > 0 ? DUE_SOON_MS / timeScale : DUE_SOON_MS;
}

/**
 * How the map and list colour a ticket at `now`: escalated (escalationLevel
 * > 0) first, then overdue, then due soon, else on time.
 */
export function urgencyOf(ticket: TicketSummary, now: number, dueSoonMs: number): Urgency {
  if (ticket.escalationLevel > 0) return 'escalated';
  if (ticket.overdue) return 'overdue';
  const deadline = activeDeadline(ticket);
  if (!deadline) return 'onTime';
  const remaining = deadline.at - now;
  if (remaining <= 0) return deadline.paused ? 'dueSoon' : 'overdue';
  const created = parseTime(ticket.createdAt);
  const span = created === null ? 0 : deadline.at - created;
  const window = span > 0 ? Math.min(dueSoonMs, span * 0.25) : dueSoonMs;
  return remaining <= window ? 'dueSoon' : 'onTime';
}

export type ApplyOutcome =
  /** An open ticket the board did not show. */
  | 'added'
  /** A newer version of a ticket on the board. */
  | 'updated'
  /** The ticket is no longer open (resolved, closed, cancelled, …) and left the board. */
  | 'removed'
  /** The event id was applied before. */
  | 'duplicate'
  /** The board already holds this or a newer version of the ticket. */
  | 'stale'
  /** A newer version of a ticket that is not open and not on the board. */
  | 'ignored'
  /** Held until the snapshot being loaded arrives. */
  | 'buffered';

export interface TicketBoardOptions {
  /** How many event ids to remember for deduplication (the oldest are forgotten). */
  rememberEvents?: number;
}

export class TicketBoard {
  readonly #tickets = new Map<number, TicketSummary>();
  /** Highest version seen per ticket id, including tickets that left the board. */
  readonly #versions = new Map<number, number>();
  readonly #seen = new Set<number>();
  readonly #rememberEvents: number;
  #lastEventId: number | null = null;
  #buffer: TicketEventPayload[] | null = null;
  #sorted: TicketSummary[] | null = null;

  constructor(options: TicketBoardOptions = {}) {
    this.#rememberEvents = Math.max(1, options.rememberEvents ?? 10_000);
  }

  /** The highest event id applied (or reported by a snapshot); null before any. */
  get lastEventId(): number | null {
    return this.#lastEventId;
  }

  get size(): number {
    return this.#tickets.size;
  }

  /** True between beginSnapshot() and loadSnapshot(). */
  get loadingSnapshot(): boolean {
    return this.#buffer !== null;
  }

  get(id: number): TicketSummary | undefined {
    return this.#tickets.get(id);
  }

  has(id: number): boolean {
    return this.#tickets.has(id);
  }

  /** Open tickets, soonest deadline first. The array is shared until the next change. */
  list(): readonly TicketSummary[] {
    this.#sorted ??= [...this.#tickets.values()].sort(compareTickets);
    return this.#sorted;
  }

  /** From now on hold incoming events until loadSnapshot(), which applies them on top. */
  beginSnapshot(): void {
    this.#buffer ??= [];
  }

  /** Abandon a snapshot that failed to load: apply what was held back. */
  cancelSnapshot(): ApplyOutcome[] {
    const held = this.#buffer ?? [];
    this.#buffer = null;
    return this.applyMany(held);
  }

  /**
   * Replace the board with a list of open tickets (`GET /api/tickets?status=open`).
   * A ticket the board knows in a newer version keeps that version (or stays
   * away, if it left); events held since beginSnapshot() are applied after.
   */
  loadSnapshot(tickets: readonly TicketSummary[], lastEventId?: number | null): ApplyOutcome[] {
    const next = new Map<number, TicketSummary>();
    for (const ticket of tickets) {
      const known = this.#versions.get(ticket.id);
      if (known !== undefined && known > ticket.version) {
        const current = this.#tickets.get(ticket.id);
        if (current) next.set(current.id, current);
        continue;
      }
      this.#versions.set(ticket.id, ticket.version);
      if (isOpen(ticket.status)) next.set(ticket.id, ticket);
    }
    this.#tickets.clear();
    for (const [id, ticket] of next) this.#tickets.set(id, ticket);
    this.#sorted = null;
    if (lastEventId !== undefined && lastEventId !== null) this.#noteEventId(lastEventId);
    const held = this.#buffer ?? [];
    this.#buffer = null;
    return this.applyMany(held);
  }

  /** Apply one pushed or replayed event. */
  apply(event: TicketEventPayload): ApplyOutcome {
    if (this.#buffer !== null) {
      this.#buffer.push(event);
      return 'buffered';
    }
    if (this.#seen.has(event.eventId)) return 'duplicate';
    this.#remember(event.eventId);
    this.#noteEventId(event.eventId);

    const ticket = event.ticket;
    const known = this.#versions.get(ticket.id);
    const present = this.#tickets.has(ticket.id);
    if (known !== undefined && (ticket.version < known || (ticket.version === known && present))) {
      return 'stale';
    }
    this.#versions.set(ticket.id, ticket.version);
    if (isOpen(ticket.status)) {
      this.#tickets.set(ticket.id, ticket);
      this.#sorted = null;
      return present ? 'updated' : 'added';
    }
    if (present) {
      this.#tickets.delete(ticket.id);
      this.#sorted = null;
      return 'removed';
    }
    return 'ignored';
  }

  /** Apply events in event-id order. */
  applyMany(events: readonly TicketEventPayload[]): ApplyOutcome[] {
    const ordered = [...events].sort((a, b) => a.eventId - b.eventId);
    return ordered.map((event) => this.apply(event));
  }

  /** Forget everything (sign-out). */
  clear(): void {
    this.#tickets.clear();
    this.#versions.clear();
    this.#seen.clear();
    this.#lastEventId = null;
    this.#buffer = null;
    this.#sorted = null;
  }

  #noteEventId(eventId: number): void {
    if (this.#lastEventId === null || eventId > this.#lastEventId) this.#lastEventId = eventId;
  }

  #remember(eventId: number): void {
    this.#seen.add(eventId);
    if (this.#seen.size > this.#rememberEvents) {
      // Sets iterate in insertion order: drop the oldest.
      const oldest = this.#seen.values().next();
      if (!oldest.done) this.#seen.delete(oldest.value);
    }
  }
}

export interface CatchUpResult {
  events: TicketEventPayload[];
  /** False when the replay stopped at maxPages: reload the snapshot instead. */
  complete: boolean;
}

/**
 * Everything after `after`, page by page (`GET /api/events?after=&limit=`),
 * oldest first. Stops when a page comes back short.
 */
export async function fetchEventsSince(
  after: number,
  fetchPage: (after: number, limit: number) => Promise<readonly TicketEventPayload[]>,
  options: { pageSize?: number; maxPages?: number } = {},
): Promise<CatchUpResult> {
  const pageSize = options.pageSize ?? 500;
  const maxPages = options.maxPages ?? 10;
  const events: TicketEventPayload[] = [];
  let cursor = after;
  for (let page = 0; page < maxPages; page++) {
    const batch = await fetchPage(cursor, pageSize);
    for (const event of batch) {
      if (event.eventId > cursor) cursor = event.eventId;
      events.push(event);
    }
    if (batch.length < pageSize) return { events, complete: true };
  }
  return { events, complete: false };
}
