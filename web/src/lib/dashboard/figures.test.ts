import { describe, expect, it } from 'vitest';
import type { Rate, RegionStats } from '@gridline/core';
import { percent, sortRows, splitMinutes } from './figures.ts';

const rate = (numerator: number, denominator: number): Rate => ({
  rate: denominator === 0 ? null : numerator / denominator,
  numerator,
  denominator,
});

function row(code: string, response: Rate, created: number): RegionStats {
  const none = rate(0, 0);
  return {
    region: { id: Number(code), code, name: code, nameEn: null, level: 'STREET' },
    figures: {
      response,
      resolution: none,
      satisfaction: none,
      compliance: none,
      counts: {
        created,
        withdrawn: 0,
        accepted: 0,
        resolved: 0,
        reopened: 0,
        rated: 0,
        overdue: 0,
      },
      averages: { acceptMinutes: null, resolveMinutes: null },
    },
    current: { open: 0, overdue: 0 },
  };
}

describe('dashboard figures', () => {
  it('shows rates as percentages with one decimal, null when nothing was due', () => {
    expect(percent(rate(2, 3))).toBe(66.7);
    expect(percent(rate(1, 1))).toBe(100);
    expect(percent(rate(0, 0))).toBeNull();
  });

  it('sorts rows by a rate, regions without a figure last in both directions', () => {
    const rows = [row('3', rate(1, 2), 2), row('1', rate(0, 0), 0), row('2', rate(3, 4), 4)];
    expect(sortRows(rows, 'response', 'desc').map((r) => r.region.code)).toEqual(['2', '3', '1']);
    expect(sortRows(rows, 'response', 'asc').map((r) => r.region.code)).toEqual(['3', '2', '1']);
    expect(sortRows(rows, 'name', 'asc').map((r) => r.region.code)).toEqual(['1', '2', '3']);
    expect(sortRows(rows, 'created', 'desc').map((r) => r.region.code)).toEqual(['2', '3', '1']);
    // Ties keep code order.
    const tied = [row('b', rate(1, 2), 1), row('a', rate(2, 4), 1)];
    expect(sortRows(tied, 'response', 'desc').map((r) => r.region.code)).toEqual(['a', 'b']);
  });

  it('splits durations into minutes, hours or days', () => {
    expect(splitMinutes(12.34)).toEqual({ unit: 'minutes', minutes: 12.3 });
    expect(splitMinutes(125)).toEqual({ unit: 'hours', hours: 2, minutes: 5 });
    expect(splitMinutes(3 * 24 * 60 + 130)).toEqual({ unit: 'days', days: 3, hours: 2 });
  });
});
