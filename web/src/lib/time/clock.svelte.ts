import { createSubscriber } from 'svelte/reactivity';
import { clockOffsetMs } from '../api/client.ts';

/**
 * A ticking clock for countdowns: reading `now` inside an effect or template
 * subscribes to a one-second tick, which stops when nothing reads it.
 * Corrected by the server's clock (from the API's Date header) when they differ.
 */
export class Clock {
  readonly #subscribe: () => void;

  constructor(intervalMs = 1000) {
    this.#subscribe = createSubscriber((update) => {
      const id = setInterval(update, intervalMs);
      return () => clearInterval(id);
    });
  }

  /** Epoch milliseconds on the server's clock. */
  get now(): number {
    this.#subscribe();
    return Date.now() + clockOffsetMs();
  }
}

export const clock = new Clock();
