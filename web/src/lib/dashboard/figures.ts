import type { Rate, RegionFigures, RegionStats } from '@gridline/core';

/** The rates a ranking can be sorted by, in the order the table shows them. */
export const RATE_KEYS = ['response', 'resolution', 'satisfaction', 'compliance'] as const;
export type RateKey = (typeof RATE_KEYS)[number];

export type SortKey = 'name' | 'created' | RateKey | 'openNow' | 'overdueNow';
export type SortDirection = 'asc' | 'desc';

/** A rate as a percentage with one decimal, or null when nothing was due. */
export function percent(rate: Rate): number | null {
  return rate.rate === null ? null : Math.round(rate.rate * 1000) / 10;
}

function sortValue(row: RegionStats, key: SortKey): number | string | null {
  switch (key) {
    case 'name':
      return row.region.code;
    case 'created':
      return row.figures.counts.created;
    case 'openNow':
      return row.current.open;
    case 'overdueNow':
      return row.current.overdue;
    default:
      return row.figures[key].rate;
  }
}

/**
 * Rows sorted by `key`; regions with no figure (null rate) always last, ties
 * by region code so that the order is stable.
 */
export function sortRows(
  rows: readonly RegionStats[],
  key: SortKey,
  direction: SortDirection,
): RegionStats[] {
  const sign = direction === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const left = sortValue(a, key);
    const right = sortValue(b, key);
    if (left !== right) {
      if (left === null) return 1;
      if (right === null) return -1;
      if (typeof left === 'string' || typeof right === 'string')
        return sign * String(left).localeCompare(String(right));
      return sign * (left - right);
    }
    return a.region.code.localeCompare(b.region.code);
  });
}

/** Minutes split for display: under an hour, minutes; under a day, hours and minutes; else days and hours. */
export function splitMinutes(
  minutes: number,
):
  | { unit: 'minutes'; minutes: number }
  | { unit: 'hours'; hours: number; minutes: number }
  | { unit: 'days'; days: number; hours: number } {
  if (minutes < 60) return { unit: 'minutes', minutes: Math.round(minutes * 10) / 10 };
  const total = Math.round(minutes);
  if (total < 24 * 60) return { unit: 'hours', hours: Math.floor(total / 60), minutes: total % 60 };
  return {
    unit: 'days',
    days: Math.floor(total / (24 * 60)),
    hours: Math.floor((total % (24 * 60)) / 60),
  };
}

export type { RegionFigures };

/** One line of a trend chart. */
export interface TrendSeries {
  key: string;
  label: string;
  /** A CSS colour (a custom property of the page's theme). */
  color: string;
  values: (number | null)[];
}
