import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  PositionUpdatedPayload,
  ServerToClientEvents,
  TaskEventPayload,
  TaskEventType,
  TicketEventPayload,
} from '@gridline/core';
import { TICKET_EVENT_TYPES } from '../dispatch/ticket-board.ts';

/** What the connection indicator shows (`data-state`). */
export type ConnectionState = 'connected' | 'reconnecting' | 'offline';

export interface LiveConnectionHandlers {
  onTicketEvent: (payload: TicketEventPayload) => void;
  /** A field user's live position (supervisors' sockets get them through their region room). */
  onPositionEvent?: (payload: PositionUpdatedPayload) => void;
  /** Volunteer task events (`task.offered`, `task.filled`, `task.updated`); listened to only when given. */
  onTaskEvent?: (payload: TaskEventPayload) => void;
  /** Every successful connect; `reconnect` is false for the first one. */
  onConnect: (reconnect: boolean) => void;
  /**
   * The server refused or dropped the socket on purpose (revoked or expired
   * session, server shutting down). Answer whether the session still holds:
   * true reconnects, false stops the connection.
   */
  checkSession: () => Promise<boolean>;
  /** The session is gone: the page should send the user to /login. */
  onSessionEnded: () => void;
}

type GridlineSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const TASK_EVENT_TYPES = [
  'task.offered',
  'task.filled',
  'task.updated',
] as const satisfies readonly TaskEventType[];

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30_000;

/**
 * The Socket.IO connection of a signed-in page (same origin, session cookie).
 * The server joins the user's rooms itself; every event carries its event id,
 * and `onConnect(true)` tells the page to catch up on what it missed.
 */
export class LiveConnection {
  state = $state<ConnectionState>('reconnecting');
  /** False until the first connect: the indicator says "connecting", not "reconnecting". */
  everConnected = $state(false);

  readonly #handlers: LiveConnectionHandlers;
  #socket: GridlineSocket | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #retryMs = RETRY_MIN_MS;
  #stopped = false;

  constructor(handlers: LiveConnectionHandlers) {
    this.#handlers = handlers;
  }

  start(): void {
    if (this.#socket) return;
    this.#stopped = false;
    const socket: GridlineSocket = io({
      path: '/socket.io',
      withCredentials: true,
      transports: ['websocket', 'polling'],
    });
    this.#socket = socket;

    for (const type of TICKET_EVENT_TYPES) {
      socket.on(type, (payload: TicketEventPayload) => this.#handlers.onTicketEvent(payload));
    }
    socket.on('position.updated', (payload) => this.#handlers.onPositionEvent?.(payload));
    const onTaskEvent = this.#handlers.onTaskEvent;
    if (onTaskEvent) {
      for (const type of TASK_EVENT_TYPES) socket.on(type, (payload) => onTaskEvent(payload));
    }
    socket.on('session.revoked', () => this.#end());
    socket.on('connect', () => {
      this.#retryMs = RETRY_MIN_MS;
      this.state = 'connected';
      const reconnect = this.everConnected;
      this.everConnected = true;
      this.#handlers.onConnect(reconnect);
    });
    socket.on('disconnect', (reason) => {
      if (this.#stopped) return;
      this.state = navigator.onLine ? 'reconnecting' : 'offline';
      // The server dropped us on purpose: a revoked session, or a restart.
      if (reason === 'io server disconnect') void this.#recheck();
    });
    socket.on('connect_error', () => {
      if (this.#stopped) return;
      this.state = navigator.onLine ? 'reconnecting' : 'offline';
      // socket.active: the client retries by itself; otherwise the server's
      // middleware refused the handshake (no session, or not available).
      if (!socket.active) void this.#recheck();
    });

    window.addEventListener('online', this.#online);
    window.addEventListener('offline', this.#offline);
    if (!navigator.onLine) this.state = 'offline';
  }

  stop(): void {
    this.#stopped = true;
    this.#clearRetry();
    window.removeEventListener('online', this.#online);
    window.removeEventListener('offline', this.#offline);
    if (this.#socket) {
      this.#socket.removeAllListeners();
      this.#socket.disconnect();
      this.#socket = null;
    }
    this.state = 'offline';
  }

  /** Resolves at the first connect, or after `timeoutMs` (false) if there is none. */
  waitForConnect(timeoutMs: number): Promise<boolean> {
    const socket = this.#socket;
    if (!socket) return Promise.resolve(false);
    if (socket.connected) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (connected: boolean) => {
        clearTimeout(timer);
        socket.off('connect', onConnect);
        resolve(connected);
      };
      const onConnect = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      socket.on('connect', onConnect);
    });
  }

  readonly #online = (): void => {
    if (this.#stopped || !this.#socket) return;
    if (this.#socket.connected) {
      this.state = 'connected';
      return;
    }
    this.state = 'reconnecting';
    if (!this.#socket.active) this.#reconnectNow();
  };

  readonly #offline = (): void => {
    if (!this.#stopped) this.state = 'offline';
  };

  async #recheck(): Promise<void> {
    let valid: boolean;
    try {
      valid = await this.#handlers.checkSession();
    } catch {
      // Could not ask (server down): try again later.
      valid = true;
    }
    if (this.#stopped) return;
    if (!valid) {
      this.#end();
      return;
    }
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    this.#clearRetry();
    const delay = this.#retryMs * (0.75 + Math.random() * 0.5);
    this.#retryMs = Math.min(RETRY_MAX_MS, this.#retryMs * 2);
    this.#retryTimer = setTimeout(() => this.#reconnectNow(), delay);
  }

  #reconnectNow(): void {
    this.#clearRetry();
    if (this.#stopped || !this.#socket || this.#socket.active) return;
    this.#socket.connect();
  }

  #clearRetry(): void {
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  #end(): void {
    if (this.#stopped) return;
    this.stop();
    this.#handlers.onSessionEnded();
  }
}
