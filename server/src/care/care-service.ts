import { createHash } from 'node:crypto';
import {
  OVERDUE_VISITS_LIMIT,
  careDeviceBodySchema,
  careDeviceIdSchema,
  careRecipientsQuerySchema,
  createCareRecipientSchema,
  daysOverdue,
  overdueVisitsQuerySchema,
  updateCareRecipientSchema,
  type CareContact,
  type CareRecipientDto,
  type LatLng,
  type OverdueVisitsResponse,
  type Role,
} from '@gridline/core';
import type { Prisma } from '@gridline/db';
import { z } from 'zod';
import { canSeeRegion } from '../auth/scope.ts';
import { HttpError, conflict, notFound, parseOr400 } from '../http/errors.ts';
import type { AuthContext } from '../http/types.ts';
import type { Clock } from '../tickets/ports.ts';
import { canonicalJson } from '../tickets/ticket-service.ts';
import {
  IdempotencyTaken,
  type CareAudit,
  type CareRecipientData,
  type CareRecipientRecord,
  type CareRegions,
  type CareRepository,
} from './ports.ts';

export interface CareServiceDeps {
  repository: CareRepository;
  audit: CareAudit;
  regions: () => CareRegions;
  clock: Clock;
  timeScale: number;
}

export interface CareRequest {
  auth: AuthContext | undefined;
  ip: string | null;
}

export interface CareReply {
  status: number;
  body: unknown;
}

/** Who keeps the registry (reads and changes), each in their region. */
const KEEPERS: readonly Role[] = ['COMMUNITY_STAFF', 'ADMIN'];
/** Who sees the overdue-visits list of the regions in their scope. */
const OVERDUE_VIEWERS: readonly Role[] = ['COMMUNITY_STAFF', 'DISPATCHER', 'ADMIN'];
/** Roles for which a household's record does not exist at all (404, like others' tickets). */
const OUTSIDERS: readonly Role[] = ['RESIDENT', 'VOLUNTEER'];

const ENTITY = 'care_recipient';
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,100}$/;
const idSchema = z.coerce.number().int().positive().max(2_147_483_647);

/**
 * The care registry (关爱对象). Community staff keep the households of their
 * community (admins: all); every read and every change is written to the
 * audit log, changes in the same transaction. A household's point must lie
 * inside a grid of its community.
 */
export class CareService {
  constructor(private readonly deps: CareServiceDeps) {}

  /** `GET /api/care-recipients?communityId=`: the households of a community in scope. */
  async list(request: CareRequest, query: unknown): Promise<CareReply> {
    const auth = this.#role(request.auth, KEEPERS);
    const { communityId } = parseOr400(careRecipientsQuerySchema, query, 'query');
    const community = communityId ?? auth.user.regionId;
    if (community === null || !this.#canSee(auth, community)) {
      throw new HttpError('FORBIDDEN', 'This community is outside your region');
    }
    const rows = await this.deps.repository.list(community);
    await this.deps.audit.record({
      actorId: auth.user.id,
      action: 'read',
      entity: ENTITY,
      entityId: null,
      details: { communityId: community, ids: rows.map((row) => row.id) },
      ip: request.ip,
    });
    return { status: 200, body: { careRecipients: rows.map(toDto) } };
  }

  /** `GET /api/care-recipients/:id`. */
  async get(request: CareRequest, rawId: unknown): Promise<CareReply> {
    const { auth, row } = await this.#household(request, rawId);
    await this.deps.audit.record({
      actorId: auth.user.id,
      action: 'read',
      entity: ENTITY,
      entityId: String(row.id),
      ip: request.ip,
    });
    return { status: 200, body: { careRecipient: toDto(row) } };
  }

