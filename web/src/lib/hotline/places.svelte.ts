import { polygonsOf, pointInPolygon, type LatLng } from '@gridline/core';
import { api } from '../api/client.ts';
import type { RegionDto } from '../api/types.ts';

/** The region whose boundary contains the point (edges count), if any. */
export function regionAt<R extends Pick<RegionDto, 'boundary'>>(
  regions: readonly R[],
  point: LatLng,
): R | null {
  for (const region of regions) {
    if (!region.boundary) continue;
    for (const polygon of polygonsOf(region.boundary)) {
      if (pointInPolygon(point.lng, point.lat, polygon) >= 0) return region;
    }
  }
  return null;
}

const bare = (name: string): string => name.replace(/(社区|居委会|村)$/, '');

/** Communities whose Chinese or English name contains the query, name-prefix matches first. */
export function searchRegions<R extends Pick<RegionDto, 'name' | 'nameEn'>>(
  regions: readonly R[],
  query: string,
  limit = 30,
): R[] {
  const needle = query.trim().toLowerCase();
  if (needle === '') return regions.slice(0, limit);
  const scored: Array<{ region: R; score: number }> = [];
  for (const region of regions) {
    const zh = region.name;
    const en = (region.nameEn ?? '').toLowerCase();
    const score = zh.startsWith(needle)
      ? 0
      : zh.includes(needle)
        ? 1
        : en.startsWith(needle)
          ? 2
          : en.includes(needle)
            ? 3
            : -1;
    if (score >= 0) scored.push({ region, score });
  }
  return scored
    .sort((a, b) => a.score - b.score)
    .slice(0, limit)
    .map((entry) => entry.region);
}

/** The community an address names ("健身社区12号楼" or "健身12号楼"), longest name first. */
export function regionMentionedIn<R extends Pick<RegionDto, 'name'>>(
  regions: readonly R[],
  address: string,
): R | null {
  const text = address.replace(/\s+/g, '');
  if (text.length < 2) return null;
  let best: R | null = null;
  let bestLength = 0;
  for (const region of regions) {
    for (const name of [region.name, bare(region.name)]) {
      if (name.length >= 2 && name.length > bestLength && text.includes(name)) {
        best = region;
        bestLength = name.length;
      }
    }
  }
  return best;
}

/** The communities in the call-taker's scope, and the grids of those looked at. */
export class Places {
  communities = $state.raw<RegionDto[]>([]);
  status = $state<'loading' | 'ready' | 'error'>('loading');
  // A cache of promises, never read reactively.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #grids = new Map<number, Promise<RegionDto[]>>();

  async load(): Promise<void> {
    this.status = 'loading';
    try {
      const { regions } = await api.regions({ level: 'COMMUNITY' });
      this.communities = regions;
      this.status = 'ready';
    } catch {
      this.status = 'error';
    }
  }

  /** The grids of one community, fetched once. */
  gridsOf(communityId: number): Promise<RegionDto[]> {
    let grids = this.#grids.get(communityId);
    if (!grids) {
      grids = api.regions({ level: 'GRID', parentId: communityId }).then(
        ({ regions }) => regions,
        (error: unknown) => {
          this.#grids.delete(communityId);
          throw error;
        },
      );
      this.#grids.set(communityId, grids);
    }
    return grids;
  }
}
