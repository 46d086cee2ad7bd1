/**
 * The dashboard's statistics (GET /api/stats/overview and /api/stats/trend):
 * the three rates of rates.ts for a region and each of its children, deadline
 * compliance, averages, counts by category, and a trend by day or hour.
 *
 * Time zone. Periods and buckets are in Asia/Shanghai time (UTC+08:00 all
 * year, no daylight saving): "today" is 00:00-24:00 Beijing time, a week
 * starts on Monday, a month on the 1st, a day bucket at 00:00 Beijing time.
 * The API itself takes instants with a zone (`from`, `to`) and buckets them in
 * Beijing time.
 *
 * Cohort. Like the rates, every figure judges the tickets *created* in the
 * period (a trend bucket: created in the bucket) as of now.
 *
 * 时限达标率 deadline compliance = tickets that met every deadline that has
 *   fallen due / tickets with at least one deadline due. A deadline is met when
 *   the first acceptance was on time (if due for acceptance) and the first
 *   resolution was on time and the ticket is not overdue now (if due for
 *   resolution). Withdrawn tickets are left out, as for the rates.
 */
import { z } from 'zod';
import {
  addJudgement,
  emptyRateTotals,
  judgeTicket,
  rateOf,
  ratesFromTotals,
  MAX_RATES_PERIOD_DAYS,
  zonedDateTime,
  type Rate,
  type RatesPeriod,
  type RateTotals,
  type ThreeRates,
  type TicketHistory,
  type TicketJudgement,
} from './rates.ts';
import type { RegionLevel } from './regions.ts';

export const STATS_TIME_ZONE = 'Asia/Shanghai';
/** Asia/Shanghai is UTC+08:00 all year. */
export const SHANGHAI_OFFSET_MS = 8 * 60 * 60_000;
const DAY_MS = 24 * 60 * 60_000;
const HOUR_MS = 60 * 60_000;

// ---------------------------------------------------------------------------
// Figures

/** Everything the dashboard shows for one region. */
export interface RegionFigures extends ThreeRates {
  compliance: Rate;
}

/** Rate totals plus the compliance counts: what core and SQL both sum. */
export interface FigureTotals extends RateTotals {
  complianceDue: number;
  complianceMet: number;
}

export function emptyFigureTotals(): FigureTotals {
  return { ...emptyRateTotals(), complianceDue: 0, complianceMet: 0 };
}

/** Whether a judged ticket is due for compliance, and whether it met its deadlines. */
export function complianceOf(judgement: TicketJudgement): { due: boolean; met: boolean } {
  if (judgement.withdrawn) return { due: false, met: false };
  const due = judgement.acceptDue || judgement.resolveDue;
  const acceptMet = !judgement.acceptDue || judgement.acceptedOnTime;
  const resolveMet = !judgement.resolveDue || (judgement.firstResolveOnTime && !judgement.overdue);
  return { due, met: due && acceptMet && resolveMet };
}

export function addToFigureTotals(totals: FigureTotals, judgement: TicketJudgement): FigureTotals {
  addJudgement(totals, judgement);
  const compliance = complianceOf(judgement);
  if (compliance.due) totals.complianceDue++;
  if (compliance.met) totals.complianceMet++;
  return totals;
}

export function figuresFromTotals(totals: FigureTotals): RegionFigures {
  return {
    ...ratesFromTotals(totals),
    compliance: rateOf(totals.complianceMet, totals.complianceDue),
  };
}

/** The figures of the tickets created in [from, to), as of `asOf` (core's reference computation). */
export function computeFigures(
  histories: readonly TicketHistory[],
  period: RatesPeriod,
): RegionFigures {
  const totals = emptyFigureTotals();
  for (const ticket of histories) {
    const judgement = judgeTicket(ticket, period);
    if (judgement) addToFigureTotals(totals, judgement);
  }
  return figuresFromTotals(totals);
}

