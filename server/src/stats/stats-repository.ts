import {
  emptyFigureTotals,
  OPEN_STATUSES,
  STATS_TIME_ZONE,
  type FigureTotals,
  type RegionLevel,
  type TrendBucket,
} from '@gridline/core';
import type { PrismaClient } from '@gridline/db';

/** The ticket column holding a region of each level (the city has none: every ticket). */
const COLUMN_OF_LEVEL: Record<Exclude<RegionLevel, 'CITY'>, string> = {
  DISTRICT: 'district_id',
  STREET: 'street_id',
  COMMUNITY: 'community_id',
  GRID: 'grid_id',
};

/** The ticket column holding the child region of a region of each level (a grid has none). */
const CHILD_COLUMN_OF_LEVEL: Record<RegionLevel, string | null> = {
  CITY: 'district_id',
  DISTRICT: 'street_id',
  STREET: 'community_id',
  COMMUNITY: 'grid_id',
  GRID: null,
};

export interface StatsRegionRef {
  id: number;
  level: RegionLevel;
}

export interface StatsWindow {
  from: Date;
  to: Date;
  asOf: Date;
}

/** `tk.<column> = $1`, or TRUE for the city (parameter $1 is then unused but still typed). */
function regionCondition(region: StatsRegionRef): string {
  return region.level === 'CITY'
    ? '$1::int IS NOT NULL'
    : `tk.${COLUMN_OF_LEVEL[region.level]} = $1::int`;
}

function childExpression(region: StatsRegionRef): string {
  const column = CHILD_COLUMN_OF_LEVEL[region.level];
  return column === null ? 'NULL::int' : `tk.${column}`;
}

function bucketExpression(bucket: TrendBucket): string {
  // Asia/Shanghai is a whole number of hours from UTC: an hour bucket is the UTC hour.
  return bucket === 'hour'
    ? `date_trunc('hour', tk.created_at)`
    : `date_trunc('day', tk.created_at AT TIME ZONE '${STATS_TIME_ZONE}') AT TIME ZONE '${STATS_TIME_ZONE}'`;
}

/** An event's `onTime` flag: 1 true, 0 false, -1 absent or not a boolean. */
const ON_TIME_FLAG = `CASE WHEN jsonb_typeof(e.payload -> 'onTime') = 'boolean'
  THEN ((e.payload -> 'onTime')::boolean)::int ELSE -1 END`;

/**
 * Judges every ticket of the cohort in SQL, the way core's `judgeTicket`
 * (rates.ts) does from the timeline: parameters $1 region id, $2 from, $3 to
 * (exclusive), $4 asOf. Leaves one row per ticket in `judged` with the
 * grouping columns `child_id`, `category_id` and `bucket`.
 */
