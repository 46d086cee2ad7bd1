import type * as Leaflet from 'leaflet';
import type { RegionLevel } from '@gridline/core';
import { api } from '../../api/client.ts';
import type { RegionDto } from '../../api/types.ts';
import { dispatchApi, type RegionLoad } from '../api.ts';
import { maxOpenOf, shadeFor } from '../region-shading.ts';

type LeafletModule = typeof Leaflet;

/** The level below each level (grids have none). */
export const CHILD_LEVEL: Record<RegionLevel, Exclude<RegionLevel, 'CITY'> | null> = {
  CITY: 'DISTRICT',
  DISTRICT: 'STREET',
  STREET: 'COMMUNITY',
  COMMUNITY: 'GRID',
  GRID: null,
};

const OUTLINE: Leaflet.PathOptions = {
  color: '#0f4c81',
  weight: 3,
  opacity: 0.8,
  fill: false,
};

export interface RegionLayersOptions {
  pane: string;
  /** The region's name in the current language (read when a tooltip opens). */
  nameOf: (region: RegionDto) => string;
  /** Tooltip text of a region with its load, in the current language. */
  describe: (region: RegionDto, load: RegionLoad | undefined) => string;
  /** The drill-down path changed (home region first) or its children arrived. */
  onChange?: (path: readonly RegionDto[], children: readonly RegionDto[]) => void;
  onLoading?: (loading: boolean) => void;
}

/**
 * The dispatcher's regions on the map, one level at a time: the children of
 * the focused region (districts of the city, streets of a district,
 * communities of a street, grids of a community), each shaded by its open
 * and overdue tickets; clicking one drills into it.
 */
export class RegionLayers {
  readonly #L: LeafletModule;
  readonly #map: Leaflet.Map;
  readonly #options: RegionLayersOptions;
  readonly #renderer: Leaflet.Renderer;
  readonly #fillGroup: Leaflet.LayerGroup;
  readonly #outlineGroup: Leaflet.LayerGroup;
  readonly #abort = new AbortController();
  readonly #layers = new Map<number, { region: RegionDto; layer: Leaflet.GeoJSON }>();
  #path: RegionDto[] = [];
  #children: RegionDto[] = [];
  #load = new Map<number, RegionLoad>();
  #showToken = 0;
  #loadToken = 0;
  /** The zoom the shown level was fitted at; far beyond it the fills fade so tickets stay legible. */
  #levelZoom: number | null = null;
  #faded = false;

