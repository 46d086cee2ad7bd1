import type * as Leaflet from 'leaflet';
import type { TicketSummary } from '@gridline/core';
import { clusterPoints, type Cluster } from '../clustering.ts';
import { priorityRank, urgencyOf, URGENCIES, type Urgency } from '../ticket-board.ts';
import { PRIORITY_RADIUS, URGENCY_COLORS } from '../urgency-style.ts';
import { ClusterBubbles } from './cluster-bubbles.ts';
import { textElement } from './region-layers.ts';

type LeafletModule = typeof Leaflet;

interface MarkerEntry {
  marker: Leaflet.CircleMarker;
  ticket: TicketSummary;
  urgency: Urgency;
  /** What the current style was computed from; restyle only when it changes. */
  styleKey: string;
  /** Drawn on its own (not inside a cluster). */
  shown: boolean;
}

/** A tooltip line: text in the current language, or data (an address) the same in every one. */
export type TooltipLine = string | { data: string };

export interface TicketMarkersOptions {
  pane: string;
  /** Pane of the cluster bubbles (their own canvas, above the tickets). */
  clusterPane: string;
  onSelect: (id: number) => void;
  /** Tooltip lines for a ticket, in the current language (read when it opens). */
  describe: (ticket: TicketSummary) => TooltipLine[];
  /** Accessible name of a cluster bubble, in the current language. */
  describeCluster: (count: number, worst: Urgency) => string;
  /**
   * The bubbles in view changed (zoom, pan, tickets): the page lists them as
   * buttons, since a canvas has nothing to focus or read out.
   */
  onClustersInView?: (clusters: ClusterInView[]) => void;
}

/** A cluster bubble within the map's view. */
export interface ClusterInView {
  key: string;
  count: number;
  worst: Urgency;
  label: string;
  /** Its centre in the map container's pixels, when listed. */
  x: number;
  y: number;
}

interface DrawnCluster extends ClusterInView {
  at: Leaflet.LatLng;
  members: MarkerEntry[];
}

/** Cell size in pixels: tickets closer than this at the current zoom are clustered. */
export const CLUSTER_CELL_PX = 56;
/** A cell clusters from this many tickets. */
export const CLUSTER_MIN_POINTS = 3;
/** From this zoom on every ticket is drawn on its own. */
export const CLUSTER_MAX_ZOOM = 17;

/**
 * One canvas circle marker per open ticket, coloured by urgency and sized by
 * priority; dense cells of the screen become a numbered bubble coloured by
 * their worst ticket. Kept in step with the board by `sync`.
 */
