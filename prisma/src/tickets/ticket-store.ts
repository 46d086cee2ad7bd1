import { OPEN_STATUSES, distanceMetres } from '@gridline/core';
import type {
  LatLng,
  Channel,
  Priority,
  TicketEventPayload,
  TicketEventType,
  TicketStatus,
  TicketSummary,
} from '@gridline/core';
import {
  Prisma,
  type PrismaClient,
  type Summons,
  type Ticket,
} from '../generated/prisma/client.ts';
import { toEventPayload, toTicketSummary } from './ticket-summary.ts';
import { preparedSql, rawQuery } from '../client.ts';

type Tx = Prisma.TransactionClient;

export const DUPLICATE_RADIUS_M = 150;
export const DUPLICATE_WINDOW_HOURS = 48;

export interface LikelyDuplicate {
  id: number;
  code: string;
  status: TicketStatus;
  createdAt: string;
  distanceM: number;
}

/**
 * Event ids must become visible in id order, or a client catching up with
 * `after=<id>` could skip an event whose transaction committed late. Every
 * transaction that appends ticket events takes this lock just before the
 * insert and holds it to commit, so ids are assigned in commit order.
 */
const EVENT_ORDER_LOCK = 74_201;

export interface NewTicketEvent {
  type: TicketEventType;
  actorId: number | null;
  fromStatus: TicketStatus | null;
  toStatus: TicketStatus | null;
  data?: Prisma.InputJsonObject;
}

export interface NewIdempotency {
  scope: string;
  key: string;
  requestHash: string;
  /** Stored with the ticket's id added as `ticketId`; replayed for the same key and body. */
  response: Prisma.InputJsonObject;
}

export interface NewTicket {
  code: string;
  trackingTokenHash: string;
  channel: Channel;
  categoryId: number;
  categoryCode: string;
  priority: Priority;
  /** Used when `assigneeId` is given; otherwise ASSIGNED when someone answers for the grid, else NEW. */
  status: TicketStatus;
  description: string;
  address: string | null;
  lat: number;
  lng: number;
  gridId: number | null;
  communityId: number | null;
  streetId: number | null;
  districtId: number | null;
  /** The city's region: its dispatchers answer last. */
  cityId: number | null;
  outsideGrid: boolean;
  /** Known already (a patrol report is the reporter's own); null: whoever answers for the grid. */
  assigneeId: number | null;
  acceptBy: Date | null;
  resolveBy: Date | null;
  acceptedAt: Date | null;
  reporterUserId: number | null;
  reporterName: string | null;
  reporterPhone: string | null;
  createdAt: Date;
  /** Answers to the category's attributes, already checked against its definition. */
  attributes?: Prisma.InputJsonObject | null;
  /** A public URL of media the reporter pointed to. */
  mediaUrl?: string | null;
}

interface RawTicket {
  id: number;
  code: string;
  status: TicketStatus;
  priority: Priority;
  channel: Channel;
  lat: number;
  lng: number;
  address: string | null;
  grid_id: number | null;
  community_id: number | null;
  street_id: number | null;
  district_id: number | null;
  assignee_id: number | null;
  escalation_level: number;
  accept_by: string | null;
  resolve_by: string | null;
  overdue: boolean;
  outside_grid: boolean;
  version: number;
  category_id: number;
  reporter_user_id: number | null;
  pending_since: string | null;
  resolved_at: string | null;
  rated_at: string | null;
  created_at: string;
  updated_at: string;
}

interface RawNearby {
  id: number;
  code: string;
  status: TicketStatus;
  lat: number;
  lng: number;
  /** Text when read through json_agg, a Date when read as a row. */
  created_at: string | Date;
}

interface RawEvent {
  id: number;
  type: string;
  actor_id: number | null;
  from_status: TicketStatus | null;
  to_status: TicketStatus | null;
  payload: Prisma.JsonValue;
  created_at: string;
}

/** A box around the point holding the circle: the index narrows rows by it, the distance decides. */
function duplicateBox(point: LatLng, radiusM: number) {
  const lngScale = Math.cos((point.lat * Math.PI) / 180);
  const dLat = radiusM / 111_320;
  const dLng = radiusM / (111_320 * lngScale);
  return {
    lngScale,
    minLat: point.lat - dLat,
    maxLat: point.lat + dLat,
    minLng: point.lng - dLng,
    maxLng: point.lng + dLng,
  };
}

