import { distanceMetres, type LatLng } from '@gridline/core';

/** A browser position fix. */
export interface Fix extends LatLng {
  accuracy: number | null;
  /** Epoch ms. */
  at: number;
}

/** Report at most this often while standing still… */
export const SEND_EVERY_MS = 15_000;
/** …and at once after moving this far. */
export const SEND_AFTER_METRES = 50;

/** Whether a fix is worth reporting, given the last one the server took. */
export function shouldSend(last: Fix | null, next: Fix): boolean {
  if (last === null) return true;
  if (next.at - last.at >= SEND_EVERY_MS) return true;
  return distanceMetres(last, next) >= SEND_AFTER_METRES;
}
