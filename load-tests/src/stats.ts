/** Percentile maths shared by the benchmark's phases. Pure. */

export interface Summary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/**
 * Nearest-rank percentile of an ascending array: the smallest value with at
 * least p% of the samples at or below it. NaN for an empty array.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  return sorted[Math.min(n, rank) - 1]!;
}

/** count, min, mean, p50, p95, p99 and max of the samples (any order); null when there are none. */
export function summarize(samples: ArrayLike<number>): Summary | null {
  const n = samples.length;
  if (n === 0) return null;
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: n,
    min: sorted[0]!,
    mean: sum / n,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[n - 1]!,
  };
}

/** The floor of a path made of two legs: the sum of the legs' percentiles (an upper bound for independent legs). */
export function addSummaries(a: Summary, b: Summary): Pick<Summary, 'p50' | 'p95' | 'p99'> {
  return { p50: a.p50 + b.p50, p95: a.p95 + b.p95, p99: a.p99 + b.p99 };
}

/** a / b, or null when either is missing or b is not positive. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  if (!Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return null;
  return a / b;
}

/** Nanoseconds (from process.hrtime.bigint differences) to milliseconds. */
export function nsToMs(ns: bigint): number {
  return Number(ns) / 1e6;
}

/**
 * Per-operation figures from batches: each batch ran `batchSize` operations
 * in `batchNs` nanoseconds; every batch contributes its mean.
 */
export function perOperation(batchNs: ArrayLike<bigint | number>, batchSize: number): number[] {
  if (!(batchSize > 0)) throw new RangeError('batchSize must be positive');
  const out: number[] = [];
  for (let i = 0; i < batchNs.length; i++) out.push(Number(batchNs[i]!) / batchSize);
  return out;
}

/**
 * perf_hooks' event-loop-delay histogram records whole timer intervals, the
 * sampling resolution included; the delay is what exceeds the resolution.
 */
export function loopDelayMs(percentileNs: number, resolutionMs: number): number {
  return Math.max(0, percentileNs / 1e6 - resolutionMs);
}

/**
 * The windows (of `windowMs`, by send time) holding the most samples over
 * `thresholdMs`, most first: whether a tail is one stall or spread thin.
 */
export function slowWindows(
  timeline: ReadonlyArray<{ sentMs: number; latencyMs: number }>,
  thresholdMs: number,
  windowMs: number,
): Array<{ startMs: number; slow: number; maxMs: number }> {
  const windows = new Map<number, { slow: number; maxMs: number }>();
  for (const { sentMs, latencyMs } of timeline) {
    if (latencyMs <= thresholdMs) continue;
    const start = Math.floor(sentMs / windowMs) * windowMs;
    const window = windows.get(start) ?? { slow: 0, maxMs: 0 };
    window.slow++;
    window.maxMs = Math.max(window.maxMs, latencyMs);
    windows.set(start, window);
  }
  return [...windows]
    .map(([startMs, window]) => ({ startMs, ...window }))
    .sort((a, b) => b.slow - a.slow || a.startMs - b.startMs);
}
