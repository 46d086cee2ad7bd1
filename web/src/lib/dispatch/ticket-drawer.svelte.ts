import type { TicketAction, TicketEventPayload, ActionBody } from '@gridline/core';
import { ApiError } from '../api/client.ts';
import { dispatchApi, type TicketDetail, type TimelineEntry } from './api.ts';
import { mergeLiveEvent } from './timeline.ts';

export type DrawerNotice =
  | { kind: 'conflict' }
  | { kind: 'done'; action: DrawerAction }
  | { kind: 'error'; message: string; network: boolean };

/** An action the drawer can take: a lifecycle action, summoning departments, or asking volunteers. */
export type DrawerAction = TicketAction | 'summon' | 'askVolunteers';

/**
 * One ticket in the drawer: its detail and timeline from `GET /api/tickets/:id`,
 * kept live by the page's ticket events, and the actions taken from it.
 */
export class TicketDrawerState {
  readonly ticketId: number;
  detail = $state.raw<TicketDetail | null>(null);
  timeline = $state.raw<readonly TimelineEntry[]>([]);
  status = $state<'loading' | 'ready' | 'error'>('loading');
  loadError = $state<{ message: string; network: boolean; notFound: boolean } | null>(null);
  notice = $state.raw<DrawerNotice | null>(null);
  busy = $state(false);

  #abort = new AbortController();
  #reloadQueued = false;

  constructor(ticketId: number) {
    this.ticketId = ticketId;
  }

  async load(): Promise<void> {
    try {
      const { ticket, timeline } = await dispatchApi.ticket(this.ticketId, this.#abort.signal);
      this.detail = ticket;
      this.timeline = timeline;
      this.status = 'ready';
      this.loadError = null;
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') return;
      if (this.detail === null) this.status = 'error';
      this.loadError = {
        message: error instanceof Error ? error.message : String(error),
        network: error instanceof ApiError && error.isNetworkError,
        notFound: error instanceof ApiError && (error.status === 404 || error.status === 403),
      };
    }
  }

  /** A live event: if it is about this ticket, update the summary and the timeline at once. */
  applyEvent(payload: TicketEventPayload): void {
    if (payload.ticket.id !== this.ticketId || this.detail === null) return;
    const merged = mergeLiveEvent(this.detail, this.timeline, payload);
    this.detail = merged.detail;
    this.timeline = merged.timeline;
    // Photos and the description are not in events: re-read them now and then.
    if (payload.type === 'ticket.resolved') this.#queueReload();
  }

  /** Take an action; a 409 means someone else moved the ticket on: say so and refresh. */
  async act<A extends TicketAction>(action: A, body: ActionBody<A>): Promise<boolean> {
    return this.#run(action, () => dispatchApi.act(this.ticketId, action, body));
  }

  async summon(departments: string[], reportMinutes: number): Promise<boolean> {
    return this.#run('summon', () =>
      dispatchApi.summon(this.ticketId, { departments, reportMinutes }),
    );
  }

  /** A volunteer task at the ticket's place (`POST /api/tickets/:id/ask-volunteers`). */
  async askVolunteers(body: {
    skills: string[];
    durationMinutes: number;
    slots: number;
  }): Promise<boolean> {
    return this.#run('askVolunteers', () => dispatchApi.askVolunteers(this.ticketId, body));
  }

  dismissNotice(): void {
    this.notice = null;
  }

  destroy(): void {
    this.#abort.abort();
  }

  get version(): number | undefined {
    return this.detail?.version;
  }

  async #run(action: DrawerAction, call: () => Promise<unknown>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    this.notice = null;
    try {
      await call();
      this.notice = { kind: 'done', action };
      await this.load();
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        this.notice = { kind: 'conflict' };
        await this.load();
      } else {
        this.notice = {
          kind: 'error',
          message: error instanceof Error ? error.message : String(error),
          network: error instanceof ApiError && error.isNetworkError,
        };
      }
      return false;
    } finally {
      this.busy = false;
    }
  }

  #queueReload(): void {
    if (this.#reloadQueued) return;
    this.#reloadQueued = true;
    setTimeout(() => {
      this.#reloadQueued = false;
      void this.load();
    }, 300);
  }
}
