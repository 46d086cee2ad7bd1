import { api } from '../api/client.ts';
import type { RegionDto } from '../api/types.ts';
import { communityApi } from './api.ts';

/** What the point picker draws: the region's outline and, for a community, its grids. */
export interface Outlines {
  region: RegionDto | null;
  grids: RegionDto[];
}

const outlines = new Map<number, Promise<Outlines>>();
let tileUrl: Promise<string | null> | null = null;

/** The outlines of a region (cached for the page's life; regions change rarely). */
export function outlinesOf(regionId: number): Promise<Outlines> {
  let pending = outlines.get(regionId);
  if (!pending) {
    pending = (async () => {
      const { region } = await communityApi.region(regionId);
      if (region.level !== 'COMMUNITY') return { region, grids: [] };
      const { regions } = await communityApi.grids(regionId);
      return { region, grids: regions };
    })();
    pending.catch(() => outlines.delete(regionId));
    outlines.set(regionId, pending);
  }
  return pending;
}

/** The deployment's map tiles (none unless TILE_URL is set). */
export function mapTiles(): Promise<string | null> {
  tileUrl ??= api.config().then(
    (config) => config.tileUrl,
    () => null,
  );
  return tileUrl;
}
