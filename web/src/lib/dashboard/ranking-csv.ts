import type { RegionStats } from '@gridline/core';
import type { CsvValue } from './csv.ts';
import { percent, RATE_KEYS, type RateKey } from './figures.ts';

/** The column titles of the exported table, in the user's language. */
export interface RankingCsvLabels {
  region: string;
  code: string;
  created: string;
  /** Per rate: its name. */
  rates: Record<RateKey, string>;
  rate: (name: string) => string;
  numerator: (name: string) => string;
  denominator: (name: string) => string;
  avgAccept: string;
  avgResolve: string;
  openNow: string;
  overdueNow: string;
  total: string;
}

/** The ranking table as CSV rows: a header, the child regions in the order shown, the total. */
export function rankingCsvRows(
  rows: readonly RegionStats[],
  total: RegionStats,
  labels: RankingCsvLabels,
  nameOf: (row: RegionStats) => string,
): CsvValue[][] {
  const header: CsvValue[] = [labels.region, labels.code, labels.created];
  for (const key of RATE_KEYS) {
    const name = labels.rates[key];
    header.push(labels.rate(name), labels.numerator(name), labels.denominator(name));
  }
  header.push(labels.avgAccept, labels.avgResolve, labels.openNow, labels.overdueNow);
  const line = (row: RegionStats, name: string): CsvValue[] => {
    const values: CsvValue[] = [name, row.region.code, row.figures.counts.created];
    for (const key of RATE_KEYS) {
      const rate = row.figures[key];
      values.push(percent(rate), rate.numerator, rate.denominator);
    }
    values.push(
      row.figures.averages.acceptMinutes,
      row.figures.averages.resolveMinutes,
      row.current.open,
      row.current.overdue,
    );
    return values;
  };
  return [header, ...rows.map((row) => line(row, nameOf(row))), line(total, labels.total)];
}
