import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, TrackView } from '@gridline/core';
import { ApiError } from '../api/client.ts';
import { residentApi } from './api.ts';
import { withEntry } from './timeline.ts';

export type TrackingState = 'loading' | 'ready' | 'not-found' | 'error';

/**
 * One ticket followed through its tracking link: read once, then kept live by
 * the pushes its socket hears (joined by the token), re-read after every push
 * (for what only the server knows: whether it may be rated) and every reconnect.
 */
export class Tracking {
  state = $state<TrackingState>('loading');
  view = $state.raw<TrackView | null>(null);
  live = $state(false);
  busy = $state(false);

  readonly code: string;
  /** Null: a signed-in resident's own or followed ticket, opened by the session. */
  readonly token: string | null;
  #socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;
  #refresh: AbortController | null = null;

  constructor(code: string, token: string | null) {
    this.code = code;
    this.token = token;
  }

  start(): void {
    void this.reload();
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({
      path: '/socket.io',
      transports: ['websocket', 'polling'],
      withCredentials: true,
      ...(this.token === null ? {} : { auth: { trackingToken: this.token } }),
    });
    this.#socket = socket;
    let connectedBefore = false;
    socket.on('connect', () => {
      this.live = true;
      if (connectedBefore) void this.reload();
      connectedBefore = true;
    });
    socket.on('disconnect', () => (this.live = false));
    socket.on('connect_error', () => (this.live = false));
    socket.on('ticket.tracked', (payload) => {
      if (this.view) this.view = withEntry(this.view, payload);
      void this.reload();
    });
  }

  stop(): void {
    this.#socket?.disconnect();
    this.#socket = null;
    this.#refresh?.abort();
  }

  async reload(): Promise<void> {
    this.#refresh?.abort();
    const abort = new AbortController();
    this.#refresh = abort;
    try {
      const view = await residentApi.track(this.code, this.token, abort.signal);
      if (abort.signal.aborted) return;
      this.view = view;
      this.state = 'ready';
    } catch (error) {
      if (abort.signal.aborted) return;
      if (error instanceof ApiError && (error.status === 404 || error.status === 400)) {
        this.state = 'not-found';
      } else if (this.view === null) {
        this.state = 'error';
      }
    }
  }

  /** Rate or reopen; a 409 (the ticket moved on meanwhile) re-reads it before it is thrown. */
  async act(
    action:
      | { kind: 'rate'; rating: 'GOOD' | 'BAD'; comment: string }
      | { kind: 'reopen'; reason: string },
  ): Promise<void> {
    const view = this.view;
    if (!view || this.busy) return;
    this.busy = true;
    try {
      const version = view.ticket.version;
      if (action.kind === 'rate') {
        const comment = action.comment.trim();
        await residentApi.rate(this.code, this.token, {
          version,
          rating: action.rating,
          ...(comment ? { comment } : {}),
        });
      } else {
        await residentApi.reopen(this.code, this.token, { version, reason: action.reason.trim() });
      }
      await this.reload();
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) await this.reload();
      throw error;
    } finally {
      this.busy = false;
    }
  }
}
