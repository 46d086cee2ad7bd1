import type { FieldRole, PositionUpdatedPayload, RegionChain } from '@gridline/core';

/** A user who goes on duty and reports positions (grid member now, volunteer later). */
export interface FieldUser {
  id: number;
  role: FieldRole;
  displayName: string;
  /** Home region: positions are pushed to it and every region above it. */
  regionId: number | null;
}

/** What Redis holds about one user on duty. */
export interface StoredPosition {
  userId: number;
  role: FieldRole;
  displayName: string;
  regionId: number | null;
  lat: number;
  lng: number;
  accuracy: number | null;
  /** Epoch milliseconds of the report. */
  at: number;
  /** Open tickets assigned to the user, as counted at the last push. */
  openTickets?: number;
}

/** Live positions in Redis: a duty set, a GEO set and a hash per user. */
export interface PositionStore {
  /** Marks the user on duty (so that their reports are taken). */
  markOnDuty(user: FieldUser): Promise<void>;
  isMarkedOnDuty(userId: number): Promise<boolean>;
  /** Unmarks the user and removes their position; returns the last position, if any. */
  markOffDuty(userId: number): Promise<StoredPosition | null>;
  /**
   * Stores the position only if the user is marked on duty, atomically (so a
   * report racing with "off duty" cannot put the marker back). An undefined
   * `openTickets` keeps the stored load. False when not marked on duty.
   */
  save(position: StoredPosition): Promise<boolean>;
  /** True (and starts the window) when no push for this user happened in the last `windowMs`. */
  claimPush(userId: number, windowMs: number): Promise<boolean>;
  /** Every stored position. */
  list(): Promise<StoredPosition[]>;
}

/** The durable duty flag (`User.onDuty`, which intake routing reads) and the user's load. */
export interface DutyRepository {
  setOnDuty(userId: number, onDuty: boolean): Promise<void>;
  isOnDuty(userId: number): Promise<boolean>;
  openTicketCount(userId: number): Promise<number>;
}

export interface PositionPublisher {
  publish(rooms: string[], payload: PositionUpdatedPayload): void;
}

/** The part of the region directory the service needs. */
export interface RegionTree {
  readonly cityId: number | null;
  get(id: number): unknown;
  chainOf(regionId: number): RegionChain;
  isWithin(regionId: number, ancestorId: number): boolean;
}
