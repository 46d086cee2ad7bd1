import type { TicketEventPayload, TicketSummary } from '@gridline/core';
import { SvelteMap } from 'svelte/reactivity';
import { ApiError, api } from '../api/client.ts';
import { TicketBoard, dueSoonWindowMs } from '../dispatch/ticket-board.ts';
import { fetchMissedEvents } from '../realtime/missed-events.ts';
import { LiveConnection } from '../realtime/live-connection.svelte.ts';
import { session } from '../session/session.svelte.ts';
import { memberApi } from './api.ts';

/** How many event ids before the highest seen a catch-up replays (as the dispatch board). */
const SNAPSHOT_LIMIT = 500;
const CONNECT_WAIT_MS = 2500;

export type InboxStatus = 'loading' | 'ready' | 'error';

/**
 * The grid member's open tickets, soonest deadline first, kept live: the
 * socket's events (the member's own room and their grid's), and after a
 * reconnect a replay of `/api/events`. The board holds every open ticket it
 * hears about; the inbox shows those assigned to this member, so a ticket
 * handed to someone else leaves and one handed to the member arrives.
 */
export class MemberInbox {
  /** My open tickets, soonest deadline first. */
  tickets = $state.raw<readonly TicketSummary[]>([]);
  status = $state<InboxStatus>('loading');
  error = $state<unknown>(null);
  syncing = $state(false);
  dueSoonMs = $state(dueSoonWindowMs(1));
  /** Ids of tickets that arrived live since the page opened (highlighted until opened). */
  readonly fresh = new SvelteMap<number, true>();
  readonly connection: LiveConnection;

  /** The newest version heard of every ticket (open or not): ticket views reload on change. */
  readonly #versions = new SvelteMap<number, number>();
  readonly #board = new TicketBoard();
  readonly #userId: number;
  readonly #onSessionEnded: () => void;
  #snapshotInFlight = false;
  #catchUpAfterSnapshot = false;
  #started = false;
  #stopped = false;

  constructor(options: { userId: number; onSessionEnded: () => void }) {
    this.#userId = options.userId;
    this.#onSessionEnded = options.onSessionEnded;
    this.connection = new LiveConnection({
      onTicketEvent: (payload) => this.#apply(payload, true),
      onConnect: (reconnect) => {
        if (reconnect || this.#started) void this.#catchUp();
      },
      checkSession: async () => (await session.recheck()) !== null,
      onSessionEnded: () => this.#endSession(),
    });
  }

  async start(): Promise<void> {
    this.#board.beginSnapshot();
    this.connection.start();
    const config = api.config().then(
      (value) => {
        if (value.timeScale > 0) this.dueSoonMs = dueSoonWindowMs(value.timeScale);
      },
      () => undefined,
    );
    await this.connection.waitForConnect(CONNECT_WAIT_MS);
    await config;
    if (this.#stopped) return;
    this.#started = true;
    await this.reload();
  }

  stop(): void {
    this.#stopped = true;
    this.connection.stop();
  }

  /** The newest version of a ticket this page heard of (undefined: none since it opened). */
  versionOf(id: number): number | undefined {
    return this.#versions.get(id);
  }

  /** After an action of mine while offline from the socket: the push may never come. */
  refreshIfOffline(): void {
    if (this.connection.state !== 'connected') void this.reload();
  }

  seen(id: number): void {
    this.fresh.delete(id);
  }

  async reload(): Promise<void> {
    if (this.#snapshotInFlight) return;
    this.#snapshotInFlight = true;
    this.#board.beginSnapshot();
    if (this.tickets.length === 0) this.status = 'loading';
    try {
      const page = await memberApi.myOpenTickets(this.#userId, SNAPSHOT_LIMIT);
      if (this.#stopped) return;
      this.#board.loadSnapshot(page.tickets, page.lastEventId);
      this.status = 'ready';
      this.error = null;
    } catch (error) {
      this.#board.cancelSnapshot();
      if (error instanceof ApiError && error.status === 401) {
        this.#endSession();
        return;
      }
      this.error = error;
      this.status = this.#board.size > 0 ? 'ready' : 'error';
    } finally {
      this.#snapshotInFlight = false;
      this.#publish();
    }
    if (this.#catchUpAfterSnapshot) {
      this.#catchUpAfterSnapshot = false;
      await this.#catchUp();
    }
  }

  #apply(payload: TicketEventPayload, live: boolean): void {
    const before = this.#board.get(payload.ticket.id);
    const wasMine = before?.assigneeId === this.#userId;
    const result = this.#board.apply(payload);
    const known = this.#versions.get(payload.ticket.id);
    if (known === undefined || payload.ticket.version > known) {
      this.#versions.set(payload.ticket.id, payload.ticket.version);
    }
    if (
      live &&
      (result === 'added' || result === 'updated') &&
      !wasMine &&
      payload.ticket.assigneeId === this.#userId
    ) {
      this.fresh.set(payload.ticket.id, true);
    }
    if (result === 'added' || result === 'updated' || result === 'removed') this.#publish();
  }

  async #catchUp(): Promise<void> {
    if (this.#stopped) return;
    if (this.#snapshotInFlight) {
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
      for (const event of [...result.events].sort((a, b) => a.eventId - b.eventId)) {
        this.#apply(event, true);
      }
      this.#publish();
      if (!result.complete) await this.reload();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        this.#endSession();
        return;
      }
      await this.reload();
    } finally {
      this.syncing = false;
    }
  }

  #publish(): void {
    this.tickets = this.#board.list().filter((ticket) => ticket.assigneeId === this.#userId);
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