  /** `POST /api/care-recipients`: 201 with the household; 422 when the point is not in its community. */
  async create(
    request: CareRequest,
    body: unknown,
    idempotencyKey: string | undefined,
  ): Promise<CareReply> {
    const auth = this.#role(request.auth, KEEPERS);
    const input = parseOr400(createCareRecipientSchema, body);
    const idempotency =
      idempotencyKey === undefined ? null : idempotencyOf(auth, idempotencyKey, body);
    if (idempotency) {
      const replay = await this.#replay(idempotency);
      if (replay) return replay;
    }

    const directory = this.deps.regions();
    let communityId = input.communityId ?? null;
    if (communityId === null && auth.user.role === 'COMMUNITY_STAFF') {
      communityId = auth.user.regionId;
    }
    if (communityId !== null) {
      if (directory.get(communityId)?.level !== 'COMMUNITY') {
        throw new HttpError('UNPROCESSABLE', 'No such community', [
          { path: 'communityId', message: 'not a community' },
        ]);
      }
      if (!this.#canSee(auth, communityId)) {
        throw new HttpError('FORBIDDEN', 'This community is outside your region');
      }
    }
    const placed = this.#place(input.location, communityId);
    if (!this.#canSee(auth, placed.communityId)) {
      throw new HttpError('FORBIDDEN', 'This community is outside your region');
    }
    const data: CareRecipientData = {
      communityId: placed.communityId,
      gridId: placed.gridId,
      householdName: input.householdName,
      firstName: input.firstName,
      kind: input.kind,
      address: input.address,
      lat: input.location.lat,
      lng: input.location.lng,
      contacts: input.contacts,
      visitEveryDays: input.visitEveryDays,
      lastVisitAt: null,
      notes: input.notes,
    };
    try {
      const row = await this.deps.repository.create(
        data,
        {
          actorId: auth.user.id,
          action: 'create',
          entity: ENTITY,
          details: { after: auditView(data) },
          ip: request.ip,
        },
        idempotency,
      );
      return { status: 201, body: { careRecipient: toDto(row) } };
    } catch (error) {
      // Two requests with the same key raced: the loser answers as the winner did.
      if (idempotency && error instanceof IdempotencyTaken) {
        const replay = await this.#replay(idempotency);
        if (replay) return replay;
      }
      throw error;
    }
  }

  /** `PATCH /api/care-recipients/:id`: 409 when someone changed it at the same moment. */
  async update(request: CareRequest, rawId: unknown, body: unknown): Promise<CareReply> {
    const { auth, row } = await this.#household(request, rawId);
    const input = parseOr400(updateCareRecipientSchema, body);
    const changes: Partial<CareRecipientData> = {};
    if (input.householdName !== undefined) changes.householdName = input.householdName;
    if (input.firstName !== undefined) changes.firstName = input.firstName;
    if (input.kind !== undefined) changes.kind = input.kind;
    if (input.address !== undefined) changes.address = input.address;
    if (input.contacts !== undefined) changes.contacts = input.contacts;
    if (input.visitEveryDays !== undefined) changes.visitEveryDays = input.visitEveryDays;
    if (input.notes !== undefined) changes.notes = input.notes;
    if (input.location !== undefined) {
      const placed = this.#place(input.location, row.communityId);
      changes.lat = input.location.lat;
      changes.lng = input.location.lng;
      changes.gridId = placed.gridId;
    }
    if (input.lastVisitAt !== undefined) {
      const at = new Date(input.lastVisitAt);
      if (at.getTime() > this.deps.clock.now().getTime()) {
        throw new HttpError('UNPROCESSABLE', 'A visit cannot lie in the future', [
          { path: 'lastVisitAt', message: 'in the future' },
        ]);
      }
      changes.lastVisitAt = at;
    }
    const before = pick(recordData(row), Object.keys(changes) as Array<keyof CareRecipientData>);
    const after = pick(
      { ...recordData(row), ...changes },
      Object.keys(changes) as Array<keyof CareRecipientData>,
    );
    const updated = await this.deps.repository.update(row.id, row.updatedAt, changes, {
      actorId: auth.user.id,
      action: 'update',
      entity: ENTITY,
      entityId: String(row.id),
      details: { before: auditView(before), after: auditView(after) },
      ip: request.ip,
    });
    if (!updated) throw conflict('The household was changed at the same time; reload and retry');
    return { status: 200, body: { careRecipient: toDto(updated) } };
  }

  /**
   * `POST /api/care-recipients/:id/devices {deviceId}`: registers a call
   * button (new, or inactive anywhere) to the household; 201 when that
   * changed something, 200 when it already was, 409 when it is active on
   * another household.
   */
  async addDevice(request: CareRequest, rawId: unknown, body: unknown): Promise<CareReply> {
    const { auth, row } = await this.#household(request, rawId);
    const { deviceId } = parseOr400(careDeviceBodySchema, body);
    const result = await this.deps.repository.attachDevice(row.id, deviceId, (previous) => ({
      actorId: auth.user.id,
      action: 'device.add',
      entity: ENTITY,
      entityId: String(row.id),
      details: {
        deviceId,
        ...(previous && previous.careRecipientId !== row.id
          ? { previousCareRecipientId: previous.careRecipientId }
          : {}),
        ...(previous ? { wasActive: previous.active } : {}),
      },
      ip: request.ip,
    }));
    if (result.kind === 'taken') {
      throw conflict('This call button is active on another household; deactivate it there first');
    }
    const fresh = await this.deps.repository.find(row.id);
    if (!fresh) throw notFound('Care recipient');
    return {
      status: result.kind === 'attached' ? 201 : 200,
      body: { careRecipient: toDto(fresh) },
    };
  }

