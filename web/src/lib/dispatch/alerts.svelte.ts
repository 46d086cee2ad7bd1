import { pushAlert, type DispatchAlert } from './alerts.ts';

const MUTE_KEY = 'gridline.dispatch.muted';
/** Alerts stay this long unless dismissed. */
const ALERT_TTL_MS = 60_000;

type AudioContextConstructor = typeof AudioContext;

/**
 * The visible and audible alerts of the dispatcher's page. Browsers allow
 * sound only after a user gesture: the audio context is created at the first
 * pointer or key press, and alerts before that are only shown.
 */
export class DispatchAlerts {
  alerts = $state.raw<readonly DispatchAlert[]>([]);
  muted = $state(readMuted());
  /** True once the browser lets the page play sound. */
  soundReady = $state(false);

  #context: AudioContext | null = null;
  // Timers, not state: nothing renders from this map.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #timers = new Map<number, ReturnType<typeof setTimeout>>();
  #lastBeep = 0;

  /** Listen for the first user gesture; returns the cleanup. */
  attach(): () => void {
    const unlock = (): void => {
      this.#unlock();
      window.removeEventListener('pointerdown', unlock, true);
      window.removeEventListener('keydown', unlock, true);
    };
    window.addEventListener('pointerdown', unlock, true);
    window.addEventListener('keydown', unlock, true);
    return () => {
      window.removeEventListener('pointerdown', unlock, true);
      window.removeEventListener('keydown', unlock, true);
      for (const timer of this.#timers.values()) clearTimeout(timer);
      this.#timers.clear();
      void this.#context?.close().catch(() => undefined);
      this.#context = null;
    };
  }

  raise(alert: DispatchAlert): void {
    this.alerts = pushAlert(this.alerts, alert);
    const timer = setTimeout(() => this.dismiss(alert.id), ALERT_TTL_MS);
    this.#timers.set(alert.id, timer);
    this.beep(alert.kind === 'escalated' ? 2 : 1);
  }

  dismiss(id: number): void {
    const timer = this.#timers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    this.#timers.delete(id);
    this.alerts = this.alerts.filter((alert) => alert.id !== id);
  }

  dismissAll(): void {
    for (const alert of this.alerts) this.dismiss(alert.id);
  }

  toggleMute(): void {
    this.muted = !this.muted;
    try {
      localStorage.setItem(MUTE_KEY, this.muted ? '1' : '0');
    } catch {
      // Storage unavailable: the choice lasts for this page.
    }
  }

  /** A short synthesized beep (or two); silent when muted or before the first gesture. */
  beep(times = 1): void {
    const context = this.#context;
    if (this.muted || !context || context.state !== 'running') return;
    const now = context.currentTime;
    // Many alerts at once make one sound.
    if (now - this.#lastBeep < 0.8) return;
    this.#lastBeep = now;
    for (let index = 0; index < times; index++) {
      const start = now + index * 0.22;
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = 'sine';
      oscillator.frequency.setValueAtTime(index === 0 ? 880 : 660, start);
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.16);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(start);
      oscillator.stop(start + 0.18);
    }
  }

  #unlock(): void {
    const Constructor = (window as unknown as { AudioContext?: AudioContextConstructor })
      .AudioContext;
    if (!Constructor) return;
    try {
      this.#context ??= new Constructor();
      void this.#context.resume().then(() => {
        this.soundReady = this.#context?.state === 'running';
      });
    } catch {
      this.#context = null;
    }
  }
}

function readMuted(): boolean {
  try {
    return globalThis.localStorage?.getItem(MUTE_KEY) === '1';
  } catch {
    return false;
  }
}