function judgedTicketsSql(region: StatsRegionRef, bucket: TrendBucket): string {
  return `
WITH t AS (
  SELECT tk.id, tk.created_at, tk.accept_by, tk.resolve_by, tk.category_id,
         ${childExpression(region)} AS child_id,
         ${bucketExpression(bucket)} AS bucket
  FROM tickets tk
  WHERE ${regionCondition(region)}
    AND tk.created_at >= $2::timestamptz AND tk.created_at < $3::timestamptz
    AND tk.created_at <= $4::timestamptz
),
timeline AS (
  -- One hash aggregate, no sorts and no joins back: min/max over [event id, …]
  -- arrays pick the first or last event of a kind with what is needed of it.
  SELECT e.ticket_id,
    max(ARRAY[e.id::bigint, CASE WHEN e.to_status IN ('CANCELLED', 'DUPLICATE') THEN 1
                                 WHEN e.to_status = 'PENDING' THEN 2 ELSE 0 END])
      FILTER (WHERE e.to_status IS NOT NULL) AS status_a,
    max(e.id) FILTER (WHERE e.to_status IS NOT NULL AND e.to_status <> 'PENDING') AS settled_id,
    min(ARRAY[e.id::bigint, (extract(epoch FROM e.created_at) * 1000)::bigint, ${ON_TIME_FLAG}])
      FILTER (WHERE e.type = 'ticket.accepted') AS accept_a,
    bool_or(e.type = 'ticket.escalated' AND e.payload ->> 'reason' = 'accept-deadline')
      AS missed_accept,
    min(ARRAY[e.id::bigint, (extract(epoch FROM e.created_at) * 1000)::bigint, ${ON_TIME_FLAG}])
      FILTER (WHERE e.type = 'ticket.resolved') AS resolve_a,
    max(e.id) FILTER (WHERE e.type = 'ticket.resolved') AS last_resolve_id,
    max(e.id) FILTER (WHERE e.type = 'ticket.reopened') AS last_reopen_id,
    max(ARRAY[e.id::bigint, CASE WHEN e.payload ->> 'rating' = 'GOOD' THEN 1 ELSE 0 END])
      FILTER (WHERE e.payload ->> 'action' = 'rated' AND e.payload ->> 'rating' IN ('GOOD', 'BAD'))
      AS rating_a
  FROM ticket_events e
  JOIN t ON t.id = e.ticket_id
  WHERE e.created_at <= $4::timestamptz
  GROUP BY e.ticket_id
),
pend AS (
  -- Tickets PENDING now: the first PENDING event after the last other status.
  SELECT e.ticket_id, min(ARRAY[e.id::bigint, (extract(epoch FROM e.created_at) * 1000)::bigint]) AS since_a
  FROM ticket_events e
  JOIN timeline tl ON tl.ticket_id = e.ticket_id AND tl.status_a[2] = 2
  WHERE e.to_status = 'PENDING' AND e.id > coalesce(tl.settled_id, 0)
    AND e.created_at <= $4::timestamptz
  GROUP BY e.ticket_id
),
base AS (
  -- Times as epoch milliseconds (exact: timestamps have millisecond precision).
  SELECT t.id, t.child_id, t.category_id, t.bucket,
    (extract(epoch FROM t.created_at) * 1000)::bigint AS created_ms,
    (extract(epoch FROM t.accept_by) * 1000)::bigint AS accept_by_ms,
    (extract(epoch FROM $4::timestamptz) * 1000)::bigint AS as_of_ms,
    tl.resolve_a[1] AS first_resolve_id, tl.last_resolve_id, tl.last_reopen_id,
    coalesce(tl.missed_accept, false) AS missed_accept,
    coalesce(tl.status_a[2] = 1, false) AS withdrawn,
    tl.accept_a[2] AS accept_ms_at, tl.accept_a[3] AS accept_flag,
    tl.resolve_a[2] AS resolve_ms_at, tl.resolve_a[3] AS resolve_flag,
    CASE tl.rating_a[2] WHEN 1 THEN 'GOOD' WHEN 0 THEN 'BAD' END AS rating,
    -- PENDING now: the resolve clock stopped when the current pending run began.
    CASE WHEN tl.status_a[2] = 2 AND t.resolve_by IS NOT NULL
      THEN (extract(epoch FROM t.resolve_by) * 1000)::bigint + (extract(epoch FROM $4::timestamptz) * 1000)::bigint - pend.since_a[2]
      ELSE (extract(epoch FROM t.resolve_by) * 1000)::bigint END AS resolve_by_ms
  FROM t
  LEFT JOIN timeline tl ON tl.ticket_id = t.id
  LEFT JOIN pend ON pend.ticket_id = t.id
),
flags AS (
  SELECT b.*,
    NOT b.withdrawn AND b.accept_ms_at IS NOT NULL AS accepted,
    NOT b.withdrawn AND (b.accept_ms_at IS NOT NULL OR CASE WHEN b.accept_by_ms IS NULL
      THEN b.missed_accept ELSE b.accept_by_ms < b.as_of_ms END) AS accept_due,
    NOT b.withdrawn AND b.accept_ms_at IS NOT NULL AND CASE WHEN b.accept_flag >= 0
      THEN b.accept_flag = 1 ELSE b.accept_by_ms IS NULL OR b.accept_ms_at <= b.accept_by_ms END
      AS accepted_on_time,
    NOT b.withdrawn AND b.first_resolve_id IS NOT NULL AS resolved,
    NOT b.withdrawn AND coalesce(b.last_reopen_id > b.first_resolve_id, false) AS reopened,
    NOT b.withdrawn AND b.first_resolve_id IS NOT NULL AND CASE WHEN b.resolve_flag >= 0
      THEN b.resolve_flag = 1 ELSE b.resolve_by_ms IS NULL OR b.resolve_ms_at <= b.resolve_by_ms END
      AS first_resolve_on_time,
    coalesce(b.resolve_by_ms < b.as_of_ms, false) AS resolve_passed,
    (b.last_resolve_id IS NULL OR coalesce(b.last_reopen_id > b.last_resolve_id, false)) AS unresolved
  FROM base b
),
judged AS (
  SELECT f.id, f.child_id, f.category_id, f.bucket, f.withdrawn, f.accepted, f.accept_due,
    f.accepted_on_time, f.resolved, f.reopened,
    NOT f.withdrawn AND (f.resolved OR f.resolve_passed) AS resolve_due,
    f.first_resolve_on_time AND NOT f.reopened AS resolved_on_time,
    f.first_resolve_on_time,
    NOT f.withdrawn AND f.unresolved AND f.resolve_passed AS overdue,
    CASE WHEN f.withdrawn THEN NULL ELSE f.rating END AS rating,
    CASE WHEN f.accepted THEN f.accept_ms_at - f.created_ms END AS accept_ms,
    CASE WHEN f.resolved THEN f.resolve_ms_at - f.created_ms END AS resolve_ms
  FROM flags f
),
scored AS (
  SELECT j.*,
    j.accept_due OR j.resolve_due AS compliance_due,
    (j.accept_due OR j.resolve_due)
      AND (NOT j.accept_due OR j.accepted_on_time)
      AND (NOT j.resolve_due OR (j.first_resolve_on_time AND NOT j.overdue)) AS compliance_met
  FROM judged j
)`;
}