// ---------------------------------------------------------------------------
// Periods and buckets (Asia/Shanghai)

export const STATS_PERIODS = ['today', 'week', 'month', 'range'] as const;
export type StatsPeriodKind = (typeof STATS_PERIODS)[number];
export const TREND_BUCKETS = ['day', 'hour'] as const;
export type TrendBucket = (typeof TREND_BUCKETS)[number];

/** A calendar date in Beijing time, `YYYY-MM-DD`. */
export type CivilDate = string;

/** The instant of 00:00 Beijing time on the Beijing day containing `instant`. */
export function startOfShanghaiDay(instant: Date): Date {
  const local = instant.getTime() + SHANGHAI_OFFSET_MS;
  return new Date(local - (((local % DAY_MS) + DAY_MS) % DAY_MS) - SHANGHAI_OFFSET_MS);
}

/** `YYYY-MM-DD` of `instant` in Beijing time. */
export function shanghaiDate(instant: Date): CivilDate {
  return new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

const CIVIL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** 00:00 Beijing time of a `YYYY-MM-DD` date; null when not a real date. */
export function shanghaiMidnight(date: CivilDate): Date | null {
  const match = CIVIL_DATE.exec(date);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const utc = Date.UTC(year, month - 1, day);
  const check = new Date(utc);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1) return null;
  if (check.getUTCDate() !== day) return null;
  return new Date(utc - SHANGHAI_OFFSET_MS);
}

export interface StatsRange {
  from: Date;
  /** Exclusive. */
  to: Date;
}

/**
 * The instants of a named period around `now`: today; this week (Monday
 * 00:00 to next Monday); this month (the 1st to the next 1st); all in Beijing
 * time and ending at the period's end (figures are as of now anyway).
 */
export function periodRange(kind: Exclude<StatsPeriodKind, 'range'>, now: Date): StatsRange {
  const today = startOfShanghaiDay(now);
  if (kind === 'today') return { from: today, to: new Date(today.getTime() + DAY_MS) };
  if (kind === 'week') {
    // getUTCDay of the shifted instant is the Beijing weekday; 0 = Sunday.
    const weekday = new Date(today.getTime() + SHANGHAI_OFFSET_MS).getUTCDay();
    const sinceMonday = (weekday + 6) % 7;
    const from = new Date(today.getTime() - sinceMonday * DAY_MS);
    return { from, to: new Date(from.getTime() + 7 * DAY_MS) };
  }
  const local = new Date(today.getTime() + SHANGHAI_OFFSET_MS);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth();
  return {
    from: new Date(Date.UTC(year, month, 1) - SHANGHAI_OFFSET_MS),
    to: new Date(Date.UTC(year, month + 1, 1) - SHANGHAI_OFFSET_MS),
  };
}

/** A custom range of whole Beijing days, both dates included; null when invalid or reversed. */
export function customRange(first: CivilDate, last: CivilDate): StatsRange | null {
  const from = shanghaiMidnight(first);
  const lastMidnight = shanghaiMidnight(last);
  if (from === null || lastMidnight === null || lastMidnight < from) return null;
  const to = new Date(lastMidnight.getTime() + DAY_MS);
  if (to.getTime() - from.getTime() > MAX_RATES_PERIOD_DAYS * DAY_MS) return null;
  return { from, to };
}

/** The bucket a trend over [from, to) uses by default: hours up to two days, else days. */
export function defaultBucket(range: StatsRange): TrendBucket {
  return range.to.getTime() - range.from.getTime() <= 2 * DAY_MS ? 'hour' : 'day';
}

export const MAX_TREND_BUCKETS: Record<TrendBucket, number> = {
  hour: 31 * 24,
  day: MAX_RATES_PERIOD_DAYS,
};

/** The start of the bucket containing `instant` (Beijing day or hour). */
export function bucketStart(instant: Date, bucket: TrendBucket): Date {
  if (bucket === 'day') return startOfShanghaiDay(instant);
  const ms = instant.getTime();
  return new Date(ms - (((ms % HOUR_MS) + HOUR_MS) % HOUR_MS));
}

