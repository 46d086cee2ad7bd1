import { ApiError } from '../api/client.ts';
import { memberApi, type TicketDetail, type TimelineEntry } from './api.ts';

export type TicketViewStatus = 'loading' | 'ready' | 'notFound' | 'error';

/** One ticket's details and timeline, reloaded when the live inbox hears of a newer version. */
export class TicketView {
  ticket = $state.raw<TicketDetail | null>(null);
  timeline = $state.raw<readonly TimelineEntry[]>([]);
  status = $state<TicketViewStatus>('loading');
  error = $state<unknown>(null);

  readonly id: number;
  #controller: AbortController | null = null;

  constructor(id: number) {
    this.id = id;
  }

  async load(): Promise<void> {
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    try {
      const { ticket, timeline } = await memberApi.ticket(this.id, controller.signal);
      if (controller.signal.aborted) return;
      this.ticket = ticket;
      this.timeline = timeline;
      this.status = 'ready';
      this.error = null;
    } catch (error) {
      if (controller.signal.aborted) return;
      if (error instanceof ApiError && (error.status === 404 || error.status === 403)) {
        this.status = 'notFound';
        return;
      }
      this.error = error;
      // Keep showing what we had; the error line says it is not current.
      if (this.ticket === null) this.status = 'error';
    } finally {
      if (this.#controller === controller) this.#controller = null;
    }
  }

  /** Reload when a pushed version is newer than the one shown. */
  noteVersion(version: number | undefined): void {
    if (version === undefined || this.ticket === null) return;
    if (version > this.ticket.version) void this.load();
  }

  stop(): void {
    this.#controller?.abort();
  }
}
