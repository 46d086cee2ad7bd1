import type { TaskEventPayload, VolunteerTaskAction } from '@gridline/core';
import { SvelteMap } from 'svelte/reactivity';
import { ApiError } from '../api/client.ts';
import { LiveConnection } from '../realtime/live-connection.svelte.ts';
import { session } from '../session/session.svelte.ts';
import { volunteerApi, type Presence } from './api.ts';
import { volunteerErrorMessage } from './errors.ts';
import { currentPresence } from './presence.ts';
import {
  EMPTY_TASKS,
  applyActionResult,
  applyTaskEvent,
  replaceWithSnapshot,
  type GoneOffer,
  type MyTasks,
  type TaskEntry,
} from './task-lists.ts';

const CONNECT_WAIT_MS = 2500;
/** How long the note about an offer that went away stays. */
const NOTE_MS = 12_000;

export type TasksStatus = 'loading' | 'ready' | 'error';
/** What a task's buttons are doing: finding the phone's position, or one of the actions. */
export type BusyPhase = VolunteerTaskAction | 'locating';

export interface GoneNote extends GoneOffer {
  id: number;
}

/**
 * The volunteer's offers, tasks in hand and history, kept live: offers and
 * changes arrive on the socket (`task.offered`, `task.filled`,
 * `task.updated`); after every reconnect, and when the phone comes back to
 * the page, `GET /api/volunteers/me/tasks` is asked again so nothing missed
 * stays stale.
 */
export class VolunteerTasks {
  tasks = $state.raw<MyTasks>(EMPTY_TASKS);
  status = $state<TasksStatus>('loading');
  error = $state<unknown>(null);
  syncing = $state(false);
  /** Offers that went away without my answer (filled, cancelled, expired), briefly. */
  notes = $state.raw<readonly GoneNote[]>([]);
  /** Task ids that arrived live since the page opened. */
  readonly fresh = new SvelteMap<number, true>();
  /** Per task: what its buttons are doing now. */
  readonly busy = new SvelteMap<number, BusyPhase>();
  /** Per task: why the last action failed, in words. */
  readonly errors = new SvelteMap<number, string>();
  readonly connection: LiveConnection;

  readonly #userId: number;
  readonly #onSessionEnded: () => void;
  readonly #onCredited: () => void;
  #controller: AbortController | null = null;
  /** Events heard while a snapshot was in flight: re-applied on top of it. */
  #heardDuringSnapshot: TaskEventPayload[] = [];
  #reloadAgain = false;
  #noteId = 0;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- timers, not state
  readonly #noteTimers = new Set<ReturnType<typeof setTimeout>>();
  #started = false;
  #stopped = false;

