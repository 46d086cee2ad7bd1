import type { LatLng } from '@gridline/core';
import { ApiError } from '../api/client.ts';
import { SEND_EVERY_MS, shouldSend, type Fix } from './position-throttle.ts';

/**
 * What the position line says:
 * - off: not on duty, nothing shared;
 * - locating: on duty, waiting for the first fix;
 * - sharing: fixes arrive and the server takes them;
 * - denied: the browser (or the user) refused geolocation;
 * - unavailable: no geolocation here, or no fix can be had;
 * - failing: fixes arrive but the server cannot be reached.
 */
export type SharingState = 'off' | 'locating' | 'sharing' | 'denied' | 'unavailable' | 'failing';

/** The duty switch and position report of a field user (grid member or volunteer). */
export interface DutyApi {
  duty(): Promise<{ onDuty: boolean }>;
  setDuty(onDuty: boolean): Promise<{ onDuty: boolean }>;
  location(report: { lat: number; lng: number; accuracy?: number }): Promise<unknown>;
}

/**
 * Duty and position sharing in the field: on duty, the browser's
 * watchPosition feeds the user's location route, throttled to one report
 * every 15 s standing still, at once after moving 50 m.
 */
export class FieldDuty {
  /** null until the server said. */
  onDuty = $state<boolean | null>(null);
  busy = $state(false);
  error = $state<unknown>(null);
  sharing = $state<SharingState>('off');
  /** When the server last took a position (epoch ms). */
  lastSentAt = $state<number | null>(null);
  /** The latest fix (also where a patrol report is filed). */
  lastFix = $state.raw<(LatLng & { accuracy: number | null; at: number }) | null>(null);

  #watchId: number | null = null;
  /** Standing still, watchPosition goes quiet: repeat the last fix so the position stays fresh. */
  #heartbeat: ReturnType<typeof setInterval> | null = null;
  #lastSent: Fix | null = null;
  #sending = false;
  #stopped = false;
  readonly #api: DutyApi;

  constructor(api: DutyApi) {
    this.#api = api;
  }

  /** Starts from what the profile said (no extra round trip). */
  init(onDuty: boolean): void {
    if (this.#stopped) return;
    this.onDuty = onDuty;
    if (onDuty) this.#watch();
    else this.#unwatch();
  }

  async load(): Promise<void> {
    try {
      const { onDuty } = await this.#api.duty();
      this.error = null;
      this.init(onDuty);
    } catch (error) {
      this.error = error;
    }
  }

  async toggle(): Promise<void> {
    if (this.busy || this.onDuty === null) return;
    await this.set(!this.onDuty);
  }

  async set(onDuty: boolean): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      const result = await this.#api.setDuty(onDuty);
      this.init(result.onDuty);
    } catch (error) {
      this.error = error;
    } finally {
      this.busy = false;
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#unwatch();
  }

  #watch(): void {
    if (this.#watchId !== null || this.#stopped) return;
    const geolocation = typeof navigator === 'undefined' ? undefined : navigator.geolocation;
    if (!geolocation) {
      this.sharing = 'unavailable';
      return;
    }
    this.sharing = 'locating';
    this.#lastSent = null;
    this.#watchId = geolocation.watchPosition(
      (position) => void this.#onFix(position),
      (error) => {
        if (error.code === error.PERMISSION_DENIED) {
          this.sharing = 'denied';
          this.#unwatch(false);
        } else if (this.sharing !== 'sharing') {
          // POSITION_UNAVAILABLE or TIMEOUT: the watch keeps trying.
          this.sharing = 'unavailable';
        }
      },
      { enableHighAccuracy: true, maximumAge: 10_000, timeout: 30_000 },
    );
    this.#heartbeat = setInterval(() => {
      if (this.lastFix) void this.#send({ ...this.lastFix, at: Date.now() });
    }, SEND_EVERY_MS);
  }

  #unwatch(resetState = true): void {
    if (this.#watchId !== null) navigator.geolocation.clearWatch(this.#watchId);
    this.#watchId = null;
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
    this.#lastSent = null;
    if (resetState) this.sharing = 'off';
  }

  async #onFix(position: GeolocationPosition): Promise<void> {
    const fix: Fix = {
      lat: position.coords.latitude,
      lng: position.coords.longitude,
      accuracy: Number.isFinite(position.coords.accuracy) ? position.coords.accuracy : null,
      at: Date.now(),
    };
    this.lastFix = fix;
    await this.#send(fix);
  }

  async #send(fix: Fix): Promise<void> {
    if (this.#sending || !shouldSend(this.#lastSent, fix)) return;
    this.#sending = true;
    try {
      await this.#api.location({
        lat: fix.lat,
        lng: fix.lng,
        ...(fix.accuracy === null ? {} : { accuracy: Math.min(fix.accuracy, 100_000) }),
      });
      this.#lastSent = fix;
      this.lastSentAt = fix.at;
      if (this.#watchId !== null) this.sharing = 'sharing';
    } catch (error) {
      if (error instanceof ApiError && (error.status === 409 || error.status === 403)) {
        // Off duty on the server (another device), or no longer allowed in the field.
        this.onDuty = false;
        this.error = error.status === 403 ? error : null;
        this.#unwatch();
        return;
      }
      this.sharing = 'failing';
    } finally {
      this.#sending = false;
    }
  }
}
