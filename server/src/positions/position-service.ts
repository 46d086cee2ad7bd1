import {
  POSITION_PUSH_INTERVAL_MS,
  POSITION_STALE_MS,
  rooms,
  type FieldPosition,
  type LocationReport,
  type PositionUpdatedPayload,
} from '@gridline/core';
import { HttpError } from '../http/errors.ts';
import type { Clock } from '../tickets/ports.ts';
import type {
  DutyRepository,
  FieldUser,
  PositionPublisher,
  PositionStore,
  RegionTree,
  StoredPosition,
} from './ports.ts';

export interface PositionServiceDeps {
  store: PositionStore;
  duty: DutyRepository;
  publisher: PositionPublisher;
  clock: Clock;
  regions: () => RegionTree;
  pushIntervalMs?: number;
  staleMs?: number;
}

export interface ReportResult {
  position: FieldPosition;
  /** Whether this report was pushed (false: inside the user's throttle window). */
  pushed: boolean;
}

/**
 * Duty and live position of users in the field. The duty flag is durable
 * (PostgreSQL, read by intake routing); positions live in Redis only and are
 * pushed to the user's home region and every region above it, throttled per
 * user. Role checks belong to the routes, so volunteers can reuse this.
 */
export class PositionService {
  readonly #pushIntervalMs: number;
  readonly #staleMs: number;

  constructor(private readonly deps: PositionServiceDeps) {
    this.#pushIntervalMs = deps.pushIntervalMs ?? POSITION_PUSH_INTERVAL_MS;
    this.#staleMs = deps.staleMs ?? POSITION_STALE_MS;
  }

  isOnDuty(user: FieldUser): Promise<boolean> {
    return this.deps.duty.isOnDuty(user.id);
  }

  /** On duty: intake routes the user's grid to them. Off duty: their marker goes away. */
  async setDuty(user: FieldUser, onDuty: boolean): Promise<{ onDuty: boolean }> {
    // PostgreSQL first: it is what routing reads, and what Redis is rebuilt from.
    await this.deps.duty.setOnDuty(user.id, onDuty);
    if (onDuty) {
      await this.deps.store.markOnDuty(user);
      return { onDuty };
    }
    const last = await this.deps.store.markOffDuty(user.id);
    this.#publish(user.regionId, {
      userId: user.id,
      role: user.role,
      displayName: user.displayName,
      regionId: user.regionId,
      lat: last?.lat ?? null,
      lng: last?.lng ?? null,
      accuracy: last?.accuracy ?? null,
      at: this.deps.clock.now().toISOString(),
      onDuty: false,
    });
    return { onDuty };
  }

  /** A phone's report. 409 unless the user is on duty. */
  async report(user: FieldUser, report: LocationReport): Promise<ReportResult> {
    await this.#ensureMarked(user);
    const pushed = await this.deps.store.claimPush(user.id, this.#pushIntervalMs);
    // The load is counted only when pushing: at most one count per user per window.
    const openTickets = pushed ? await this.deps.duty.openTicketCount(user.id) : undefined;
    const position: StoredPosition = {
      userId: user.id,
      role: user.role,
      displayName: user.displayName,
      regionId: user.regionId,
      lat: report.lat,
      lng: report.lng,
      accuracy: report.accuracy ?? null,
      at: this.deps.clock.now().getTime(),
      ...(openTickets === undefined ? {} : { openTickets }),
    };
    if (!(await this.deps.store.save(position))) throw notOnDuty();
    const dto = toFieldPosition(position);
    if (pushed) this.#publish(user.regionId, dto);
    return { position: dto, pushed };
  }

  /** Everyone on duty whose home region lies inside `regionId`, with a recent report. */
  async list(regionId: number): Promise<FieldPosition[]> {
    const tree = this.deps.regions();
    const since = this.deps.clock.now().getTime() - this.#staleMs;
    const stored = await this.deps.store.list();
    return stored
      .filter(
        (position) =>
          position.at >= since &&
          position.regionId !== null &&
          tree.isWithin(position.regionId, regionId),
      )
      .sort((a, b) => a.userId - b.userId)
      .map(toFieldPosition);
  }

  /** Redis may have lost the duty set: PostgreSQL decides, and the mark is rebuilt. */
  async #ensureMarked(user: FieldUser): Promise<void> {
    if (await this.deps.store.isMarkedOnDuty(user.id)) return;
    if (!(await this.deps.duty.isOnDuty(user.id))) throw notOnDuty();
    await this.deps.store.markOnDuty(user);
  }

  #publish(regionId: number | null, payload: PositionUpdatedPayload): void {
    const targets = positionRooms(this.deps.regions(), regionId);
    if (targets.length > 0) this.deps.publisher.publish(targets, payload);
  }
}

/** `region:<id>` for the home region and every region above it, up to the city. */
export function positionRooms(tree: RegionTree, regionId: number | null): string[] {
  if (regionId === null || tree.get(regionId) === undefined) return [];
  const chain = tree.chainOf(regionId);
  const ids = [chain.gridId, chain.communityId, chain.streetId, chain.districtId, tree.cityId];
  // A home region at city level has an empty chain: the city room covers it.
  return [...new Set(ids.filter((id): id is number => id !== null))].map(rooms.region);
}

export function toFieldPosition(position: StoredPosition): FieldPosition {
  return {
    userId: position.userId,
    role: position.role,
    displayName: position.displayName,
    regionId: position.regionId,
    lat: position.lat,
    lng: position.lng,
    accuracy: position.accuracy,
    at: new Date(position.at).toISOString(),
    onDuty: true,
    ...(position.openTickets === undefined ? {} : { openTickets: position.openTickets }),
  };
}

const notOnDuty = () =>
  new HttpError('CONFLICT', 'Go on duty before sharing your position', { onDuty: false });