  /** `DELETE /api/care-recipients/:id/devices/:deviceId`: deactivates it (calls then 404). */
  async deactivateDevice(
    request: CareRequest,
    rawId: unknown,
    rawDeviceId: unknown,
  ): Promise<CareReply> {
    const { auth, row } = await this.#household(request, rawId);
    const deviceId = parseOr400(careDeviceIdSchema, rawDeviceId, 'device id');
    const result = await this.deps.repository.deactivateDevice(row.id, deviceId, {
      actorId: auth.user.id,
      action: 'device.deactivate',
      entity: ENTITY,
      entityId: String(row.id),
      details: { deviceId },
      ip: request.ip,
    });
    if (result === null) throw notFound('Device');
    const fresh = await this.deps.repository.find(row.id);
    if (!fresh) throw notFound('Care recipient');
    return { status: 200, body: { careRecipient: toDto(fresh) } };
  }

  /**
   * `GET /api/care-recipients/overdue-visits?communityId=|regionId=`:
   * households whose visit is overdue, most overdue first, with nothing
   * personal beyond names and address. Audited as a read of those ids.
   */
  async overdue(request: CareRequest, query: unknown): Promise<CareReply> {
    const auth = this.#role(request.auth, OVERDUE_VIEWERS, false);
    const input = parseOr400(overdueVisitsQuerySchema, query, 'query');
    const directory = this.deps.regions();
    const regionId = input.communityId ?? input.regionId ?? auth.user.regionId;
    if (regionId !== null) {
      const region = directory.get(regionId);
      if (!region) throw notFound('Region');
      if (input.communityId !== undefined && region.level !== 'COMMUNITY') {
        throw new HttpError('UNPROCESSABLE', 'Not a community', [
          { path: 'communityId', message: 'not a community' },
        ]);
      }
      if (!this.#canSee(auth, regionId)) {
        throw new HttpError('FORBIDDEN', 'This region is outside your region');
      }
    } else if (auth.user.role !== 'ADMIN') {
      throw new HttpError('FORBIDDEN', 'You have no home region');
    }
    const now = this.deps.clock.now();
    const rows = await this.deps.repository.overdue({
      regionId,
      now,
      timeScale: this.deps.timeScale,
      limit: OVERDUE_VISITS_LIMIT + 1,
    });
    const shown = rows.slice(0, OVERDUE_VISITS_LIMIT);
    await this.deps.audit.record({
      actorId: auth.user.id,
      action: 'read',
      entity: ENTITY,
      entityId: null,
      details: { view: 'overdue-visits', regionId, ids: shown.map((row) => row.id) },
      ip: request.ip,
    });
    const body: OverdueVisitsResponse = {
      overdue: shown.map((row) => ({
        id: row.id,
        communityId: row.communityId,
        householdName: row.householdName,
        firstName: row.firstName,
        address: row.address,
        dueAt: row.dueAt.toISOString(),
        daysOverdue: daysOverdue(row.dueAt, now, this.deps.timeScale),
      })),
      truncated: rows.length > OVERDUE_VISITS_LIMIT,
    };
    return { status: 200, body };
  }

