import type * as Leaflet from 'leaflet';
import type { RegionLevel } from '@gridline/core';
import { api } from '../../api/client.ts';
import type { RegionDto } from '../../api/types.ts';

type LeafletModule = typeof Leaflet;

/** Below this zoom grids are not drawn (a city holds thousands of them). */
export const GRID_MIN_ZOOM = 15;
/** At most this many communities' grids are fetched for one view. */
const MAX_GRID_FETCHES_PER_VIEW = 12;

const STYLES = {
  DISTRICT: { color: '#0f4c81', weight: 3, opacity: 0.75, fill: false },
  STREET: { color: '#3f6e99', weight: 2, opacity: 0.6, fill: false },
  COMMUNITY: {
    color: '#6d89a8',
    weight: 1,
    opacity: 0.9,
    fill: true,
    fillColor: '#0f4c81',
    fillOpacity: 0.05,
  },
  COMMUNITY_HOVER: { fillOpacity: 0.14 },
  GRID: {
    color: '#7d93ad',
    weight: 1,
    opacity: 0.9,
    dashArray: '4 3',
    fill: true,
    fillColor: '#ffffff',
    fillOpacity: 0.01,
  },
} satisfies Record<string, Leaflet.PathOptions>;

export interface RegionLayersOptions {
  pane: string;
  /** The region's name in the current language (read when a tooltip opens). */
  nameOf: (region: RegionDto) => string;
  /** Grids began or finished loading. */
  onGridLoading?: (loading: boolean) => void;
}

/**
 * The user's scope on the map: district and street outlines, community
 * polygons (hover and click), and the grids of a community once zoomed in
 * or clicked. Canvas-rendered in their own pane, under the ticket markers.
 */
export class RegionLayers {
  readonly #L: LeafletModule;
  readonly #map: Leaflet.Map;
  readonly #options: RegionLayersOptions;
  readonly #renderer: Leaflet.Renderer;
  readonly #communityGroup: Leaflet.LayerGroup;
  readonly #gridGroup: Leaflet.LayerGroup;
  readonly #outlineGroup: Leaflet.LayerGroup;
  readonly #communities = new Map<number, { region: RegionDto; layer: Leaflet.GeoJSON }>();
  readonly #gridsLoaded = new Set<number>();
  readonly #gridsLoading = new Set<number>();
  readonly #abort = new AbortController();
  #pendingGridFetches = 0;

  constructor(L: LeafletModule, map: Leaflet.Map, options: RegionLayersOptions) {
    this.#L = L;
    this.#map = map;
    this.#options = options;
    this.#renderer = L.canvas({ pane: options.pane, padding: 0.3 });
    // Drawing order in one canvas: community fills, then grids, then outlines on top.
    this.#communityGroup = L.layerGroup().addTo(map);
    this.#gridGroup = L.layerGroup().addTo(map);
    this.#outlineGroup = L.layerGroup().addTo(map);
    map.on('moveend', this.#onViewChange);
  }

  /** Loads districts, streets and communities; resolves to the bounds of the scope. */
  async load(): Promise<Leaflet.LatLngBounds | null> {
    const [districts, streets, communities] = await Promise.all([
      this.#fetch('DISTRICT'),
      this.#fetch('STREET'),
      this.#fetch('COMMUNITY'),
    ]);
    const bounds = this.#L.latLngBounds([]);
    for (const region of communities) {
      const layer = this.#polygon(region, STYLES.COMMUNITY, true);
      if (!layer) continue;
      layer.on('mouseover', () => layer.setStyle(STYLES.COMMUNITY_HOVER));
      layer.on('mouseout', () => layer.setStyle({ fillOpacity: STYLES.COMMUNITY.fillOpacity }));
      layer.on('click', () => this.#openCommunity(region.id));
      layer.addTo(this.#communityGroup);
      this.#communities.set(region.id, { region, layer });
      bounds.extend(layer.getBounds());
    }
    // Draw the outer levels last so that they stay visible over the fills.
    for (const region of [...streets, ...districts]) {
      const layer = this.#polygon(
        region,
        STYLES[region.level === 'STREET' ? 'STREET' : 'DISTRICT'],
      );
      if (!layer) continue;
      layer.addTo(this.#outlineGroup);
      if (this.#communities.size === 0) bounds.extend(layer.getBounds());
    }
    this.#onViewChange();
    return bounds.isValid() ? bounds : null;
  }

  destroy(): void {
    this.#abort.abort();
    this.#map.off('moveend', this.#onViewChange);
  }

  async #fetch(level: RegionLevel, parentId?: number): Promise<RegionDto[]> {
    const { regions } = await api.regions({ level, parentId }, this.#abort.signal);
    return regions;
  }

  #polygon(
    region: RegionDto,
    style: Leaflet.PathOptions,
    interactive = false,
  ): Leaflet.GeoJSON | null {
    if (!region.boundary) return null;
    const layer = this.#L.geoJSON(region.boundary, {
      pane: this.#options.pane,
      interactive,
      style: () => ({ ...style, renderer: this.#renderer }),
    });
    if (interactive) {
      layer.bindTooltip(() => textElement(this.#options.nameOf(region)), {
        sticky: true,
        direction: 'top',
        className: 'region-tooltip',
      });
    }
    return layer;
  }

  #openCommunity(id: number): void {
    const community = this.#communities.get(id);
    if (!community) return;
    const bounds = community.layer.getBounds();
    if (bounds.isValid()) {
      this.#map.fitBounds(bounds, { maxZoom: Math.max(GRID_MIN_ZOOM, this.#map.getZoom()) });
    }
    void this.#loadGrids([id]);
  }

  readonly #onViewChange = (): void => {
    if (this.#map.getZoom() < GRID_MIN_ZOOM) return;
    const view = this.#map.getBounds();
    const wanted: number[] = [];
    for (const [id, { layer }] of this.#communities) {
      if (this.#gridsLoaded.has(id) || this.#gridsLoading.has(id)) continue;
      if (view.intersects(layer.getBounds())) wanted.push(id);
      if (wanted.length >= MAX_GRID_FETCHES_PER_VIEW) break;
    }
    void this.#loadGrids(wanted);
  };

  async #loadGrids(communityIds: number[]): Promise<void> {
    const ids = communityIds.filter(
      (id) => !this.#gridsLoaded.has(id) && !this.#gridsLoading.has(id),
    );
    if (ids.length === 0) return;
    for (const id of ids) this.#gridsLoading.add(id);
    this.#setPending(ids.length);
    await Promise.all(
      ids.map(async (id) => {
        try {
          const grids = await this.#fetch('GRID', id);
          for (const grid of grids) this.#polygon(grid, STYLES.GRID, true)?.addTo(this.#gridGroup);
          this.#gridsLoaded.add(id);
        } catch {
          // Aborted (page left) or failed: the next view change tries again.
        } finally {
          this.#gridsLoading.delete(id);
          this.#setPending(-1);
        }
      }),
    );
  }

  #setPending(delta: number): void {
    const before = this.#pendingGridFetches;
    this.#pendingGridFetches += delta;
    if ((before === 0) !== (this.#pendingGridFetches === 0)) {
      this.#options.onGridLoading?.(this.#pendingGridFetches > 0);
    }
  }
}

/** Tooltip content as text, never as HTML. */
export function textElement(text: string, className?: string): HTMLElement {
  const element = document.createElement('span');
  if (className) element.className = className;
  element.textContent = text;
  return element;
}
