/**
 * How a region polygon is shaded by its load: blue deepening with the number
 * of open tickets (relative to the busiest sibling), red once any is overdue,
 * deepening with the overdue share. Pure: the map and the tests share it.
 */
export interface LoadCounts {
  open: number;
  overdue: number;
}

export interface RegionShade {
  fillColor: string;
  fillOpacity: number;
  /** Stroke colour: red outlines call out regions with overdue tickets. */
  color: string;
  weight: number;
}

export const SHADE_COLORS = {
  idle: '#0f4c81',
  busy: '#0f4c81',
  overdue: '#d93025',
  stroke: '#4a6a8c',
  overdueStroke: '#a8231a',
} as const;

const MIN_OPACITY = 0.04;
const MAX_OPACITY = 0.5;

export function shadeFor(load: LoadCounts | undefined, maxOpen: number): RegionShade {
  const open = Math.max(0, load?.open ?? 0);
  const overdue = Math.min(open, Math.max(0, load?.overdue ?? 0));
  if (open === 0) {
    return {
      fillColor: SHADE_COLORS.idle,
      fillOpacity: MIN_OPACITY,
      color: SHADE_COLORS.stroke,
      weight: 1,
    };
  }
  if (overdue > 0) {
    const share = overdue / open;
    return {
      fillColor: SHADE_COLORS.overdue,
      fillOpacity: round(0.2 + (MAX_OPACITY - 0.2) * Math.min(1, share)),
      color: SHADE_COLORS.overdueStroke,
      weight: 2,
    };
  }
  const relative = maxOpen > 0 ? Math.min(1, open / maxOpen) : 1;
  return {
    fillColor: SHADE_COLORS.busy,
    fillOpacity: round(0.1 + (MAX_OPACITY - 0.1 - 0.1) * Math.sqrt(relative)),
    color: SHADE_COLORS.stroke,
    weight: 1,
  };
}

/** The busiest region's open count among `loads` (at least 1). */
export function maxOpenOf(loads: Iterable<LoadCounts>): number {
  let max = 1;
  for (const load of loads) if (load.open > max) max = load.open;
  return max;
}

const round = (value: number): number => Math.round(value * 1000) / 1000;
