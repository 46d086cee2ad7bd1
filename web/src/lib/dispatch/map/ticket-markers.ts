import type * as Leaflet from 'leaflet';
import type { TicketSummary } from '@gridline/core';
import { urgencyOf, type Urgency } from '../ticket-board.ts';
import { PRIORITY_RADIUS, URGENCY_COLORS } from '../urgency-style.ts';
import { textElement } from './region-layers.ts';

type LeafletModule = typeof Leaflet;

interface MarkerEntry {
  marker: Leaflet.CircleMarker;
  ticket: TicketSummary;
  /** What the current style was computed from; restyle only when it changes. */
  styleKey: string;
}

export interface TicketMarkersOptions {
  pane: string;
  onSelect: (id: number) => void;
  /** Tooltip lines for a ticket, in the current language (read when it opens). */
  describe: (ticket: TicketSummary) => string[];
}

/**
 * One canvas circle marker per open ticket, coloured by urgency and sized by
 * priority; kept in step with the board by `sync` (add, restyle, remove).
 */
export class TicketMarkers {
  readonly #L: LeafletModule;
  readonly #map: Leaflet.Map;
  readonly #options: TicketMarkersOptions;
  readonly #renderer: Leaflet.Renderer;
  readonly #group: Leaflet.LayerGroup;
  readonly #entries = new Map<number, MarkerEntry>();
  #focusedId: number | null = null;

  constructor(L: LeafletModule, map: Leaflet.Map, options: TicketMarkersOptions) {
    this.#L = L;
    this.#map = map;
    this.#options = options;
    this.#renderer = L.canvas({ pane: options.pane, padding: 0.3, tolerance: 4 });
    this.#group = L.layerGroup().addTo(map);
  }

  get size(): number {
    return this.#entries.size;
  }

  sync(
    tickets: readonly TicketSummary[],
    now: number,
    dueSoonMs: number,
    selectedId: number | null,
  ): void {
    const present = new Set<number>();
    for (const ticket of tickets) {
      present.add(ticket.id);
      const urgency = urgencyOf(ticket, now, dueSoonMs);
      const selected = ticket.id === selectedId;
      const styleKey = `${ticket.version}|${urgency}|${selected ? 1 : 0}`;
      const entry = this.#entries.get(ticket.id);
      if (!entry) {
        this.#add(ticket, urgency, selected, styleKey);
        continue;
      }
      if (entry.styleKey === styleKey) continue;
      if (
        entry.ticket.location.lat !== ticket.location.lat ||
        entry.ticket.location.lng !== ticket.location.lng
      ) {
        entry.marker.setLatLng([ticket.location.lat, ticket.location.lng]);
      }
      entry.ticket = ticket;
      entry.styleKey = styleKey;
      entry.marker.setStyle(styleFor(ticket, urgency, selected));
      entry.marker.setRadius(radiusFor(ticket, selected));
      if (selected || urgency === 'escalated') entry.marker.bringToFront();
    }
    for (const [id, entry] of this.#entries) {
      if (present.has(id)) continue;
      entry.marker.remove();
      this.#entries.delete(id);
      if (this.#focusedId === id) this.#focusedId = null;
    }
  }

  /** Bring a ticket into view and show its tooltip (closing the previous one). */
  focus(id: number): void {
    if (this.#focusedId !== null && this.#focusedId !== id) {
      this.#entries.get(this.#focusedId)?.marker.closeTooltip();
    }
    this.#focusedId = id;
    const entry = this.#entries.get(id);
    if (!entry) return;
    const position = entry.marker.getLatLng();
    if (!this.#map.getBounds().pad(-0.1).contains(position)) {
      this.#map.panTo(position);
    }
    entry.marker.bringToFront();
    entry.marker.openTooltip();
  }

  /** Re-read the text of open tooltips (after a language switch). */
  refreshTooltips(): void {
    for (const { marker } of this.#entries.values()) {
      if (marker.isTooltipOpen()) marker.getTooltip()?.update();
    }
  }

  bounds(): Leaflet.LatLngBounds | null {
    const bounds = this.#L.latLngBounds([]);
    for (const { marker } of this.#entries.values()) bounds.extend(marker.getLatLng());
    return bounds.isValid() ? bounds : null;
  }

  destroy(): void {
    this.#group.clearLayers();
    this.#entries.clear();
  }

  #add(ticket: TicketSummary, urgency: Urgency, selected: boolean, styleKey: string): void {
    const marker = this.#L.circleMarker([ticket.location.lat, ticket.location.lng], {
      ...styleFor(ticket, urgency, selected),
      radius: radiusFor(ticket, selected),
      pane: this.#options.pane,
      renderer: this.#renderer,
      bubblingMouseEvents: false,
    });
    const entry: MarkerEntry = { marker, ticket, styleKey };
    marker.bindTooltip(() => tooltipContent(this.#options.describe(entry.ticket)), {
      direction: 'top',
      offset: [0, -6],
      className: 'ticket-tooltip',
    });
    marker.on('click', () => this.#options.onSelect(entry.ticket.id));
    marker.addTo(this.#group);
    this.#entries.set(ticket.id, entry);
  }
}

function styleFor(
  ticket: TicketSummary,
  urgency: Urgency,
  selected: boolean,
): Leaflet.CircleMarkerOptions {
  const colors = URGENCY_COLORS[urgency];
  return {
    color: selected ? '#111827' : colors.stroke,
    weight: selected ? 3 : ticket.outsideGrid ? 2 : 1.5,
    dashArray: ticket.outsideGrid ? '3 2' : undefined,
    fillColor: colors.fill,
    fillOpacity: selected ? 1 : 0.85,
  };
}

function radiusFor(ticket: TicketSummary, selected: boolean): number {
  return PRIORITY_RADIUS[ticket.priority] + (selected ? 3 : 0);
}

function tooltipContent(lines: string[]): HTMLElement {
  const wrapper = document.createElement('div');
  lines.forEach((line, index) => {
    wrapper.append(textElement(line, index === 0 ? 'ticket-tooltip-title' : 'ticket-tooltip-line'));
  });
  return wrapper;
}
