/**
 * Timer lateness maths: how the deadlines are spread, how late each fired,
 * and the workers' `gridline_timer_lateness_seconds` histogram. Pure.
 */

/** `count` deadlines, the k-th due at `firstMs + k * stepMs` (epoch ms, fractional allowed). */
export interface DueSpread {
  count: number;
  firstMs: number;
  stepMs: number;
}

/**
 * `count` deadlines spread evenly over [startMs, startMs + spanMs): each sits
 * in the middle of its slot, so none falls on the window's edges.
 */
export function spreadEvenly(count: number, startMs: number, spanMs: number): DueSpread {
  if (!Number.isInteger(count) || count < 0) throw new RangeError('count must be an integer >= 0');
  if (!(spanMs > 0)) throw new RangeError('spanMs must be positive');
  const stepMs = count > 0 ? spanMs / count : spanMs;
  return { count, firstMs: startMs + stepMs / 2, stepMs };
}

/**
 * Out of `total` pending deadlines: the measured sample, the warm-up due just
 * before it (not measured), and the background that only waits.
 */
export function splitTimers(
  total: number,
  sample: number,
  warmup = 0,
): { sample: number; warmup: number; background: number } {
  const measured = Math.max(0, Math.min(total, sample));
  const warming = Math.max(0, Math.min(total - measured, warmup));
  return { sample: measured, warmup: warming, background: total - measured - warming };
}

export interface Firing {
  /** The deadline the job was scheduled for (ISO string or Date). */
  dueAt: string | Date;
  /** When its effect was recorded (the `ticket.escalated` event's created_at). */
  firedAt: string | Date;
}

/** ms each firing came after its deadline (negative: early); unparsable pairs are skipped. */
export function latenessMs(firings: readonly Firing[]): number[] {
  const out: number[] = [];
  for (const firing of firings) {
    const due = new Date(firing.dueAt).getTime();
    const fired = new Date(firing.firedAt).getTime();
    if (Number.isFinite(due) && Number.isFinite(fired)) out.push(fired - due);
  }
  return out;
}

/** How many samples exceed `limit`. */
export function countAbove(samples: readonly number[], limit: number): number {
  let n = 0;
  for (const value of samples) if (value > limit) n++;
  return n;
}

/**
 * The worst lateness per second of the measurement window, by when the
 * deadline was due: `[second offset from windowStartMs, max ms]`, in order.
 * Shows whether the tail comes in bursts (a reconciler pass, a GC pause).
 */
export function worstBySecond(
  firings: readonly Firing[],
  windowStartMs: number,
): Array<[second: number, maxMs: number]> {
  const worst = new Map<number, number>();
  for (const firing of firings) {
    const due = new Date(firing.dueAt).getTime();
    const fired = new Date(firing.firedAt).getTime();
    if (!Number.isFinite(due) || !Number.isFinite(fired)) continue;
    const second = Math.floor((due - windowStartMs) / 1000);
    worst.set(second, Math.max(worst.get(second) ?? Number.NEGATIVE_INFINITY, fired - due));
  }
  return [...worst.entries()].sort((a, b) => a[0] - b[0]);
}

/** A Prometheus histogram of one label set: cumulative bucket counts by upper bound. */
export interface Histogram {
  /** Ascending by `le`; the last is +Inf. */
  buckets: Array<{ le: number; count: number }>;
  count: number;
  sum: number;
}

function parseLabels(text: string): Map<string, string> {
  const labels = new Map<string, string>();
  const pattern = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    labels.set(match[1]!, match[2]!.replace(/\\(.)/g, '$1'));
  }
  return labels;
}

function parseValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/**
 * The histogram `name` of the series whose labels include `labels`, from a
 * Prometheus text exposition; null when it has no such series.
 */
export function parseHistogram(
  text: string,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): Histogram | null {
  const buckets: Array<{ le: number; count: number }> = [];
  let count: number | null = null;
  let sum: number | null = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const [, series, labelText, valueText] = match;
    const seriesLabels = parseLabels(labelText ?? '');
    if (Object.entries(labels).some(([key, value]) => seriesLabels.get(key) !== value)) continue;
    const value = parseValue(valueText!);
    if (!Number.isFinite(value)) continue;
    if (series === `${name}_bucket`) {
      const le = parseValue(seriesLabels.get('le') ?? '');
      if (!Number.isNaN(le)) buckets.push({ le, count: value });
    } else if (series === `${name}_count`) {
      count = value;
    } else if (series === `${name}_sum`) {
      sum = value;
    }
  }
  if (buckets.length === 0 || count === null) return null;
  buckets.sort((a, b) => a.le - b.le);
  return { buckets, count, sum: sum ?? 0 };
}