const MAX_LIKELY_DUPLICATES = 5;

/** The nearest candidates within the radius (at most five), nearest first. */
function closestDuplicates(
  point: LatLng,
  candidates: ReadonlyArray<RawNearby>,
  radiusM: number,
): LikelyDuplicate[] {
  return candidates
    .map((row) => ({
      id: row.id,
      code: row.code,
      status: row.status,
      createdAt: new Date(row.created_at).toISOString(),
      distanceM: Math.round(distanceMetres(point, { lat: row.lat, lng: row.lng })),
    }))
    .filter((candidate) => candidate.distanceM <= radiusM)
    .sort((a, b) => a.distanceM - b.distanceM)
    .slice(0, MAX_LIKELY_DUPLICATES);
}

const iso = (value: string | null) => (value === null ? null : new Date(value).toISOString());

function rawToPayload(event: RawEvent, ticket: TicketSummary): TicketEventPayload {
  return toEventPayload(
    {
      id: event.id,
      ticketId: ticket.id,
      type: event.type,
      actorId: event.actor_id,
      fromStatus: event.from_status,
      toStatus: event.to_status,
      payload: event.payload,
      createdAt: new Date(event.created_at),
    },
    ticket,
  );
}

/** Ticket fields a transition may set or guard on in one statement, with their column and type. */
const TRANSITION_COLUMNS: Record<string, [column: string, type: string]> = {
  status: ['status', '"TicketStatus"'],
  assigneeId: ['assignee_id', 'int'],
  escalationLevel: ['escalation_level', 'int'],
  acceptBy: ['accept_by', 'timestamptz'],
  resolveBy: ['resolve_by', 'timestamptz'],
  acceptedAt: ['accepted_at', 'timestamptz'],
  resolvedAt: ['resolved_at', 'timestamptz'],
  closedAt: ['closed_at', 'timestamptz'],
  pendingSince: ['pending_since', 'timestamptz'],
  overdue: ['overdue', 'boolean'],
  duplicateOfId: ['duplicate_of_id', 'int'],
  rating: ['rating', '"Rating"'],
  ratingComment: ['rating_comment', 'text'],
  ratedAt: ['rated_at', 'timestamptz'],
  gridId: ['grid_id', 'int'],
  communityId: ['community_id', 'int'],
  streetId: ['street_id', 'int'],
  districtId: ['district_id', 'int'],
  outsideGrid: ['outside_grid', 'boolean'],
};

type SqlValue = string | number | boolean | Date | null;

function plainValue(value: unknown): value is SqlValue {
  return (
    value === null ||
    value instanceof Date ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  );
}

/**
 * The transition as ONE statement: the conditional update, the event order
 * lock (taken only when the update matched, so losers of a race never wait on
 * it) and the events. A race's losers cost one round trip instead of a
 * transaction's five. Null when `data` or `where` holds more than plain
 * values of known columns (an increment, a relation filter): those go through
 * an interactive transaction.
 */
