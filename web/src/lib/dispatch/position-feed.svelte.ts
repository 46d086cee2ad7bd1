import type { FieldPosition, PositionUpdatedPayload } from '@gridline/core';
import { request } from '../api/client.ts';
import { PositionTable } from './positions.ts';

/** Pushes keep positions live; this re-read catches up after a reconnect and drops the stale. */
export const POSITION_POLL_MS = 30_000;
/** The map redraws positions at most this often, however many updates arrive. */
export const POSITION_RENDER_MS = 1_000;

/**
 * On-duty staff positions for the map. Reads `GET /api/positions` now and
 * then (and while the tab is visible), takes `position.updated` pushes through
 * `apply`, and publishes at most once a second so that 2,000 moving people
 * do not redraw the map on every report.
 */
export class PositionFeed {
  positions = $state.raw<readonly FieldPosition[]>([]);
  /** False when the user may not see positions (403) or the server has none to give. */
  available = $state(true);

  readonly #table = new PositionTable();
  #pollTimer: ReturnType<typeof setTimeout> | null = null;
  #renderTimer: ReturnType<typeof setTimeout> | null = null;
  #lastRender = 0;
  #abort: AbortController | null = null;
  #stopped = true;
  #regionId: number | null = null;

  start(regionId: number | null): void {
    this.#stopped = false;
    this.#regionId = regionId;
    document.addEventListener('visibilitychange', this.#onVisibility);
    void this.#poll();
  }

  stop(): void {
    this.#stopped = true;
    document.removeEventListener('visibilitychange', this.#onVisibility);
    this.#abort?.abort();
    if (this.#pollTimer !== null) clearTimeout(this.#pollTimer);
    if (this.#renderTimer !== null) clearTimeout(this.#renderTimer);
    this.#pollTimer = null;
    this.#renderTimer = null;
  }

  /** A pushed `position.updated`. */
  apply(payload: PositionUpdatedPayload): void {
    if (this.#table.apply(payload)) this.#scheduleRender();
  }

  readonly #onVisibility = (): void => {
    if (document.visibilityState === 'visible' && !this.#stopped) void this.#poll();
  };

  async #poll(): Promise<void> {
    if (this.#pollTimer !== null) clearTimeout(this.#pollTimer);
    this.#pollTimer = null;
    if (this.#stopped) return;
    this.#abort?.abort();
    const abort = new AbortController();
    this.#abort = abort;
    try {
      const query = this.#regionId === null ? '' : `?regionId=${this.#regionId}`;
      const { positions } = await request<{ positions: FieldPosition[] }>(
        `/api/positions${query}`,
        { signal: abort.signal },
      );
      if (this.#table.load(positions)) this.#scheduleRender();
      this.available = true;
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') return;
      const status = (error as { status?: number }).status;
      if (status === 403 || status === 404) {
        // Not for this role, or this server has no positions: stop asking.
        this.available = false;
        return;
      }
    }
    if (!this.#stopped && document.visibilityState !== 'hidden') {
      this.#pollTimer = setTimeout(() => void this.#poll(), POSITION_POLL_MS);
    }
  }

  #scheduleRender(): void {
    if (this.#renderTimer !== null) return;
    const wait = Math.max(0, this.#lastRender + POSITION_RENDER_MS - Date.now());
    this.#renderTimer = setTimeout(() => {
      this.#renderTimer = null;
      this.#lastRender = Date.now();
      this.positions = this.#table.list();
    }, wait);
  }
}
