import type * as Leaflet from 'leaflet';
import type { FieldPosition } from '@gridline/core';
import { textElement } from './region-layers.ts';

type LeafletModule = typeof Leaflet;

const ROLE_COLORS: Record<FieldPosition['role'], { fill: string; stroke: string }> = {
  GRID_MEMBER: { fill: '#0e7490', stroke: '#ffffff' },
  VOLUNTEER: { fill: '#b45309', stroke: '#ffffff' },
};

export interface PositionMarkersOptions {
  pane: string;
  /** Tooltip lines for a person, in the current language (read when it opens). */
  describe: (position: FieldPosition) => string[];
}

/** On-duty staff as small canvas dots (white ring), moved in place as they report. */
export class PositionMarkers {
  readonly #L: LeafletModule;
  readonly #options: PositionMarkersOptions;
  readonly #renderer: Leaflet.Renderer;
  readonly #group: Leaflet.LayerGroup;
  readonly #entries = new Map<number, { marker: Leaflet.CircleMarker; position: FieldPosition }>();

  constructor(L: LeafletModule, map: Leaflet.Map, options: PositionMarkersOptions) {
    this.#L = L;
    this.#options = options;
    this.#renderer = L.canvas({ pane: options.pane, padding: 0.1, tolerance: 3 });
    this.#group = L.layerGroup().addTo(map);
  }

  get size(): number {
    return this.#entries.size;
  }

  sync(positions: readonly FieldPosition[], visible: boolean): void {
    const present = new Set<number>();
    if (visible) {
      for (const position of positions) {
        present.add(position.userId);
        const entry = this.#entries.get(position.userId);
        if (!entry) {
          this.#add(position);
          continue;
        }
        if (entry.position.lat !== position.lat || entry.position.lng !== position.lng) {
          entry.marker.setLatLng([position.lat, position.lng]);
        }
        entry.position = position;
      }
    }
    for (const [id, entry] of this.#entries) {
      if (present.has(id)) continue;
      entry.marker.remove();
      this.#entries.delete(id);
    }
  }

  refreshTooltips(): void {
    for (const { marker } of this.#entries.values()) {
      if (marker.isTooltipOpen()) marker.getTooltip()?.update();
    }
  }

  destroy(): void {
    this.#group.clearLayers();
    this.#entries.clear();
  }

  #add(position: FieldPosition): void {
    const colors = ROLE_COLORS[position.role];
    const marker = this.#L.circleMarker([position.lat, position.lng], {
      radius: 5,
      color: colors.stroke,
      weight: 2,
      fillColor: colors.fill,
      fillOpacity: 1,
      pane: this.#options.pane,
      renderer: this.#renderer,
      bubblingMouseEvents: false,
    });
    const entry = { marker, position };
    marker.bindTooltip(
      () => {
        const wrapper = document.createElement('div');
        this.#options.describe(entry.position).forEach((line, index) => {
          wrapper.append(
            textElement(line, index === 0 ? 'ticket-tooltip-title' : 'ticket-tooltip-line'),
          );
        });
        return wrapper;
      },
      { direction: 'top', offset: [0, -4], className: 'position-tooltip' },
    );
    marker.addTo(this.#group);
    this.#entries.set(position.userId, entry);
  }
}