/** What happened between two scrapes (`before` null: since the start). */
export function histogramDelta(after: Histogram, before: Histogram | null): Histogram {
  if (!before) return after;
  const earlier = new Map(before.buckets.map((bucket) => [bucket.le, bucket.count]));
  return {
    buckets: after.buckets.map((bucket) => ({
      le: bucket.le,
      count: bucket.count - (earlier.get(bucket.le) ?? 0),
    })),
    count: after.count - before.count,
    sum: after.sum - before.sum,
  };
}

/**
 * Upper bound of the q-quantile (0..1, nearest rank): the `le` of the first
 * bucket holding at least ceil(q * count) observations; +Infinity when only
 * the +Inf bucket does, null without observations.
 */
export function histogramQuantileBound(histogram: Histogram, q: number): number | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`q must be within 0..1, got ${q}`);
  if (histogram.count <= 0) return null;
  const rank = Math.max(1, Math.ceil(q * histogram.count));
  for (const bucket of histogram.buckets) if (bucket.count >= rank) return bucket.le;
  return Number.POSITIVE_INFINITY;
}

/** Share (0..1) of observations at or below the bucket bound `le`; null without observations or such a bucket. */
export function shareAtOrBelow(histogram: Histogram, le: number): number | null {
  if (histogram.count <= 0) return null;
  const bucket = histogram.buckets.find((candidate) => candidate.le === le);
  return bucket ? bucket.count / histogram.count : null;
}

/** Calls and time Redis spent in Lua scripts (EVAL, EVALSHA and their _RO forms) so far, from INFO commandstats. */
export function scriptCounters(info: string): { calls: number; usec: number } {
  let calls = 0;
  let usec = 0;
  for (const match of info.matchAll(
    /^cmdstat_(?:eval|evalsha|eval_ro|evalsha_ro):calls=(\d+),usec=(\d+)/gm,
  )) {
    calls += Number(match[1]);
    usec += Number(match[2]);
  }
  return { calls, usec };
}

export interface ScriptSample {
  atMs: number;
  calls: number;
  usec: number;
}

export interface ScriptInterval {
  startMs: number;
  endMs: number;
  callsPerSecond: number;
  /** Share (0..1) of the interval Redis spent running scripts. */
  busyShare: number;
}

/** Rates between consecutive samples (ascending by time); counter resets give no interval. */
export function scriptIntervals(samples: readonly ScriptSample[]): ScriptInterval[] {
  const out: ScriptInterval[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const ms = b.atMs - a.atMs;
    if (ms <= 0 || b.calls < a.calls || b.usec < a.usec) continue;
    out.push({
      startMs: a.atMs,
      endMs: b.atMs,
      callsPerSecond: ((b.calls - a.calls) * 1000) / ms,
      busyShare: (b.usec - a.usec) / 1000 / ms,
    });
  }
  return out;
}

/** Merges the intervals running at least `minCallsPerSecond` scripts into spans [startMs, endMs]. */
export function busySpans(
  intervals: readonly ScriptInterval[],
  minCallsPerSecond: number,
): Array<[startMs: number, endMs: number]> {
  const spans: Array<[number, number]> = [];
  for (const interval of intervals) {
    if (interval.callsPerSecond < minCallsPerSecond) continue;
    const last = spans.at(-1);
    if (last && interval.startMs <= last[1]) last[1] = Math.max(last[1], interval.endMs);
    else spans.push([interval.startMs, interval.endMs]);
  }
  return spans;
}

/** Lateness of the firings due inside any span, and of the rest. */
export function splitBySpans(
  firings: readonly Firing[],
  spans: ReadonlyArray<readonly [number, number]>,
): { inside: number[]; outside: number[] } {
  const inside: number[] = [];
  const outside: number[] = [];
  for (const firing of firings) {
    const due = new Date(firing.dueAt).getTime();
    const fired = new Date(firing.firedAt).getTime();
    if (!Number.isFinite(due) || !Number.isFinite(fired)) continue;
    const within = spans.some(([start, end]) => due >= start && due <= end);
    (within ? inside : outside).push(fired - due);
  }
  return { inside, outside };
}
