/**
 * Live staff positions on the dispatcher's map: a table of who is on duty
 * where, filled by `GET /api/positions` and by `position.updated` pushes.
 * Pure, for unit tests; `position-feed.svelte.ts` polls and renders it.
 */
import type { FieldPosition, PositionUpdatedPayload } from '@gridline/core';

export class PositionTable {
  readonly #byUser = new Map<number, FieldPosition>();
  #list: FieldPosition[] | null = null;

  get size(): number {
    return this.#byUser.size;
  }

  /** Everyone on duty, by user id. The array is shared until the next change. */
  list(): readonly FieldPosition[] {
    this.#list ??= [...this.#byUser.values()].sort((a, b) => a.userId - b.userId);
    return this.#list;
  }

  /**
   * Replace the table with a fresh read, keeping a pushed position that is
   * newer than the one read (it arrived while the request was on its way).
   */
  load(positions: readonly FieldPosition[]): boolean {
    const next = new Map<number, FieldPosition>();
    for (const position of positions) {
      const known = this.#byUser.get(position.userId);
      next.set(position.userId, known && isNewer(known.at, position.at) ? known : position);
    }
    const changed = !sameTable(this.#byUser, next);
    if (changed) {
      this.#byUser.clear();
      for (const [id, position] of next) this.#byUser.set(id, position);
      this.#list = null;
    }
    return changed;
  }

  /** A push: a new position, or `onDuty: false` to remove the marker. Older reports are ignored. */
  apply(payload: PositionUpdatedPayload): boolean {
    const known = this.#byUser.get(payload.userId);
    if (known && isNewer(known.at, payload.at)) return false;
    if (!payload.onDuty) {
      if (!known) return false;
      this.#byUser.delete(payload.userId);
      this.#list = null;
      return true;
    }
    this.#byUser.set(payload.userId, payload);
    this.#list = null;
    return true;
  }

  clear(): void {
    this.#byUser.clear();
    this.#list = null;
  }
}

function isNewer(a: string, b: string): boolean {
  return Date.parse(a) > Date.parse(b);
}

function sameTable(
  a: ReadonlyMap<number, FieldPosition>,
  b: ReadonlyMap<number, FieldPosition>,
): boolean {
  if (a.size !== b.size) return false;
  for (const [id, position] of b) {
    const other = a.get(id);
    if (
      !other ||
      other.at !== position.at ||
      other.lat !== position.lat ||
      other.lng !== position.lng ||
      other.openTickets !== position.openTickets
    ) {
      return false;
    }
  }
  return true;
}
