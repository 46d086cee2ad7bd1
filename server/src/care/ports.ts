import type { CareKind, LatLng, RegionLevel } from '@gridline/core';
import type { RoutingResult } from '@gridline/db';
import type { AuditEntry } from '../audit/audit-log.ts';

/** A care recipient's row with its call buttons, as the repository reads it. */
export interface CareRecipientRecord {
  id: number;
  communityId: number;
  gridId: number | null;
  householdName: string;
  firstName: string;
  kind: CareKind;
  address: string;
  lat: number;
  lng: number;
  /** JSON `[{ name, relation, phone }]` (validated on the way in). */
  contacts: unknown;
  visitEveryDays: number | null;
  lastVisitAt: Date | null;
  notes: string | null;
  createdAt: Date;
  updatedAt: Date;
  devices: Array<{ id: string; active: boolean; lastSeenAt: Date | null }>;
}

/** The columns a create or an update writes. */
export interface CareRecipientData {
  communityId: number;
  gridId: number | null;
  householdName: string;
  firstName: string;
  kind: CareKind;
  address: string;
  lat: number;
  lng: number;
  contacts: Array<{ name: string; relation: string; phone: string }>;
  visitEveryDays: number | null;
  lastVisitAt: Date | null;
  notes: string | null;
}

/** A stored first answer to a create with an Idempotency-Key. */
export interface CareIdempotency {
  scope: string;
  key: string;
  requestHash: string;
}

export type AttachDeviceResult =
  | { kind: 'attached'; previous: { careRecipientId: number; active: boolean } | null }
  | { kind: 'unchanged' }
  /** Active on another household. */
  | { kind: 'taken'; careRecipientId: number };

/** A household overdue for a visit (the repository's answer, in due order). */
export interface OverdueRow {
  id: number;
  communityId: number;
  householdName: string;
  firstName: string;
  address: string;
  dueAt: Date;
}

/**
 * The care registry in PostgreSQL. Every write stores its audit entry in the
 * same transaction, so a change is never without its record.
 */
export interface CareRepository {
  list(communityId: number): Promise<CareRecipientRecord[]>;
  find(id: number): Promise<CareRecipientRecord | null>;
  /** Inserts the household, its audit entry (entityId filled in) and the idempotency record. */
  create(
    data: CareRecipientData,
    audit: AuditEntry,
    idempotency: CareIdempotency | null,
  ): Promise<CareRecipientRecord>;
  /** The household id a stored Idempotency-Key answered with, and the request hash. */
  findIdempotent(
    scope: string,
    key: string,
  ): Promise<{ requestHash: string; careRecipientId: number } | null>;
  /**
   * Applies the changes only if the row was not changed since `expectedUpdatedAt`
   * (null: it was, and nothing is written).
   */
  update(
    id: number,
    expectedUpdatedAt: Date,
    changes: Partial<CareRecipientData>,
    audit: AuditEntry,
  ): Promise<CareRecipientRecord | null>;
  /**
   * Registers the device to the household in one statement: a new device, one
   * inactive anywhere, or one already active here (unchanged). Never takes a
   * device active on another household. The audit entry is written only when
   * something changed.
   */
  attachDevice(
    careRecipientId: number,
    deviceId: string,
    audit: (previous: { careRecipientId: number; active: boolean } | null) => AuditEntry,
  ): Promise<AttachDeviceResult>;
  /**
   * Deactivates the household's device: 'deactivated', 'unchanged' when it
   * already was, null when the household has no such device.
   */
  deactivateDevice(
    careRecipientId: number,
    deviceId: string,
    audit: AuditEntry,
  ): Promise<'deactivated' | 'unchanged' | null>;
  /**
   * Households with a cadence whose visit fell due before `now`, due order,
   * in `regionId` (communities and grids beneath it; null: everywhere).
   */
  overdue(query: {
    regionId: number | null;
    now: Date;
    timeScale: number;
    limit: number;
  }): Promise<OverdueRow[]>;
}

/** Read audits (writes carry theirs into the repository's transaction). */
export interface CareAudit {
  record(entry: AuditEntry): Promise<void>;
}

/** The part of the region directory the service needs. */
export interface CareRegions {
  get(id: number): { id: number; level: RegionLevel } | undefined;
  isWithin(regionId: number, ancestorId: number): boolean;
  route(point: LatLng): RoutingResult;
}

/** Thrown by a repository when the Idempotency-Key row already exists (a concurrent first use). */
export class IdempotencyTaken extends Error {
  constructor() {
    super('Idempotency-Key already used');
  }
}