  constructor(options: { userId: number; onSessionEnded: () => void; onCredited: () => void }) {
    this.#userId = options.userId;
    this.#onSessionEnded = options.onSessionEnded;
    this.#onCredited = options.onCredited;
    this.connection = new LiveConnection({
      onTicketEvent: () => undefined,
      onTaskEvent: (payload) => this.#apply(payload),
      onConnect: (reconnect) => {
        if (reconnect || this.#started) void this.reload();
      },
      checkSession: async () => (await session.recheck()) !== null,
      onSessionEnded: () => this.#endSession(),
    });
  }

  async start(): Promise<void> {
    this.connection.start();
    document.addEventListener('visibilitychange', this.#onVisible);
    await this.connection.waitForConnect(CONNECT_WAIT_MS);
    if (this.#stopped) return;
    this.#started = true;
    await this.reload();
  }

  stop(): void {
    this.#stopped = true;
    this.#controller?.abort();
    this.connection.stop();
    document.removeEventListener('visibilitychange', this.#onVisible);
    for (const timer of this.#noteTimers) clearTimeout(timer);
    this.#noteTimers.clear();
  }

  get offers(): readonly TaskEntry[] {
    return this.tasks.offers;
  }
  get active(): readonly TaskEntry[] {
    return this.tasks.active;
  }
  get history(): readonly TaskEntry[] {
    return this.tasks.history;
  }

  /** `GET /api/volunteers/me/tasks`: the whole picture again. */
  async reload(): Promise<void> {
    if (this.#stopped) return;
    if (this.#controller) {
      this.#reloadAgain = true;
      return;
    }
    const controller = new AbortController();
    this.#controller = controller;
    this.#heardDuringSnapshot = [];
    this.syncing = this.status === 'ready';
    try {
      const snapshot = await volunteerApi.myTasks(controller.signal);
      if (controller.signal.aborted || this.#stopped) return;
      const { tasks, gone } = replaceWithSnapshot(this.tasks, snapshot, Date.now());
      this.tasks = tasks;
      const heard = this.#heardDuringSnapshot;
      this.#heardDuringSnapshot = [];
      this.#controller = null;
      this.syncing = false;
      for (const payload of heard) this.#apply(payload, false);
      this.#note(gone.filter((offer) => !this.busy.has(offer.taskId)));
      this.status = 'ready';
      this.error = null;
    } catch (error) {
      if (controller.signal.aborted) return;
      if (error instanceof ApiError && error.status === 401) {
        this.#endSession();
        return;
      }
      this.error = error;
      if (this.status !== 'ready') this.status = 'error';
    } finally {
      if (this.#controller === controller) {
        this.#controller = null;
        this.#heardDuringSnapshot = [];
        this.syncing = false;
      }
    }
    if (this.#reloadAgain) {
      this.#reloadAgain = false;
      await this.reload();
    }
  }

  seen(taskId: number): void {
    this.fresh.delete(taskId);
  }

  dismiss(noteId: number): void {
    this.notes = this.notes.filter((note) => note.id !== noteId);
  }

  accept(entry: TaskEntry): Promise<boolean> {
    return this.#act(entry, 'accept');
  }

  decline(entry: TaskEntry): Promise<boolean> {
    return this.#act(entry, 'decline');
  }

  checkIn(entry: TaskEntry): Promise<boolean> {
    return this.#act(entry, 'check-in');
  }

  checkOut(entry: TaskEntry): Promise<boolean> {
    return this.#act(entry, 'check-out');
  }

  async #act(entry: TaskEntry, action: VolunteerTaskAction): Promise<boolean> {
    const id = entry.task.id;
    if (this.busy.has(id)) return false;
    this.errors.delete(id);
    const needsPosition = action === 'check-in' || action === 'check-out';
    this.busy.set(id, needsPosition ? 'locating' : action);
    try {
      let body: Presence | Record<string, never> = {};
      if (needsPosition) {
        body = await currentPresence();
        this.busy.set(id, action);
      }
      const result = await volunteerApi.act(id, action, body);
      this.fresh.delete(id);
      if (result.task && result.assignment) {
        this.tasks = applyActionResult(this.tasks, {
          task: result.task,
          assignment: result.assignment,
        });
      } else {
        await this.reload();
      }
      if (action === 'check-out') this.#onCredited();
      // The push may never come while the socket is down.
      if (this.connection.state !== 'connected') void this.reload();
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        this.#endSession();
        return false;
      }
      this.errors.set(id, volunteerErrorMessage(error));
      // The task moved on (taken by someone else, expired, cancelled): show what it is now.
      if (error instanceof ApiError && (error.status === 409 || error.status === 404)) {
        this.busy.delete(id);
        await this.reload();
      }
      return false;
    } finally {
      this.busy.delete(id);
    }
  }

  #apply(payload: TaskEventPayload, live = true): void {
    if (this.#controller) this.#heardDuringSnapshot.push(payload);
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a snapshot for one call
    const answering = new Set(this.busy.keys());
    const result = applyTaskEvent(this.tasks, payload, this.#userId, answering);
    if (!result.changed && !result.refetch) return;
    const wasOffered = this.tasks.offers.some((entry) => entry.task.id === payload.task.id);
    this.tasks = result.tasks;
    if (
      live &&
      payload.type === 'task.offered' &&
      !wasOffered &&
      result.tasks.offers.some((entry) => entry.task.id === payload.task.id)
    ) {
      this.fresh.set(payload.task.id, true);
      // A short buzz on phones (ignored where vibration is not offered or not yet allowed).
      navigator.vibrate?.([120, 80, 120]);
    }
    this.#note(result.gone);
    if (result.credited) this.#onCredited();
    if (result.refetch) void this.reload();
  }

  #note(gone: readonly GoneOffer[]): void {
    if (gone.length === 0) return;
    const added = gone.map((offer) => ({ ...offer, id: ++this.#noteId }));
    for (const offer of gone) {
      this.fresh.delete(offer.taskId);
      this.errors.delete(offer.taskId);
    }
    this.notes = [
      ...this.notes.filter((note) => !gone.some((offer) => offer.taskId === note.taskId)),
      ...added,
    ];
    const timer = setTimeout(() => {
      this.#noteTimers.delete(timer);
      this.notes = this.notes.filter((note) => !added.includes(note));
    }, NOTE_MS);
    this.#noteTimers.add(timer);
  }

  readonly #onVisible = (): void => {
    if (document.visibilityState === 'visible' && this.#started) void this.reload();
  };

  #endSession(): void {
    if (this.#stopped) return;
    this.stop();
    this.tasks = EMPTY_TASKS;
    session.signedOut();
    this.#onSessionEnded();
  }
}
