/** Scales and paths for the dashboard's hand-written SVG charts. */

/** The smallest 1, 2, 2.5 or 5 × 10^n at or above `value` (1 for nothing to show). */
export function niceCeiling(value: number): number {
  if (!Number.isFinite(value) || value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    const candidate = step * power;
    // Guard against 0.30000000000000004-style noise.
    if (candidate >= value - power * 1e-9) return candidate;
  }
  return 10 * power;
}

/**
 * Axis ticks from 0 to a nice maximum at or above `max`, about `count`
 * intervals, integers only when `integers` (counts of tickets).
 */
export function ticks(max: number, count = 4, integers = true): number[] {
  let step = niceCeiling(max / count);
  // Whole tickets: no step below 1, and 2.5 becomes 5.
  if (integers) step = step < 1 ? 1 : Number.isInteger(step) ? step : niceCeiling(step * 1.5);
  const top = Math.max(step, Math.ceil(max / step) * step);
  const values: number[] = [];
  for (let value = 0; value <= top + step / 2; value += step) values.push(value);
  return values;
}

/** Maps [d0, d1] linearly onto [r0, r1]; a zero-width domain maps to r0. */
export function linearScale(
  [d0, d1]: readonly [number, number],
  [r0, r1]: readonly [number, number],
): (value: number) => number {
  const span = d1 - d0;
  return (value) => (span === 0 ? r0 : r0 + ((value - d0) / span) * (r1 - r0));
}

export interface ChartPoint {
  x: number;
  y: number | null;
}

/** An SVG path through the points, broken where y is null (no data). */
export function linePath(points: readonly ChartPoint[]): string {
  let path = '';
  let drawing = false;
  for (const point of points) {
    if (point.y === null || !Number.isFinite(point.y)) {
      drawing = false;
      continue;
    }
    path += `${drawing ? 'L' : 'M'}${round(point.x)} ${round(point.y)}`;
    drawing = true;
  }
  return path;
}

/** Every n-th label index so that at most `max` labels show (always the first and the last). */
export function labelIndexes(length: number, max: number): number[] {
  if (length <= 0) return [];
  if (length <= max) return Array.from({ length }, (_, index) => index);
  const every = Math.ceil((length - 1) / Math.max(1, max - 1));
  const indexes: number[] = [];
  for (let index = 0; index < length - 1; index += every) indexes.push(index);
  if (length - 1 - indexes[indexes.length - 1]! < every / 2) indexes.pop();
  indexes.push(length - 1);
  return indexes;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
