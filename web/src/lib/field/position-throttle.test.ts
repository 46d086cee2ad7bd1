import { describe, expect, it } from 'vitest';
import { SEND_AFTER_METRES, SEND_EVERY_MS, shouldSend, type Fix } from './position-throttle.ts';

const at = (lat: number, lng: number, ms: number): Fix => ({ lat, lng, accuracy: 10, at: ms });

describe('shouldSend', () => {
  it('sends the first fix, then again only after the interval or the distance', () => {
    const first = at(41.1, 123.0, 0);
    expect(shouldSend(null, first)).toBe(true);
    // A few metres a moment later: not yet.
    expect(shouldSend(first, at(41.10001, 123.0, 1000))).toBe(false);
    // Standing still until the interval is up.
    expect(shouldSend(first, at(41.1, 123.0, SEND_EVERY_MS))).toBe(true);
    // Moved further than the distance (0.001° of latitude is about 111 m) at once.
    expect(SEND_AFTER_METRES).toBeLessThan(111);
    expect(shouldSend(first, at(41.101, 123.0, 1000))).toBe(true);
  });
});
