import { describe, expect, it } from 'vitest';
import {
  localInputToIso,
  toLocalInput,
  toZonedIso,
  wholeHourAfter,
  zoneOffset,
} from './datetime.ts';

describe('datetime-local values', () => {
  it('reads a value as local time and writes it with the zone', () => {
    const iso = localInputToIso('2026-03-05T14:30');
    expect(iso).toMatch(/^2026-03-05T14:30:00[+-]\d{2}:\d{2}$/);
    expect(Date.parse(iso!)).toBe(new Date(2026, 2, 5, 14, 30).getTime());
  });

  it('refuses what is not a real date and time', () => {
    expect(localInputToIso('')).toBeNull();
    expect(localInputToIso('2026-02-30T10:00')).toBeNull();
    expect(localInputToIso('2026-03-05T25:00')).toBeNull();
    expect(localInputToIso('05/03/2026 14:00')).toBeNull();
  });

  it('round-trips through the input format', () => {
    const date = new Date(2026, 10, 22, 9, 5);
    expect(toLocalInput(date)).toBe('2026-11-22T09:05');
    expect(Date.parse(localInputToIso(toLocalInput(date))!)).toBe(date.getTime());
  });

  it('writes the offset as ±hh:mm, never Z', () => {
    const date = new Date(2026, 0, 1, 0, 0);
    expect(zoneOffset(date)).toMatch(/^[+-]\d{2}:\d{2}$/);
    expect(toZonedIso(date).endsWith(zoneOffset(date))).toBe(true);
  });

  it('starts the default window at the next whole hour', () => {
    const next = wholeHourAfter(new Date(2026, 2, 5, 14, 30, 12), 0);
    expect(next.getTime()).toBe(new Date(2026, 2, 5, 15, 0, 0).getTime());
    expect(wholeHourAfter(new Date(2026, 2, 5, 23, 10), 1).getTime()).toBe(
      new Date(2026, 2, 6, 1, 0).getTime(),
    );
  });
});
