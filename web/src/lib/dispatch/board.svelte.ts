import type { PositionUpdatedPayload, TicketEventPayload, TicketSummary } from '@gridline/core';
import { ApiError, api } from '../api/client.ts';
import type { AppConfig } from '../api/types.ts';
import { LiveConnection } from '../realtime/live-connection.svelte.ts';
import { session } from '../session/session.svelte.ts';
import { alertFor, type DispatchAlert } from './alerts.ts';
import { TicketBoard, dueSoonWindowMs } from './ticket-board.ts';
import { fetchMissedEvents } from '../realtime/missed-events.ts';

/** How many open tickets the first load asks for (the API's soonest-deadline page). */
/** Open tickets the board loads at most (a city's busiest day has a few thousand). */
export const SNAPSHOT_LIMIT = 10_000;
const SNAPSHOT_PAGE = 1000;
/** How long the first load waits for the socket before reading the snapshot anyway. */
const CONNECT_WAIT_MS = 2500;

export type LoadStatus = 'loading' | 'ready' | 'error';

/**
 * The dispatcher's live board: a snapshot of open tickets, kept current by
 * socket events and, after every reconnect, by replaying `/api/events`.
 * The logic lives in `TicketBoard`; this class makes it reactive.
 */
export class DispatchBoard {
  /** Open tickets, soonest deadline first. */
  tickets = $state.raw<readonly TicketSummary[]>([]);
  status = $state<LoadStatus>('loading');
  error = $state<unknown>(null);
  /** The snapshot hit its limit: there are more open tickets than shown. */
  truncated = $state(false);
  /** Replaying missed events or reloading after a reconnect. */
  syncing = $state(false);
  config = $state.raw<AppConfig>({ tileUrl: null, timeScale: 1 });
  selectedId = $state<number | null>(null);

  readonly dueSoonMs = $derived(dueSoonWindowMs(this.config.timeScale));
  readonly connection: LiveConnection;

  readonly #board = new TicketBoard();
  readonly #onSessionEnded: () => void;
  readonly #onAlert: ((alert: DispatchAlert) => void) | undefined;
  // Subscribers, not state: nothing renders from this set.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #listeners = new Set<(payload: TicketEventPayload) => void>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #positionListeners = new Set<(payload: PositionUpdatedPayload) => void>();
  #snapshotInFlight = false;
  #catchUpAfterSnapshot = false;
  #started = false;
  #stopped = false;

  constructor(options: {
    onSessionEnded: () => void;
    /** A live event that should alert the dispatcher (urgent new ticket, escalation). */
    onAlert?: (alert: DispatchAlert) => void;
  }) {
    this.#onSessionEnded = options.onSessionEnded;
    this.#onAlert = options.onAlert;
    this.connection = new LiveConnection({
      onTicketEvent: (payload) => this.#apply(payload),
      onPositionEvent: (payload) => {
        for (const listener of this.#positionListeners) listener(payload);
      },
      onConnect: (reconnect) => {
        if (reconnect || this.#started) void this.#catchUp();
      },
      checkSession: async () => (await session.recheck()) !== null,
      onSessionEnded: () => this.#endSession(),
    });
  }

  /** Connect, then load the snapshot (so that nothing falls between the two). */
  async start(): Promise<void> {
    this.#board.beginSnapshot();
    this.connection.start();
    const configLoad = api.config().then(
      (config) => {
        if (config.timeScale > 0) this.config = config;
      },
      () => undefined, // Defaults serve: no tiles, TIME_SCALE 1.
    );
    await this.connection.waitForConnect(CONNECT_WAIT_MS);
    await configLoad;
    if (this.#stopped) return;
    this.#started = true;
    await this.reload();
  }

  stop(): void {
    this.#stopped = true;
    this.connection.stop();
  }

  /** Replace the board with a fresh snapshot; events arriving meanwhile apply on top. */
  async reload(): Promise<void> {
    if (this.#snapshotInFlight) return;
    this.#snapshotInFlight = true;
    this.#board.beginSnapshot();
    if (this.tickets.length === 0) this.status = 'loading';
    try {
      // Page by page; the first page's event watermark is the oldest, so replaying the
      // events after it covers whatever changed while the later pages were read.
      let page = await api.openTickets({ limit: SNAPSHOT_PAGE });
      const lastEventId = page.lastEventId;
      const tickets = [...page.tickets];
      while (page.nextCursor !== null && tickets.length < SNAPSHOT_LIMIT && !this.#stopped) {
        page = await api.openTickets({ limit: SNAPSHOT_PAGE, cursor: page.nextCursor });
        tickets.push(...page.tickets);
      }
      if (this.#stopped) return;
      this.#board.loadSnapshot(tickets, lastEventId);
      this.truncated = page.nextCursor !== null;
      this.status = 'ready';
      this.error = null;
    } catch (error) {
      this.#board.cancelSnapshot();
      if (error instanceof ApiError && error.status === 401) {
        this.#endSession();
        return;
      }
      this.error = error;
      this.status = this.tickets.length > 0 || this.#board.size > 0 ? 'ready' : 'error';
    } finally {
      this.#snapshotInFlight = false;
      this.#publish();
    }
    if (this.#catchUpAfterSnapshot) {
      this.#catchUpAfterSnapshot = false;
      await this.#catchUp();
    }
  }

  select(id: number | null): void {
    this.selectedId = id;
  }

  /** Every pushed position of a field user; returns the unsubscribe. */
  onPositionEvent(listener: (payload: PositionUpdatedPayload) => void): () => void {
    this.#positionListeners.add(listener);
    return () => this.#positionListeners.delete(listener);
  }

  /** Every live ticket event (pushed, not replayed); returns the unsubscribe. */
  onTicketEvent(listener: (payload: TicketEventPayload) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #apply(payload: TicketEventPayload): void {
    const outcome = this.#board.apply(payload);
    if (outcome === 'removed' && this.selectedId === payload.ticket.id) this.selectedId = null;
    if (outcome === 'added' || outcome === 'updated' || outcome === 'removed') this.#publish();
    const alert = alertFor(payload, outcome, Date.now());
    if (alert) this.#onAlert?.(alert);
    for (const listener of this.#listeners) listener(payload);
  }

  /** After a reconnect: replay `/api/events?after=<last seen>`, or reload if we cannot. */
  async #catchUp(): Promise<void> {
    if (this.#stopped) return;
    if (this.#snapshotInFlight) {
      // The snapshot may have been read before the socket rejoined its rooms.
      this.#catchUpAfterSnapshot = true;
      return;
    }
    const lastSeen = this.#board.lastEventId;
    if (lastSeen === null) {
      await this.reload();
      return;
    }
    this.syncing = true;
    try {
      const result = await fetchMissedEvents(lastSeen);
      if (this.#stopped) return;
      this.#board.applyMany(result.events);
      this.#publish();
      if (!result.complete) await this.reload();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        this.#endSession();
        return;
      }
      // Replay failed (server busy): a full reload is the safe fallback.
      await this.reload();
    } finally {
      this.syncing = false;
    }
  }

  #publish(): void {
    this.tickets = this.#board.list();
    if (this.selectedId !== null && !this.#board.has(this.selectedId)) this.selectedId = null;
  }

  #endSession(): void {
    if (this.#stopped) return;
    this.stop();
    this.#board.clear();
    this.tickets = [];
    session.signedOut();
    this.#onSessionEnded();
  }
}