  constructor(L: LeafletModule, map: Leaflet.Map, options: RegionLayersOptions) {
    this.#L = L;
    this.#map = map;
    this.#options = options;
    this.#renderer = L.canvas({ pane: options.pane, padding: 0.1 });
    this.#fillGroup = L.layerGroup().addTo(map);
    this.#outlineGroup = L.layerGroup().addTo(map);
    map.on('zoomend', this.#onZoom);
  }

  get path(): readonly RegionDto[] {
    return this.#path;
  }

  get children(): readonly RegionDto[] {
    return this.#children;
  }

  /** Starts at the user's home region; resolves to the bounds shown (null when none). */
  async start(homeRegionId: number | null): Promise<Leaflet.LatLngBounds | null> {
    let home: RegionDto | undefined;
    if (homeRegionId !== null) {
      home = (await dispatchApi.region(homeRegionId, this.#abort.signal)).region;
    } else {
      home = (await api.regions({ level: 'CITY' }, this.#abort.signal)).regions[0];
    }
    if (!home) return null;
    this.#path = [home];
    return this.#show();
  }

  /** Drill into a child of the focused region. */
  async drillInto(regionId: number): Promise<void> {
    const child = this.#children.find((region) => region.id === regionId);
    if (!child || CHILD_LEVEL[child.level] === null) {
      if (child) this.#fit(this.#layers.get(child.id)?.layer.getBounds() ?? null);
      return;
    }
    this.#path = [...this.#path, child];
    this.#fit(await this.#show());
  }

  /** Go back up to the region at `index` of the path (0 = home). */
  async goTo(index: number): Promise<void> {
    if (index < 0 || index >= this.#path.length - 1) return;
    this.#path = this.#path.slice(0, index + 1);
    this.#fit(await this.#show());
  }

  /** Re-read the open and overdue counts of the regions shown and reshade them. */
  async refreshLoad(): Promise<void> {
    const focus = this.#path.at(-1);
    if (!focus) return;
    const level = CHILD_LEVEL[focus.level];
    const token = ++this.#loadToken;
    const { load } = level
      ? await dispatchApi.regionLoad(level, focus.id, this.#abort.signal)
      : await dispatchApi.regionLoad('GRID', focus.parentId ?? undefined, this.#abort.signal);
    if (token !== this.#loadToken) return;
    this.#load = new Map(load.map((entry) => [entry.regionId, entry]));
    this.#restyle();
  }

  loadOf(regionId: number): RegionLoad | undefined {
    return this.#load.get(regionId);
  }

  destroy(): void {
    this.#map.off('zoomend', this.#onZoom);
    this.#abort.abort();
    this.#fillGroup.clearLayers();
    this.#outlineGroup.clearLayers();
  }

  async #show(): Promise<Leaflet.LatLngBounds | null> {
    const focus = this.#path.at(-1);
    if (!focus) return null;
    const token = ++this.#showToken;
    this.#options.onLoading?.(true);
    try {
      const level = CHILD_LEVEL[focus.level];
      const children = level
        ? (await api.regions({ level, parentId: focus.id }, this.#abort.signal)).regions
        : [focus];
      if (token !== this.#showToken) return null;
      this.#children = children;
      this.#fillGroup.clearLayers();
      this.#outlineGroup.clearLayers();
      this.#layers.clear();
      const bounds = this.#L.latLngBounds([]);
      for (const region of children) {
        const layer = this.#polygon(region);
        if (!layer) continue;
        layer.addTo(this.#fillGroup);
        this.#layers.set(region.id, { region, layer });
        bounds.extend(layer.getBounds());
      }
      if (focus.boundary && level) {
        const outline = this.#L.geoJSON(focus.boundary, {
          pane: this.#options.pane,
          interactive: false,
          style: () => ({ ...OUTLINE, renderer: this.#renderer }),
        });
        outline.addTo(this.#outlineGroup);
        if (!bounds.isValid()) bounds.extend(outline.getBounds());
      }
      this.#options.onChange?.(this.#path, this.#children);
      void this.refreshLoad().catch(() => undefined);
      return bounds.isValid() ? bounds : null;
    } finally {
      if (token === this.#showToken) this.#options.onLoading?.(false);
    }
  }

  #polygon(region: RegionDto): Leaflet.GeoJSON | null {
    if (!region.boundary) return null;
    const drillable = CHILD_LEVEL[region.level] !== null;
    const layer = this.#L.geoJSON(region.boundary, {
      pane: this.#options.pane,
      interactive: true,
      style: () => ({
        ...this.#styleOf(region.id),
        renderer: this.#renderer,
        dashArray: region.level === 'GRID' ? '4 3' : undefined,
      }),
    });
    layer.bindTooltip(
      () => textElement(this.#options.describe(region, this.#load.get(region.id))),
      { sticky: true, direction: 'top', className: 'region-tooltip' },
    );
    layer.on('mouseover', () => layer.setStyle({ weight: 3 }));
    layer.on('mouseout', () => layer.setStyle({ weight: this.#styleOf(region.id).weight }));
    if (drillable) layer.on('click', () => void this.drillInto(region.id));
    return layer;
  }

  #styleOf(regionId: number): Leaflet.PathOptions {
    const shade = shadeFor(this.#load.get(regionId), maxOpenOf(this.#load.values()));
    const fillOpacity = this.#faded ? Math.min(shade.fillOpacity, 0.08) : shade.fillOpacity;
    return { ...shade, fillOpacity, opacity: 0.9, fill: true };
  }

  #restyle(): void {
    for (const [id, { layer }] of this.#layers) {
      layer.setStyle(this.#styleOf(id));
      if (layer.isTooltipOpen()) layer.getTooltip()?.update();
    }
    this.#options.onChange?.(this.#path, this.#children);
  }

  #fit(bounds: Leaflet.LatLngBounds | null): void {
    if (!bounds) return;
    this.#levelZoom = this.#map.getBoundsZoom(bounds, false, this.#L.point(32, 32));
    this.#map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 });
  }

  /** Remember the zoom that shows the whole level (the first fit happens outside). */
  noteFitted(): void {
    this.#levelZoom = this.#map.getZoom();
    this.#onZoom();
  }

  readonly #onZoom = (): void => {
    const faded = this.#levelZoom !== null && this.#map.getZoom() >= this.#levelZoom + 3;
    if (faded === this.#faded) return;
    this.#faded = faded;
    this.#restyle();
  };
}

/** Tooltip content as text, never as HTML. */
export function textElement(text: string, className?: string): HTMLElement {
  const element = document.createElement('span');
  if (className) element.className = className;
  element.textContent = text;
  return element;
}