export class TicketMarkers {
  readonly #L: LeafletModule;
  readonly #map: Leaflet.Map;
  readonly #options: TicketMarkersOptions;
  readonly #renderer: Leaflet.Renderer;
  readonly #group: Leaflet.LayerGroup;
  readonly #entries = new Map<number, MarkerEntry>();
  #clusters: Cluster[] = [];
  readonly #bubbles: ClusterBubbles;
  /** Bubbles drawn now, by key. */
  #drawn = new Map<string, DrawnCluster>();
  /** Keys of the bubbles last reported in view, to report only changes. */
  #inViewSignature = '';
  #focusedId: number | null = null;
  #selectedId: number | null = null;
  /** What the clustering was computed from; recluster only when it changes. */
  #clusteredFor: {
    tickets: readonly TicketSummary[];
    zoom: number;
    selectedId: number | null;
  } | null = null;
  #lastTickets: readonly TicketSummary[] = [];

  constructor(L: LeafletModule, map: Leaflet.Map, options: TicketMarkersOptions) {
    this.#L = L;
    this.#map = map;
    this.#options = options;
    this.#renderer = L.canvas({ pane: options.pane, padding: 0.1, tolerance: 4 });
    this.#group = L.layerGroup().addTo(map);
    this.#bubbles = new ClusterBubbles(L, map, {
      pane: options.clusterPane,
      onOpen: (key) => this.openCluster(key),
    });
    map.on('zoomend', this.#onZoom);
    map.on('moveend', this.#onMove);
  }

  /** Open tickets on the map. */
  get size(): number {
    return this.#entries.size;
  }

  /** Cluster bubbles drawn now. */
  get clusterCount(): number {
    return this.#drawn.size;
  }

  /** Zoom into a cluster until its tickets come apart. */
  openCluster(key: string): void {
    const cluster = this.#drawn.get(key);
    if (!cluster) return;
    const bounds = this.#L.latLngBounds(cluster.members.map((member) => member.marker.getLatLng()));
    const zoom = this.#map.getZoom();
    const target = Math.min(
      this.#map.getMaxZoom(),
      Math.max(zoom + 2, this.#map.getBoundsZoom(bounds)),
    );
    this.#map.setView(bounds.getCenter(), target);
  }

  /** Ring a cluster's bubble while its button has the keyboard focus (null: none). */
  focusCluster(key: string | null): void {
    this.#bubbles.focus(key);
  }

  sync(
    tickets: readonly TicketSummary[],
    now: number,
    dueSoonMs: number,
    selectedId: number | null,
  ): void {
    this.#selectedId = selectedId;
    this.#lastTickets = tickets;
    const present = new Set<number>();
    let changedUrgency = false;
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
      if (entry.urgency !== urgency) changedUrgency = true;
      if (
        entry.ticket.location.lat !== ticket.location.lat ||
        entry.ticket.location.lng !== ticket.location.lng
      ) {
        entry.marker.setLatLng([ticket.location.lat, ticket.location.lng]);
      }
      entry.ticket = ticket;
      entry.urgency = urgency;
      entry.styleKey = styleKey;
      entry.marker.setStyle(styleFor(ticket, urgency, selected));
      entry.marker.setRadius(radiusFor(ticket, selected));
      if (entry.shown && (selected || urgency === 'escalated')) entry.marker.bringToFront();
    }
    for (const [id, entry] of this.#entries) {
      if (present.has(id)) continue;
      entry.marker.remove();
      this.#entries.delete(id);
      if (this.#focusedId === id) this.#focusedId = null;
    }
    this.#recluster(changedUrgency);
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
    if (!entry.shown) return;
    entry.marker.bringToFront();
    entry.marker.openTooltip();
  }

  /** Re-read the text of open tooltips and cluster labels (after a language switch). */
  refreshTooltips(): void {
    for (const { marker } of this.#entries.values()) {
      if (marker.isTooltipOpen()) marker.getTooltip()?.update();
    }
    this.#drawClusters();
    this.#bubbles.refreshTooltips();
  }

  bounds(): Leaflet.LatLngBounds | null {
    const bounds = this.#L.latLngBounds([]);
    for (const { marker } of this.#entries.values()) bounds.extend(marker.getLatLng());
    return bounds.isValid() ? bounds : null;
  }

  destroy(): void {
    this.#map.off('zoomend', this.#onZoom);
    this.#map.off('moveend', this.#onMove);
    if (this.#reportPending !== null) clearTimeout(this.#reportPending);
    this.#group.clearLayers();
    this.#bubbles.destroy();
    this.#drawn.clear();
    this.#entries.clear();
    this.#clusters = [];
  }

  readonly #onZoom = (): void => this.#recluster(false);
  readonly #onMove = (): void => this.#scheduleReport();

  #recluster(restyleOnly: boolean): void {
    const zoom = this.#map.getZoom();
    const previous = this.#clusteredFor;
    const same =
      previous !== null &&
      previous.tickets === this.#lastTickets &&
      previous.zoom === zoom &&
      previous.selectedId === this.#selectedId;
    if (same) {
      // Only colours changed (the clock moved a ticket on): repaint the bubbles.
      if (restyleOnly) this.#drawClusters();
      return;
    }
    this.#clusteredFor = { tickets: this.#lastTickets, zoom, selectedId: this.#selectedId };
    let singles: number[];
    if (zoom >= CLUSTER_MAX_ZOOM) {
      singles = [...this.#entries.keys()];
      this.#clusters = [];
    } else {
      const points = [...this.#entries.values()].map(({ ticket }) => {
        const point = this.#map.project([ticket.location.lat, ticket.location.lng], zoom);
        return { id: ticket.id, x: point.x, y: point.y };
      });
      const result = clusterPoints(points, {
        cellSize: CLUSTER_CELL_PX,
        minPoints: CLUSTER_MIN_POINTS,
        keepApart: this.#selectedId === null ? undefined : new Set([this.#selectedId]),
      });
      singles = result.singles;
      this.#clusters = result.clusters;
    }
    const shown = new Set(singles);
    for (const [id, entry] of this.#entries) {
      const show = shown.has(id);
      if (show === entry.shown) continue;
      entry.shown = show;
      if (show) entry.marker.addTo(this.#group);
      else entry.marker.remove();
    }
    this.#drawClusters();
  }

  #drawClusters(): void {
    const zoom = this.#map.getZoom();
    const drawn = new Map<string, DrawnCluster>();
    for (const cluster of this.#clusters) {
      const members = cluster.ids
        .map((id) => this.#entries.get(id))
        .filter((entry): entry is MarkerEntry => entry !== undefined);
      if (members.length === 0) continue;
      const key = `${zoom}:${Math.round(cluster.x)}:${Math.round(cluster.y)}:${cluster.ids.join(',')}`;
      const worst = worstUrgency(members.map((member) => member.urgency));
      drawn.set(key, {
        key,
        count: members.length,
        worst,
        label: this.#options.describeCluster(members.length, worst),
        at: this.#map.unproject([cluster.x, cluster.y], zoom),
        x: 0,
        y: 0,
        members,
      });
    }
    this.#drawn = drawn;
    this.#bubbles.show(
      [...drawn.values()].map(({ key, at, count, worst, label, members }) => ({
        key,
        at,
        look: {
          count,
          worst,
          label,
          urgent: members.some((member) => priorityRank(member.ticket.priority) >= 3),
        },
      })),
    );
    this.#scheduleReport();
  }

  #reportPending: ReturnType<typeof setTimeout> | null = null;

  /**
   * The list of bubbles in view is for the keyboard and screen readers: it is
   * written when the browser is idle, not in the frame that redraws the map.
   */
  #scheduleReport(): void {
    if (this.#reportPending !== null) return;
    this.#reportPending = setTimeout(() => {
      this.#reportPending = null;
      if (typeof requestIdleCallback === 'function') {
        requestIdleCallback(() => this.#reportInView(), { timeout: 500 });
      } else {
        this.#reportInView();
      }
    }, 0);
  }

  #reportInView(): void {
    if (!this.#map.getContainer().isConnected) return;
    const report = this.#options.onClustersInView;
    if (!report) return;
    const view = this.#map.getBounds();
    const inView: ClusterInView[] = [];
    for (const cluster of this.#drawn.values()) {
      if (!view.contains(cluster.at)) continue;
      const point = this.#map.latLngToContainerPoint(cluster.at);
      inView.push({ ...cluster, x: Math.round(point.x), y: Math.round(point.y) });
    }
    const signature = inView
      .map((cluster) => `${cluster.key}@${cluster.x},${cluster.y}|${cluster.label}`)
      .join(';');
    if (signature === this.#inViewSignature) return;
    this.#inViewSignature = signature;
    report(
      inView.map(({ key, count, worst, label, x, y }) => ({ key, count, worst, label, x, y })),
    );
  }

  #add(ticket: TicketSummary, urgency: Urgency, selected: boolean, styleKey: string): void {
    const marker = this.#L.circleMarker([ticket.location.lat, ticket.location.lng], {
      ...styleFor(ticket, urgency, selected),
      radius: radiusFor(ticket, selected),
      pane: this.#options.pane,
      renderer: this.#renderer,
      bubblingMouseEvents: false,
    });
    const entry: MarkerEntry = { marker, ticket, urgency, styleKey, shown: false };
    marker.bindTooltip(() => tooltipContent(this.#options.describe(entry.ticket)), {
      direction: 'top',
      offset: [0, -6],
      className: 'ticket-tooltip',
    });
    marker.on('click', () => this.#options.onSelect(entry.ticket.id));
    this.#entries.set(ticket.id, entry);
    // Shown by the next recluster (sync always ends with one).
  }
}

/** Escalated > overdue > due soon > on time. */
export function worstUrgency(urgencies: readonly Urgency[]): Urgency {
  let worst = 0;
  for (const urgency of urgencies) worst = Math.max(worst, URGENCIES.indexOf(urgency));
  return URGENCIES[worst] ?? 'onTime';
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

function tooltipContent(lines: TooltipLine[]): HTMLElement {
  const wrapper = document.createElement('div');
  lines.forEach((line, index) => {
    const className = index === 0 ? 'ticket-tooltip-title' : 'ticket-tooltip-line';
    if (typeof line === 'string') {
      wrapper.append(textElement(line, className));
    } else {
      const element = textElement(line.data, className);
      element.dataset.i18nData = '';
      wrapper.append(element);
    }
  });
  return wrapper;
}
