import type { StatsOverview, StatsTrend, TrendBucket } from '@gridline/core';
import { request } from '../api/client.ts';

export interface StatsParams {
  /** Omitted: the caller's home region. */
  regionId?: number;
  from: Date;
  to: Date;
}

function query(params: StatsParams, extra: Record<string, string> = {}): string {
  const search = new URLSearchParams({
    from: params.from.toISOString(),
    to: params.to.toISOString(),
    ...extra,
  });
  if (params.regionId !== undefined) search.set('regionId', String(params.regionId));
  return search.toString();
}

/** The dashboard's API: `GET /api/stats/overview` and `GET /api/stats/trend`. */
export const statsApi = {
  overview: (params: StatsParams, signal?: AbortSignal) =>
    request<StatsOverview>(`/api/stats/overview?${query(params)}`, { signal }),
  trend: (params: StatsParams, bucket: TrendBucket, signal?: AbortSignal) =>
    request<StatsTrend>(`/api/stats/trend?${query(params, { bucket })}`, { signal }),
};