/** The sums every group reports, named as FigureTotals' fields. */
const TOTALS_SELECT = `
  count(*)::int AS "created",
  count(*) FILTER (WHERE withdrawn)::int AS "withdrawn",
  count(*) FILTER (WHERE accepted)::int AS "accepted",
  count(*) FILTER (WHERE resolved)::int AS "resolved",
  count(*) FILTER (WHERE reopened)::int AS "reopened",
  count(*) FILTER (WHERE rating IS NOT NULL)::int AS "rated",
  count(*) FILTER (WHERE overdue)::int AS "overdue",
  count(*) FILTER (WHERE accept_due)::int AS "acceptDue",
  count(*) FILTER (WHERE accepted_on_time)::int AS "acceptedOnTime",
  count(*) FILTER (WHERE resolve_due)::int AS "resolveDue",
  count(*) FILTER (WHERE resolved_on_time)::int AS "resolvedOnTime",
  count(*) FILTER (WHERE rating = 'GOOD')::int AS "good",
  coalesce(sum(accept_ms), 0)::float8 AS "acceptMsSum",
  coalesce(sum(resolve_ms), 0)::float8 AS "resolveMsSum",
  count(*) FILTER (WHERE compliance_due)::int AS "complianceDue",
  count(*) FILTER (WHERE compliance_met)::int AS "complianceMet"`;

type TotalsRow = FigureTotals;

/** Totals by child region, by category and overall ($1 region id, $2 from, $3 to, $4 asOf). */
export function overviewSql(region: StatsRegionRef): string {
  return `${judgedTicketsSql(region, 'day')}
SELECT GROUPING(child_id)::int AS g_child, GROUPING(category_id)::int AS g_category,
       child_id, category_id, ${TOTALS_SELECT}
FROM scored
GROUP BY GROUPING SETS ((child_id), (category_id), ())`;
}

/** Totals by bucket of creation time (same parameters). */
export function trendSql(region: StatsRegionRef, bucket: TrendBucket): string {
  return `${judgedTicketsSql(region, bucket)}
SELECT bucket, ${TOTALS_SELECT}
FROM scored
GROUP BY bucket`;
}

