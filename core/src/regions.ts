export const REGION_LEVELS = ['CITY', 'DISTRICT', 'STREET', 'COMMUNITY', 'GRID'] as const;
export type RegionLevel = (typeof REGION_LEVELS)[number];

/** Depth in the tree: CITY 0 .. GRID 4. */
export function regionDepth(level: RegionLevel): number {
  return REGION_LEVELS.indexOf(level);
}

/** The regions that contain a ticket, as copied onto the ticket row. */
export interface RegionChain {
  gridId: number | null;
  communityId: number | null;
  streetId: number | null;
  districtId: number | null;
}
