import {
  customRange,
  defaultBucket,
  periodRange,
  shanghaiDate,
  type StatsOverview,
  type StatsPeriodKind,
  type StatsRange,
  type StatsRegion,
  type StatsTrend,
} from '@gridline/core';
import { ApiError } from '../api/client.ts';
import { LiveConnection } from '../realtime/live-connection.svelte.ts';
import { session } from '../session/session.svelte.ts';
import { statsApi } from './api.ts';
import type { SortDirection, SortKey } from './figures.ts';

/** At most one refresh per this many ms while ticket events arrive. */
export const LIVE_REFRESH_MS = 5000;
/** Figures change as deadlines pass even without events: refresh this often anyway. */
export const PERIODIC_REFRESH_MS = 60_000;

/**
 * The dashboard's state: the region (a trail from the user's home region down
 * to the one shown), the period, the figures and trend, and the live socket
 * that triggers throttled refreshes.
 */
export class Dashboard {
  /** Home region first, the region shown last; empty until the first answer. */
  trail = $state.raw<StatsRegion[]>([]);
  period = $state<StatsPeriodKind>('today');
  /** The custom range's first and last day (Beijing dates, both included). */
  rangeFirst = $state('');
  rangeLast = $state('');
  rangeError = $state(false);

  overview = $state.raw<StatsOverview | null>(null);
  trend = $state.raw<StatsTrend | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  /** When the figures shown were loaded (epoch ms). */
  updatedAt = $state<number | null>(null);
  /** How many refreshes live events have caused (the page shows it in a data attribute for tests). */
  liveRefreshes = $state(0);

  sortKey = $state<SortKey>('response');
  sortDirection = $state<SortDirection>('desc');

  readonly connection: LiveConnection;

  #abort: AbortController | null = null;
  #lastRefreshAt = 0;
  #liveTimer: ReturnType<typeof setTimeout> | null = null;
  #periodicTimer: ReturnType<typeof setInterval> | null = null;
  #stopped = false;
  /** The clock (epoch ms), replaceable in tests. */
  readonly #now: () => number;

  constructor(options: { onSessionEnded: () => void; now?: () => number }) {
    this.#now = options.now ?? Date.now;
    const today = shanghaiDate(instant(this.#now()));
    this.rangeFirst = today;
    this.rangeLast = today;
    this.connection = new LiveConnection({
      onTicketEvent: () => this.#liveEvent(),
      onConnect: (reconnect) => {
        // After a gap, anything may have changed.
        if (reconnect) void this.refresh();
      },
      checkSession: async () => (await session.recheck()) !== null,
      onSessionEnded: options.onSessionEnded,
    });
  }

  get region(): StatsRegion | null {
    return this.trail[this.trail.length - 1] ?? null;
  }

  /** The instants of the chosen period; null while the custom range is invalid. */
  get range(): StatsRange | null {
    if (this.period === 'range') return customRange(this.rangeFirst, this.rangeLast);
    return periodRange(this.period, instant(this.#now()));
  }

  start(): void {
    this.#stopped = false;
    this.connection.start();
    void this.refresh();
    this.#periodicTimer = setInterval(() => {
      if (document.visibilityState !== 'hidden') void this.refresh();
    }, PERIODIC_REFRESH_MS);
  }

  stop(): void {
    this.#stopped = true;
    this.connection.stop();
    this.#abort?.abort();
    if (this.#liveTimer) clearTimeout(this.#liveTimer);
    if (this.#periodicTimer) clearInterval(this.#periodicTimer);
    this.#liveTimer = null;
    this.#periodicTimer = null;
  }

  setPeriod(period: StatsPeriodKind): void {
    this.period = period;
    if (period !== 'range') {
      this.rangeError = false;
      void this.refresh();
    }
  }

  applyRange(): void {
    this.period = 'range';
    this.rangeError = this.range === null;
    if (!this.rangeError) void this.refresh();
  }

  /** Look inside a child region of the one shown. */
  drill(region: StatsRegion): void {
    this.trail = [...this.trail, region];
    void this.refresh();
  }

  /** Back up to the trail's `index`-th region (0: home). */
  backTo(index: number): void {
    if (index >= this.trail.length - 1) return;
    this.trail = this.trail.slice(0, index + 1);
    void this.refresh();
  }

  sortBy(key: SortKey): void {
    if (this.sortKey === key) {
      this.sortDirection = this.sortDirection === 'desc' ? 'asc' : 'desc';
    } else {
      this.sortKey = key;
      this.sortDirection = key === 'name' ? 'asc' : 'desc';
    }
  }

  /** Load the figures and the trend of the region and period shown (the latest call wins). */
  async refresh(): Promise<void> {
    const range = this.range;
    if (range === null || this.#stopped) return;
    this.#abort?.abort();
    const abort = new AbortController();
    this.#abort = abort;
    this.#lastRefreshAt = Date.now();
    this.loading = true;
    const params = { regionId: this.region?.id, ...range };
    try {
      const [overview, trend] = await Promise.all([
        statsApi.overview(params, abort.signal),
        statsApi.trend(params, defaultBucket(range), abort.signal),
      ]);
      if (abort.signal.aborted) return;
      this.overview = overview;
      this.trend = trend;
      if (this.trail.length === 0) this.trail = [overview.total.region];
      this.error = null;
      this.updatedAt = Date.now();
    } catch (error) {
      if (abort.signal.aborted) return;
      this.error = error instanceof ApiError ? error.message : String(error);
    } finally {
      if (this.#abort === abort) {
        this.loading = false;
        this.#abort = null;
      }
    }
  }

  /** A ticket event: refresh soon, at most once per LIVE_REFRESH_MS. */
  #liveEvent(): void {
    if (this.#liveTimer || this.#stopped) return;
    const wait = Math.max(300, this.#lastRefreshAt + LIVE_REFRESH_MS - Date.now());
    this.#liveTimer = setTimeout(() => {
      this.#liveTimer = null;
      this.liveRefreshes++;
      void this.refresh();
    }, wait);
  }
}

/** An immutable instant for core's period maths. */
function instant(ms: number): Readonly<Date> {
  return new Date(ms);
}