/** The starts of every bucket overlapping [from, to), oldest first. */
export function bucketStarts(range: StatsRange, bucket: TrendBucket): Date[] {
  const step = bucket === 'day' ? DAY_MS : HOUR_MS;
  const starts: Date[] = [];
  for (let at = bucketStart(range.from, bucket).getTime(); at < range.to.getTime(); at += step) {
    starts.push(new Date(at));
  }
  return starts;
}

// ---------------------------------------------------------------------------
// API contract

const statsQueryShape = {
  regionId: z.coerce.number().int().positive().max(2_147_483_647).optional(),
  from: zonedDateTime,
  to: zonedDateTime,
};

function checkSpan(
  query: { from?: unknown; to?: unknown },
  ctx: z.RefinementCtx,
  maxMs: number,
  what: string,
): void {
  if (!(query.from instanceof Date) || !(query.to instanceof Date)) return;
  const span = query.to.getTime() - query.from.getTime();
  if (span <= 0) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: '`to` must be after `from`' });
  } else if (span > maxMs) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: `the period may span at most ${what}` });
  }
}

/** Query of `GET /api/stats/overview`. */
export const statsOverviewQuerySchema = z
  .strictObject(statsQueryShape)
  .superRefine((query, ctx) =>
    checkSpan(query, ctx, MAX_RATES_PERIOD_DAYS * DAY_MS, `${MAX_RATES_PERIOD_DAYS} days`),
  );
export type StatsOverviewQuery = z.infer<typeof statsOverviewQuerySchema>;

/** Query of `GET /api/stats/trend`: hourly buckets over at most 31 days, daily over at most 366. */
export const statsTrendQuerySchema = z
  .strictObject({ ...statsQueryShape, bucket: z.enum(TREND_BUCKETS).default('day') })
  .superRefine((query, ctx) => {
    const hours = query.bucket === 'hour';
    checkSpan(
      query,
      ctx,
      hours ? MAX_TREND_BUCKETS.hour * HOUR_MS : MAX_TREND_BUCKETS.day * DAY_MS,
      hours ? '31 days of hourly buckets' : `${MAX_RATES_PERIOD_DAYS} days`,
    );
  });
export type StatsTrendQuery = z.infer<typeof statsTrendQuerySchema>;

export interface StatsRegion {
  id: number;
  code: string;
  name: string;
  nameEn: string | null;
  level: RegionLevel;
}

/** Open and overdue tickets right now (whenever created): the current load. */
export interface CurrentLoad {
  open: number;
  overdue: number;
}

export interface RegionStats {
  region: StatsRegion;
  figures: RegionFigures;
  current: CurrentLoad;
}

export interface CategoryStats {
  categoryCode: string;
  created: number;
  resolved: number;
  overdue: number;
}

/** `GET /api/stats/overview` answer. */
export interface StatsOverview {
  timeZone: typeof STATS_TIME_ZONE;
  from: string;
  to: string;
  asOf: string;
  /** The region itself (all its tickets, including those in no child, e.g. outside every grid). */
  total: RegionStats;
  /** Every child region (none for a grid), in code order. */
  children: RegionStats[];
  /** Categories with at least one ticket in the period, most tickets first. */
  categories: CategoryStats[];
}

export interface TrendPoint {
  /** Start of the bucket (ISO instant). */
  start: string;
  created: number;
  resolved: number;
  overdue: number;
  response: Rate;
  resolution: Rate;
  satisfaction: Rate;
}

/** `GET /api/stats/trend` answer: every bucket of [from, to), empty ones included. */
export interface StatsTrend {
  timeZone: typeof STATS_TIME_ZONE;
  regionId: number;
  from: string;
  to: string;
  asOf: string;
  bucket: TrendBucket;
  points: TrendPoint[];
}
