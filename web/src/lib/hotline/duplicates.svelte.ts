import type { LatLng } from '@gridline/core';
import { hotlineApi, type LikelyDuplicate, type TicketDetail } from './api.ts';

export interface DuplicateView extends LikelyDuplicate {
  /** Address and description when the ticket is in the call-taker's scope; null when not. */
  detail: TicketDetail | null;
}

export type DuplicateState = 'idle' | 'loading' | 'ready' | 'error';

const DEBOUNCE_MS = 350;

/**
 * Likely duplicates of the call being taken (or the report being written):
 * asked again (debounced) whenever the category or the point changes; an older
 * answer never overwrites a newer one.
 */
export class DuplicateWatch {
  state = $state<DuplicateState>('idle');
  items = $state.raw<DuplicateView[]>([]);

  /** `details`: also read each one's address and description (staff in scope only). */
  constructor(private readonly options: { details: boolean } = { details: true }) {}

  #timer: ReturnType<typeof setTimeout> | null = null;
  #abort: AbortController | null = null;
  #lastKey = '';

  update(categoryCode: string | null, point: LatLng | null): void {
    const key = categoryCode && point ? `${categoryCode}@${point.lat},${point.lng}` : '';
    if (key === this.#lastKey) return;
    this.#lastKey = key;
    this.#cancel();
    if (!categoryCode || !point) {
      this.state = 'idle';
      this.items = [];
      return;
    }
    this.state = 'loading';
    this.#timer = setTimeout(() => void this.#fetch(categoryCode, point), DEBOUNCE_MS);
  }

  stop(): void {
    this.#cancel();
  }

  #cancel(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#abort?.abort();
    this.#abort = null;
  }

  async #fetch(categoryCode: string, location: LatLng): Promise<void> {
    const abort = new AbortController();
    this.#abort = abort;
    try {
      const { duplicates } = await hotlineApi.duplicates({ categoryCode, location }, abort.signal);
      const details = this.options.details
        ? await Promise.allSettled(
            duplicates.map((duplicate) => hotlineApi.ticket(duplicate.id, abort.signal)),
          )
        : [];
      if (abort.signal.aborted) return;
      this.items = duplicates.map((duplicate, index) => {
        const result = details[index];
        return {
          ...duplicate,
          detail: result?.status === 'fulfilled' ? result.value.ticket : null,
        };
      });
      this.state = 'ready';
    } catch (error) {
      if (abort.signal.aborted || (error instanceof DOMException && error.name === 'AbortError'))
        return;
      this.items = [];
      this.state = 'error';
    }
  }
}

/** "5 分钟前" / "5 min ago" as a key and its parameters. */
export function ageParts(
  createdAt: string,
  now: number,
): {
  key: 'hotline.age.justNow' | 'hotline.age.minutes' | 'hotline.age.hours' | 'hotline.age.days';
  params: Record<string, number>;
} {
  const minutes = Math.max(0, Math.floor((now - Date.parse(createdAt)) / 60_000));
  if (minutes < 1) return { key: 'hotline.age.justNow', params: {} };
  if (minutes < 60) return { key: 'hotline.age.minutes', params: { minutes } };
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return { key: 'hotline.age.hours', params: { hours } };
  return { key: 'hotline.age.days', params: { days: Math.floor(hours / 24) } };
}