function totalsOf(row: TotalsRow | undefined): FigureTotals {
  if (!row) return emptyFigureTotals();
  const totals = emptyFigureTotals();
  for (const key of Object.keys(totals) as (keyof FigureTotals)[]) totals[key] = Number(row[key]);
  return totals;
}

export interface OverviewTotals {
  total: FigureTotals;
  /** By child region id (children without tickets are absent). */
  byChild: Map<number, FigureTotals>;
  /** By category id. */
  byCategory: Map<number, FigureTotals>;
}

export interface LoadCounts {
  open: number;
  overdue: number;
}

const OPEN_LIST = OPEN_STATUSES.map((status) => `'${status}'`).join(', ');

/** The statistics queries: every figure aggregated in PostgreSQL. */
export class StatsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * One statement with JIT off: these queries' cost estimates cross the JIT
   * threshold, and compiling took longer (over a second) than running them.
   */
  private async query<T>(sql: string, ...params: unknown[]): Promise<T> {
    const [, rows] = await this.prisma.$transaction([
      this.prisma.$executeRawUnsafe('SET LOCAL jit = off'),
      this.prisma.$queryRawUnsafe<T>(sql, ...params),
    ]);
    return rows;
  }

  /** Totals of the region, of each child region and of each category, in one statement. */
  async overview(region: StatsRegionRef, window: StatsWindow): Promise<OverviewTotals> {
    const sql = overviewSql(region);
    const rows = await this.query<
      Array<
        TotalsRow & {
          g_child: number;
          g_category: number;
          child_id: number | null;
          category_id: number | null;
        }
      >
    >(sql, region.id, window.from, window.to, window.asOf);
    const result: OverviewTotals = {
      total: emptyFigureTotals(),
      byChild: new Map(),
      byCategory: new Map(),
    };
    for (const row of rows) {
      if (row.g_child === 1 && row.g_category === 1) result.total = totalsOf(row);
      else if (row.g_child === 0 && row.child_id !== null)
        result.byChild.set(row.child_id, totalsOf(row));
      else if (row.g_category === 0 && row.category_id !== null)
        result.byCategory.set(row.category_id, totalsOf(row));
    }
    return result;
  }

  /** Totals per bucket of creation time (Asia/Shanghai days or hours). */
  async trend(
    region: StatsRegionRef,
    window: StatsWindow,
    bucket: TrendBucket,
  ): Promise<Map<number, FigureTotals>> {
    const sql = trendSql(region, bucket);
    const rows = await this.query<Array<TotalsRow & { bucket: Date }>>(
      sql,
      region.id,
      window.from,
      window.to,
      window.asOf,
    );
    return new Map(rows.map((row) => [new Date(row.bucket).getTime(), totalsOf(row)]));
  }

  /** Open and overdue tickets now, whenever created: the region's and each child's. */
  async currentLoad(
    region: StatsRegionRef,
  ): Promise<{ total: LoadCounts; byChild: Map<number, LoadCounts> }> {
    const sql = `
SELECT GROUPING(${childExpression(region)})::int AS g_child, ${childExpression(region)} AS child_id,
       count(*)::int AS open, count(*) FILTER (WHERE tk.overdue)::int AS overdue
FROM tickets tk
WHERE ${regionCondition(region)} AND tk.status IN (${OPEN_LIST})
GROUP BY GROUPING SETS ((${childExpression(region)}), ())`;
    const rows = await this.prisma.$queryRawUnsafe<
      Array<{ g_child: number; child_id: number | null; open: number; overdue: number }>
    >(sql, region.id);
    let total: LoadCounts = { open: 0, overdue: 0 };
    const byChild = new Map<number, LoadCounts>();
    for (const row of rows) {
      const counts = { open: Number(row.open), overdue: Number(row.overdue) };
      if (row.g_child === 1) total = counts;
      else if (row.child_id !== null) byChild.set(row.child_id, counts);
    }
    return { total, byChild };
  }
}