function transitionStatement(
  request: TransitionRequest,
  now: Date,
): { sql: string; values: unknown[] } | null {
  const values: unknown[] = [
    request.ticketId,
    request.expectedVersion,
    [...request.expectedStatuses],
    now,
  ];
  const param = (value: SqlValue, type: string) => {
    values.push(value);
    return `$${values.length}::${type}`;
  };
  const sets: string[] = [];
  for (const [field, value] of Object.entries(request.data)) {
    const column = TRANSITION_COLUMNS[field];
    if (value === undefined) continue;
    if (!column || !plainValue(value)) return null;
    sets.push(`${column[0]} = ${param(value, column[1])}`);
  }
  const guards: string[] = [];
  for (const [field, value] of Object.entries(request.where ?? {})) {
    const column = TRANSITION_COLUMNS[field];
    if (value === undefined) continue;
    if (!column || !plainValue(value) || value === null) return null;
    guards.push(`AND ${column[0]} = ${param(value, column[1])}`);
  }
  const events = param(
    JSON.stringify(
      request.events.map((event, ord) => ({
        ord,
        type: event.type,
        actor_id: event.actorId,
        from_status: event.fromStatus,
        to_status: event.toStatus,
        payload: event.data ?? {},
      })),
    ),
    'jsonb',
  );
  const sql = `
WITH u AS (
  UPDATE tickets SET ${[...sets, 'version = version + 1', 'updated_at = $4'].join(', ')}
  WHERE id = $1 AND version = $2 AND status = ANY($3::"TicketStatus"[]) ${guards.join(' ')}
  RETURNING *
), event_order AS (
  SELECT pg_advisory_xact_lock(${EVENT_ORDER_LOCK}) FROM u
), e AS (
  INSERT INTO ticket_events (ticket_id, type, actor_id, from_status, to_status, payload, created_at)
  SELECT u.id, ev.type, ev.actor_id, ev.from_status::"TicketStatus", ev.to_status::"TicketStatus",
    ev.payload, $4
  FROM u, event_order,
    jsonb_to_recordset(${events}) AS ev(ord int, type text, actor_id int, from_status text,
      to_status text, payload jsonb)
  ORDER BY ev.ord
  RETURNING id, type, actor_id, from_status, to_status, payload, created_at
)
SELECT (SELECT row_to_json(u) FROM u) AS ticket,
  (SELECT json_agg(e ORDER BY e.id) FROM e) AS events`;
  return { sql, values };
}