  /** Signed in with one of `roles`; residents and volunteers learn nothing exists (404) if `hide`. */
  #role(auth: AuthContext | undefined, roles: readonly Role[], hide = false): AuthContext {
    if (!auth) throw new HttpError('UNAUTHENTICATED', 'Sign in first');
    if (roles.includes(auth.user.role)) return auth;
    if (hide && OUTSIDERS.includes(auth.user.role)) throw notFound('Care recipient');
    throw new HttpError('FORBIDDEN', 'Your role may not do this');
  }

  #canSee(auth: AuthContext, regionId: number): boolean {
    return canSeeRegion(auth, regionId, this.deps.regions());
  }

  /** One household the caller keeps: 404 unknown (or hidden), 403 outside their region. */
  async #household(
    request: CareRequest,
    rawId: unknown,
  ): Promise<{ auth: AuthContext; row: CareRecipientRecord }> {
    const auth = this.#role(request.auth, KEEPERS, true);
    const id = parseOr400(idSchema, rawId, 'care recipient id');
    const row = await this.deps.repository.find(id);
    if (!row) throw notFound('Care recipient');
    if (!this.#canSee(auth, row.communityId)) {
      throw new HttpError('FORBIDDEN', 'This household is outside your region');
    }
    return { auth, row };
  }

  /**
   * The grid of a point that must lie in `communityId` (null: any community,
   * which is then the point's). 422 when it lies in no grid, or another community's.
   */
  #place(point: LatLng, communityId: number | null): { communityId: number; gridId: number } {
    const routing = this.deps.regions().route(point);
    if (routing.kind !== 'grid' || routing.chain.gridId === null) {
      throw new HttpError('UNPROCESSABLE', 'The location lies in no grid', [
        { path: 'location', message: 'outside every grid' },
      ]);
    }
    const { gridId, communityId: pointCommunity } = routing.chain;
    if (pointCommunity === null || (communityId !== null && pointCommunity !== communityId)) {
      throw new HttpError('UNPROCESSABLE', 'The location lies outside the community', [
        { path: 'location', message: 'outside the community' },
      ]);
    }
    return { communityId: pointCommunity, gridId };
  }

  async #replay(idempotency: {
    scope: string;
    key: string;
    requestHash: string;
  }): Promise<CareReply | null> {
    const stored = await this.deps.repository.findIdempotent(idempotency.scope, idempotency.key);
    if (!stored) return null;
    if (stored.requestHash !== idempotency.requestHash) {
      throw new HttpError(
        'IDEMPOTENCY_MISMATCH',
        'This Idempotency-Key was used with a different body',
      );
    }
    const row = await this.deps.repository.find(stored.careRecipientId);
    if (!row) throw notFound('Care recipient');
    return { status: 201, body: { careRecipient: toDto(row) } };
  }
}

function idempotencyOf(auth: AuthContext, key: string, body: unknown) {
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new HttpError(
      'VALIDATION_FAILED',
      'Idempotency-Key must be 8-100 letters, digits, - or _',
    );
  }
  return {
    scope: `POST /api/care-recipients user:${auth.user.id}`,
    key,
    requestHash: createHash('sha256').update(canonicalJson(body)).digest('hex'),
  };
}

function recordData(row: CareRecipientRecord): CareRecipientData {
  return {
    communityId: row.communityId,
    gridId: row.gridId,
    householdName: row.householdName,
    firstName: row.firstName,
    kind: row.kind,
    address: row.address,
    lat: row.lat,
    lng: row.lng,
    contacts: contactsOf(row.contacts),
    visitEveryDays: row.visitEveryDays,
    lastVisitAt: row.lastVisitAt,
    notes: row.notes,
  };
}

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  const picked = {} as Pick<T, K>;
  for (const key of keys) picked[key] = value[key];
  return picked;
}

/** What the audit log keeps of the fields: contacts only as a count (their phones stay out). */
function auditView(data: Partial<CareRecipientData>): Prisma.InputJsonObject {
  const view: Record<string, Prisma.InputJsonValue | null> = {};
  for (const [key, value] of Object.entries(data) as Array<[string, unknown]>) {
    if (key === 'contacts') view.contacts = Array.isArray(value) ? value.length : 0;
    else if (value instanceof Date) view[key] = value.toISOString();
    else if (value === undefined) continue;
    else view[key] = value as Prisma.InputJsonValue | null;
  }
  return view;
}

/** Contacts as stored; anything malformed in old rows is left out. */
function contactsOf(value: unknown): CareContact[] {
  if (!Array.isArray(value)) return [];
  const contacts: CareContact[] = [];
  for (const item of value) {
    const contact = item as Partial<Record<keyof CareContact, unknown>> | null;
    if (
      contact &&
      typeof contact.name === 'string' &&
      typeof contact.relation === 'string' &&
      typeof contact.phone === 'string'
    ) {
      contacts.push({ name: contact.name, relation: contact.relation, phone: contact.phone });
    }
  }
  return contacts;
}

export function toDto(row: CareRecipientRecord): CareRecipientDto {
  return {
    id: row.id,
    communityId: row.communityId,
    gridId: row.gridId,
    householdName: row.householdName,
    firstName: row.firstName,
    kind: row.kind,
    address: row.address,
    lat: row.lat,
    lng: row.lng,
    contacts: contactsOf(row.contacts),
    visitEveryDays: row.visitEveryDays,
    lastVisitAt: row.lastVisitAt?.toISOString() ?? null,
    notes: row.notes,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    devices: row.devices.map((device) => ({
      id: device.id,
      active: device.active,
      lastSeenAt: device.lastSeenAt?.toISOString() ?? null,
    })),
  };
}