function rawToSummary(row: RawTicket, categoryCode: string): TicketSummary {
  return {
    id: row.id,
    code: row.code,
    status: row.status,
    categoryCode,
    priority: row.priority,
    channel: row.channel,
    location: { lat: row.lat, lng: row.lng },
    address: row.address,
    gridId: row.grid_id,
    communityId: row.community_id,
    streetId: row.street_id,
    districtId: row.district_id,
    assigneeId: row.assignee_id,
    escalationLevel: row.escalation_level,
    acceptBy: iso(row.accept_by),
    resolveBy: iso(row.resolve_by),
    overdue: row.overdue,
    outsideGrid: row.outside_grid,
    version: row.version,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}

/**
 * Open tickets of a category in a box and a time window. Only the category and
 * the box are index conditions (on category, lat, lng): in a busy city the last
 * 48 hours hold thousands of tickets, a 300 m box a handful, and the planner,
 * left to itself, may pick the created_at index. `IS TRUE` keeps the rest a filter.
 */
const NEARBY_CONDITION = (
  category: string,
  statuses: string,
  since: string,
  minLat: string,
  maxLat: string,
  minLng: string,
  maxLng: string,
) => `category_id = ${category} AND lat BETWEEN ${minLat} AND ${maxLat}
    AND lng BETWEEN ${minLng} AND ${maxLng}
    AND (created_at >= ${since} AND status = ANY(${statuses}::"TicketStatus"[])) IS TRUE`;

/** Rows read back per nearby search: twice what is offered, for the ones outside the circle. */
const NEARBY_ROWS = 2 * MAX_LIKELY_DUPLICATES;

/**
 * Rows of the box looked at, at most. A report about one incident can draw
 * thousands of open tickets into one box (sorting 7,000 took 8 ms, inside the
 * intake's statement); any 200 of them are as likely duplicates as the nearest.
 */
const NEARBY_SCAN_ROWS = 200;

/**
 * The open tickets of the category in the box, nearest first by the flat-earth
 * distance (exact enough within a few hundred metres), so the few rows read back
 * are the nearest of the box; `closestDuplicates` then measures them on the
 * great circle. The arguments are the statement's parameters, as for
 * `NEARBY_CONDITION`, then the point and cos(latitude).
 */
const NEARBY_SELECT = (
  condition: Parameters<typeof NEARBY_CONDITION>,
  lat: string,
  lng: string,
  lngScale: string,
) => `SELECT * FROM (
    SELECT id, code, status, lat, lng, created_at FROM tickets
    WHERE ${NEARBY_CONDITION(...condition)}
    LIMIT ${NEARBY_SCAN_ROWS}
  ) box
  ORDER BY (lat - ${lat}::float8) ^ 2 + ((lng - ${lng}::float8) * ${lngScale}::float8) ^ 2
  LIMIT ${NEARBY_ROWS}`;

/**
 * The whole intake in one statement: who answers for the ticket (when `$16`
 * names nobody: the grid's on-duty member, else its on-duty backup, else the
 * first active community staffer, street, district or city dispatcher, on-duty
 * ones first, as findResponsibleUser at level 0), the open tickets of the same
 * category nearby (read in the statement's snapshot, so without the new one),
 * the ticket, its events and the idempotency record. The `ticket.assigned`
 * event is kept only when someone was found, and learns who. `responsible` is
 * MATERIALIZED: both the status and the assignee read it, and inlined it would run twice.
 */
const CREATE_TICKET_SQL = preparedSql(
  'create-ticket',
  `
WITH responsible AS MATERIALIZED (
  SELECT COALESCE(
    $16::int,
    (SELECT u.id FROM grid_assignments g JOIN users u ON u.id = g.member_id
      WHERE g.grid_id = $11 AND u.on_duty AND u.active),
    (SELECT u.id FROM grid_assignments g JOIN users u ON u.id = g.backup_id
      WHERE g.grid_id = $11 AND u.on_duty AND u.active),
    (SELECT id FROM users WHERE role = 'COMMUNITY_STAFF' AND region_id = $12 AND active
      ORDER BY on_duty DESC, id LIMIT 1),
    (SELECT id FROM users WHERE role = 'DISPATCHER' AND region_id = $13 AND active
      ORDER BY on_duty DESC, id LIMIT 1),
    (SELECT id FROM users WHERE role = 'DISPATCHER' AND region_id = $14 AND active
      ORDER BY on_duty DESC, id LIMIT 1),
    (SELECT id FROM users WHERE role = 'DISPATCHER' AND region_id = $29 AND active
      ORDER BY on_duty DESC, id LIMIT 1)
  ) AS id
), nearby AS (
  ${NEARBY_SELECT(['$4', '$30', '$31', '$32', '$33', '$34', '$35'], '$9', '$10', '$38')}
), t AS (
  INSERT INTO tickets (code, tracking_token_hash, channel, category_id, priority, status, description,
    address, lat, lng, grid_id, community_id, street_id, district_id, outside_grid, assignee_id,
    accept_by, resolve_by, reporter_user_id, reporter_name, reporter_phone, created_at, updated_at,
    accepted_at, attributes, media_url)
  SELECT $1, $2, $3::"Channel", $4, $5::"Priority",
    CASE WHEN $16::int IS NOT NULL THEN $6::"TicketStatus"
      WHEN r.id IS NULL THEN 'NEW'::"TicketStatus" ELSE 'ASSIGNED'::"TicketStatus" END,
    $7, $8, $9, $10, $11, $12, $13, $14, $15, r.id, $17, $18, $19, $20, $21, $22, $22, $28,
    $36::jsonb, $37::text
  FROM responsible r
  RETURNING *
), idempotency AS (
  INSERT INTO idempotency_keys (scope, key, request_hash, status, response)
  SELECT $23, $24, $25, 201, $26::jsonb || jsonb_build_object('ticketId', t.id)
  FROM t WHERE $23::text IS NOT NULL
), event_order AS (
  SELECT pg_advisory_xact_lock(${EVENT_ORDER_LOCK})
), e AS (
  INSERT INTO ticket_events (ticket_id, type, actor_id, from_status, to_status, payload, created_at)
  SELECT t.id, ev.type, ev.actor_id, ev.from_status::"TicketStatus", ev.to_status::"TicketStatus",
    CASE WHEN ev.type = 'ticket.assigned'
      THEN ev.payload || jsonb_build_object('assigneeId', t.assignee_id) ELSE ev.payload END,
    $22
  FROM t, event_order,
    jsonb_to_recordset($27::jsonb) AS ev(ord int, type text, actor_id int, from_status text,
      to_status text, payload jsonb)
  WHERE ev.type <> 'ticket.assigned' OR t.assignee_id IS NOT NULL
  ORDER BY ev.ord
  RETURNING id, type, actor_id, from_status, to_status, payload, created_at
)
SELECT (SELECT json_agg(nearby) FROM nearby) AS nearby,
  (SELECT row_to_json(t) FROM t) AS ticket,
  (SELECT json_agg(e ORDER BY e.id) FROM e) AS events`,
);

export interface TicketChange {
  ticket: TicketSummary;
  events: TicketEventPayload[];
  /** Events appended to other tickets in the same transaction (a merge notes it on the original). */
  related?: TicketChange[];
}

export interface TransitionRequest {
  ticketId: number;
  expectedVersion: number;
  expectedStatuses: readonly TicketStatus[];
  data: Omit<Prisma.TicketUncheckedUpdateManyInput, 'version'>;
  events: NewTicketEvent[];
  /** Extra guard on the row, e.g. the escalation level the timer was scheduled for. */
  where?: Prisma.TicketWhereInput;
  /** Events for other tickets, appended in the same transaction without changing their state. */
  related?: Array<{ ticketId: number; event: NewTicketEvent }>;
}

/** What an action needs to know of a ticket before it acts: one round trip. */
export interface TicketForAction {
  ticket: TicketSummary;
  reporterUserId: number | null;
  pendingSince: Date | null;
  resolvedAt: Date | null;
  ratedAt: Date | null;
  category: { requiresVerification: boolean; policy: Prisma.JsonValue };
  /** Tickets merged into this one: their reporters follow its updates. */
  hasFollowers: boolean;
}

const FIND_FOR_ACTION_SQL = preparedSql(
  'find-ticket-for-action',
  `
SELECT row_to_json(t) AS ticket, c.code AS category_code,
  c.requires_verification AS requires_verification, c.policy,
  EXISTS (SELECT 1 FROM tickets d WHERE d.duplicate_of_id = t.id) AS has_followers
FROM tickets t JOIN categories c ON c.id = t.category_id
WHERE t.id = $1`,
);

export class TicketStore {
  /** Category codes never change, so each id's code is read once. */
  private readonly categoryCodes = new Map<number, string>();

  constructor(private readonly prisma: PrismaClient) {}

  /** `db` is the transaction when inside one: a second connection could wait on a full pool. */
  private async categoryCode(categoryId: number, db: Tx = this.prisma): Promise<string> {
    const known = this.categoryCodes.get(categoryId);
    if (known !== undefined) return known;
    const categories = await db.category.findMany({ select: { id: true, code: true } });
    for (const category of categories) this.categoryCodes.set(category.id, category.code);
    const code = this.categoryCodes.get(categoryId);
    if (code === undefined) throw new Error(`No category ${categoryId}`);
    return code;
  }

  private async summaryOf(row: Ticket, db: Tx = this.prisma): Promise<TicketSummary> {
    const code = await this.categoryCode(row.categoryId, db);
    return toTicketSummary({ ...row, category: { code } });
  }

  private async appendTo(tx: Tx, ticketId: number, event: NewTicketEvent): Promise<TicketChange> {
    const row = await tx.ticket.findUniqueOrThrow({ where: { id: ticketId } });
    const ticket = await this.summaryOf(row, tx);
    const stored = await appendEvents(tx, ticketId, [event]);
    return { ticket, events: stored.map((item) => toEventPayload(item, ticket)) };
  }

  async findForAction(ticketId: number): Promise<TicketForAction | null> {
    const [row] = await rawQuery<{
      ticket: RawTicket;
      category_code: string;
      requires_verification: boolean;
      policy: Prisma.JsonValue;
      has_followers: boolean;
    }>(this.prisma, FIND_FOR_ACTION_SQL, ticketId);
    if (!row) return null;
    return {
      ticket: rawToSummary(row.ticket, row.category_code),
      reporterUserId: row.ticket.reporter_user_id,
      pendingSince: row.ticket.pending_since === null ? null : new Date(row.ticket.pending_since),
      resolvedAt: row.ticket.resolved_at === null ? null : new Date(row.ticket.resolved_at),
      ratedAt: row.ticket.rated_at === null ? null : new Date(row.ticket.rated_at),
      category: { requiresVerification: row.requires_verification, policy: row.policy },
      hasFollowers: row.has_followers,
    };
  }

  /**
   * Inserts a ticket, its first events and (optionally) the idempotency record
   * in one SQL statement, so the whole write is one round trip and the event
   * lock is held only for that statement and its commit.
   */
  async create(
    ticket: NewTicket,
    events: NewTicketEvent[],
    idempotency?: NewIdempotency,
  ): Promise<TicketChange & { likelyDuplicates: LikelyDuplicate[] }> {
    const point = { lat: ticket.lat, lng: ticket.lng };
    const box = duplicateBox(point, DUPLICATE_RADIUS_M);
    const rows = await rawQuery<{
      ticket: RawTicket;
      events: RawEvent[];
      nearby: RawNearby[] | null;
    }>(
      this.prisma,
      CREATE_TICKET_SQL,
      ticket.code,
      ticket.trackingTokenHash,
      ticket.channel,
      ticket.categoryId,
      ticket.priority,
      ticket.status,
      ticket.description,
      ticket.address,
      ticket.lat,
      ticket.lng,
      ticket.gridId,
      ticket.communityId,
      ticket.streetId,
      ticket.districtId,
      ticket.outsideGrid,
      ticket.assigneeId,
      ticket.acceptBy,
      ticket.resolveBy,
      ticket.reporterUserId,
      ticket.reporterName,
      ticket.reporterPhone,
      ticket.createdAt,
      idempotency?.scope ?? null,
      idempotency?.key ?? null,
      idempotency?.requestHash ?? null,
      JSON.stringify(idempotency?.response ?? null),
      JSON.stringify(
        events.map((event, ord) => ({
          ord,
          type: event.type,
          actor_id: event.actorId,
          from_status: event.fromStatus,
          to_status: event.toStatus,
          payload: event.data ?? {},
        })),
      ),
      ticket.acceptedAt,
      ticket.cityId,
      [...OPEN_STATUSES],
      new Date(ticket.createdAt.getTime() - DUPLICATE_WINDOW_HOURS * 3_600_000),
      box.minLat,
      box.maxLat,
      box.minLng,
      box.maxLng,
      ticket.attributes ? JSON.stringify(ticket.attributes) : null,
      ticket.mediaUrl ?? null,
      box.lngScale,
    );
    const row = rows[0]!;
    const summary = rawToSummary(row.ticket, ticket.categoryCode);
    return {
      likelyDuplicates: closestDuplicates(point, row.nearby ?? [], DUPLICATE_RADIUS_M),
      ticket: summary,
      events: row.events.map((event) => rawToPayload(event, summary)),
    };
  }

  /**
   * A conditional state change: applies `data` only while the ticket still has
   * the expected version and status, bumps the version and appends the events.
   * Returns null when the state has moved on.
   */
  async transition(request: TransitionRequest): Promise<TicketChange | null> {
    const statement = request.related ? null : transitionStatement(request, new Date());
    if (statement) {
      const [row] = await this.prisma.$queryRawUnsafe<
        Array<{ ticket: RawTicket | null; events: RawEvent[] | null }>
      >(statement.sql, ...statement.values);
      if (!row?.ticket) return null;
      const ticket = rawToSummary(row.ticket, await this.categoryCode(row.ticket.category_id));
      return { ticket, events: (row.events ?? []).map((event) => rawToPayload(event, ticket)) };
    }
    return this.prisma.$transaction(async (tx) => {
      // The update returns the new row: no read-back (the category code comes from memory).
      const [row] = await tx.ticket.updateManyAndReturn({
        where: {
          ...request.where,
          id: request.ticketId,
          version: request.expectedVersion,
          status: { in: [...request.expectedStatuses] },
        },
        data: { ...request.data, version: { increment: 1 } },
      });
      if (!row) return null;
      const ticket = await this.summaryOf(row, tx);
      const stored = await appendEvents(tx, row.id, request.events);
      const related: TicketChange[] = [];
      for (const { ticketId, event } of request.related ?? []) {
        const other = await tx.ticket.findUniqueOrThrow({ where: { id: ticketId } });
        const summary = await this.summaryOf(other, tx);
        const [appended] = await appendEvents(tx, ticketId, [event]);
        related.push({ ticket: summary, events: [toEventPayload(appended!, summary)] });
      }
      return {
        ticket,
        events: stored.map((event) => toEventPayload(event, ticket)),
        ...(related.length > 0 ? { related } : {}),
      };
    });
  }

  /**
   * Open tickets of the same category near a point, reported recently: what a
   * new report most likely duplicates. A bounding box narrows the rows, the
   * great-circle distance decides.
   */
  async findLikelyDuplicates(
    categoryId: number,
    point: LatLng,
    now: Date,
    radiusM = DUPLICATE_RADIUS_M,
    withinHours = DUPLICATE_WINDOW_HOURS,
  ): Promise<LikelyDuplicate[]> {
    const box = duplicateBox(point, radiusM);
    const rows = await this.prisma.$queryRawUnsafe<RawNearby[]>(
      NEARBY_SELECT(['$1', '$2', '$3', '$4', '$5', '$6', '$7'], '$8', '$9', '$10'),
      categoryId,
      [...OPEN_STATUSES],
      new Date(now.getTime() - withinHours * 3_600_000),
      box.minLat,
      box.maxLat,
      box.minLng,
      box.maxLng,
      point.lat,
      point.lng,
      box.lngScale,
    );
    return closestDuplicates(point, rows, radiusM);
  }

  /** Summons departments to a ticket and notes it on the timeline, in one transaction. */
  async addSummons(
    ticketId: number,
    rows: Array<{ department: string; reportBy: Date }>,
    event: NewTicketEvent,
  ): Promise<{ change: TicketChange; summons: Summons[] }> {
    return this.prisma.$transaction(async (tx) => {
      const summons = await tx.summons.createManyAndReturn({
        data: rows.map((row) => ({ ticketId, department: row.department, reportBy: row.reportBy })),
      });
      const change = await this.appendTo(tx, ticketId, {
        ...event,
        data: { ...event.data, summonsIds: summons.map((item) => item.id) },
      });
      return { change, summons };
    });
  }

  /**
   * A conditional change of one summons (reported, escalated) plus its event
   * on the ticket's timeline. Null when the summons has moved on.
   */
  async changeSummons(request: {
    summonsId: number;
    ticketId: number;
    where: Prisma.SummonsWhereInput;
    data: Omit<Prisma.SummonsUncheckedUpdateManyInput, 'version'>;
    event: NewTicketEvent;
  }): Promise<{ change: TicketChange; summons: Summons } | null> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.summons.updateMany({
        where: { ...request.where, id: request.summonsId, ticketId: request.ticketId },
        data: { ...request.data, version: { increment: 1 } },
      });
      if (count === 0) return null;
      const summons = await tx.summons.findUniqueOrThrow({ where: { id: request.summonsId } });
      const change = await this.appendTo(tx, request.ticketId, {
        ...request.event,
        data: { ...request.event.data, summonsId: summons.id, department: summons.department },
      });
      return { change, summons };
    });
  }

  /** Appends an event that changes no state (a reminder): the version stays, so no client action is invalidated. */
  async appendEvent(ticketId: number, event: NewTicketEvent): Promise<TicketChange | null> {
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.ticket.findUnique({ where: { id: ticketId } });
      if (!row) return null;
      const ticket = await this.summaryOf(row, tx);
      const stored = await appendEvents(tx, ticketId, [event]);
      return { ticket, events: stored.map((stored) => toEventPayload(stored, ticket)) };
    });
  }

  async findSummary(ticketId: number): Promise<TicketSummary | null> {
    const row = await this.prisma.ticket.findUnique({ where: { id: ticketId } });
    return row ? this.summaryOf(row) : null;
  }

  /** Events after `after` on tickets matching `scope`, oldest first, with current summaries. */
  async eventsAfter(
    after: number,
    limit: number,
    scope: Prisma.TicketWhereInput,
  ): Promise<TicketEventPayload[]> {
    const rows = await this.prisma.ticketEvent.findMany({
      where: { id: { gt: after }, ticket: scope },
      orderBy: { id: 'asc' },
      take: limit,
      include: { ticket: true },
    });
    const payloads: TicketEventPayload[] = [];
    // One by one: the first unknown category loads them all, the rest are then in memory.
    for (const { ticket, ...event } of rows) {
      payloads.push(toEventPayload(event, await this.summaryOf(ticket)));
    }
    return payloads;
  }
}

async function appendEvents(tx: Tx, ticketId: number, events: NewTicketEvent[]) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${EVENT_ORDER_LOCK})`;
  const stored = await tx.ticketEvent.createManyAndReturn({
    data: events.map((event) => ({
      ticketId,
      type: event.type,
      actorId: event.actorId,
      fromStatus: event.fromStatus,
      toStatus: event.toStatus,
      payload: event.data ?? {},
    })),
  });
  return stored.sort((a, b) => a.id - b.id);
}
