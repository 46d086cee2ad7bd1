import type * as Leaflet from 'leaflet';
import type { Urgency } from '../ticket-board.ts';
import { URGENCY_COLORS } from '../urgency-style.ts';

type LeafletModule = typeof Leaflet;

/** What a bubble shows. */
export interface BubbleLook {
  count: number;
  worst: Urgency;
  /** Holds an urgent ticket: drawn with an outer ring. */
  urgent: boolean;
  /** Accessible name, also the hover tooltip. */
  label: string;
}

/** The parts of Leaflet's canvas renderer and circle marker a bubble draws with. */
interface CanvasInternals {
  _ctx: CanvasRenderingContext2D | undefined;
  _updateCircle(layer: Leaflet.CircleMarker): void;
}
interface BubbleInternals {
  _renderer: CanvasInternals;
  _point: Leaflet.Point | undefined;
  _radius: number;
  _empty(): boolean;
  look: BubbleLook;
  focused: boolean;
}

type BubbleMarker = Leaflet.CircleMarker & { look: BubbleLook; focused: boolean };
type BubbleConstructor = new (
  latlng: Leaflet.LatLngExpression,
  options: Leaflet.CircleMarkerOptions,
) => BubbleMarker;

/** Room outside the circle for the urgent and focus rings (and a wider click target). */
export const BUBBLE_RING_PX = 8;

export function bubbleRadius(count: number): number {
  return count >= 100 ? 22 : count >= 10 ? 19 : 16;
}

export function bubbleText(count: number): string {
  return count > 999 ? '999+' : String(count);
}

let bubbleClass: BubbleConstructor | null = null;

/**
 * A numbered circle drawn on a canvas: hundreds of DOM bubbles made every
 * zoom and pan restyle and relayout them all (the map's longest frames).
 */
function bubbleConstructor(L: LeafletModule): BubbleConstructor {
  if (bubbleClass) return bubbleClass;
  const extended = L.CircleMarker.extend({
    _updatePath(this: BubbleInternals & Leaflet.CircleMarker) {
      const ctx = this._renderer._ctx;
      const point = this._point;
      if (!ctx || !point || this._empty()) return;
      const { stroke } = URGENCY_COLORS[this.look.worst];
      const ring = (radius: number, color: string, width: number) => {
        ctx.beginPath();
        ctx.arc(point.x, point.y, radius, 0, Math.PI * 2);
        ctx.strokeStyle = color;
        ctx.lineWidth = width;
        ctx.stroke();
      };
      if (this.focused) ring(this._radius + 6, '#111827', 3);
      if (this.look.urgent) {
        ring(this._radius + 2.5, '#ffffff', 3);
        ring(this._radius + 4.5, stroke, 2);
      }
      this._renderer._updateCircle(this);
      ctx.save();
      ctx.fillStyle = '#ffffff';
      ctx.font = '700 13px system-ui, -apple-system, "Noto Sans CJK SC", sans-serif';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.shadowColor = 'rgb(0 0 0 / 45%)';
      ctx.shadowOffsetY = 1;
      ctx.shadowBlur = 1;
      ctx.fillText(bubbleText(this.look.count), point.x, point.y + 0.5);
      ctx.restore();
    },
  });
  bubbleClass = extended as unknown as BubbleConstructor;
  return bubbleClass;
}

export interface ClusterBubblesOptions {
  pane: string;
  /** A bubble was clicked (or its button pressed): zoom into it. */
  onOpen: (key: string) => void;
}

/** Cluster bubbles on their own canvas, kept by key and restyled in place. */
export class ClusterBubbles {
  readonly #Bubble: BubbleConstructor;
  readonly #renderer: Leaflet.Renderer;
  readonly #group: Leaflet.LayerGroup;
  readonly #options: ClusterBubblesOptions;
  readonly #bubbles = new Map<string, BubbleMarker>();
  #focusedKey: string | null = null;

  constructor(L: LeafletModule, map: Leaflet.Map, options: ClusterBubblesOptions) {
    this.#Bubble = bubbleConstructor(L);
    this.#options = options;
    this.#renderer = L.canvas({ pane: options.pane, padding: 0.1, tolerance: BUBBLE_RING_PX });
    this.#group = L.layerGroup().addTo(map);
  }

  get size(): number {
    return this.#bubbles.size;
  }

  /** Draw exactly these bubbles: keep those already drawn, drop the rest. */
  show(wanted: ReadonlyArray<{ key: string; at: Leaflet.LatLng; look: BubbleLook }>): void {
    const keys = new Set<string>();
    for (const { key, at, look } of wanted) {
      keys.add(key);
      const bubble = this.#bubbles.get(key);
      if (!bubble) {
        this.#add(key, at, look);
        continue;
      }
      if (sameLook(bubble.look, look)) continue;
      bubble.look = look;
      bubble.setStyle(styleOf(look));
      bubble.setRadius(bubbleRadius(look.count));
    }
    for (const [key, bubble] of this.#bubbles) {
      if (keys.has(key)) continue;
      bubble.remove();
      this.#bubbles.delete(key);
      if (this.#focusedKey === key) this.#focusedKey = null;
    }
  }

  /** Ring one bubble (its button has the keyboard focus), or none. */
  focus(key: string | null): void {
    if (this.#focusedKey === key) return;
    const previous = this.#focusedKey === null ? undefined : this.#bubbles.get(this.#focusedKey);
    if (previous) {
      previous.focused = false;
      previous.redraw();
    }
    this.#focusedKey = key;
    const next = key === null ? undefined : this.#bubbles.get(key);
    if (next) {
      next.focused = true;
      next.bringToFront();
      next.redraw();
    }
  }

  /** Re-read open tooltips (after a language switch). */
  refreshTooltips(): void {
    for (const bubble of this.#bubbles.values()) {
      if (bubble.isTooltipOpen()) bubble.getTooltip()?.update();
    }
  }

  destroy(): void {
    this.#group.clearLayers();
    this.#bubbles.clear();
  }

  #add(key: string, at: Leaflet.LatLng, look: BubbleLook): void {
    const bubble = new this.#Bubble(at, {
      ...styleOf(look),
      radius: bubbleRadius(look.count),
      pane: this.#options.pane,
      renderer: this.#renderer,
      bubblingMouseEvents: false,
    });
    bubble.look = look;
    bubble.focused = this.#focusedKey === key;
    bubble.bindTooltip(() => bubble.look.label, {
      direction: 'top',
      offset: [0, -bubbleRadius(look.count)],
      className: 'ticket-tooltip',
    });
    bubble.on('click', () => this.#options.onOpen(key));
    bubble.addTo(this.#group);
    this.#bubbles.set(key, bubble);
  }
}

function styleOf(look: BubbleLook): Leaflet.CircleMarkerOptions {
  const { fill, stroke } = URGENCY_COLORS[look.worst];
  return { color: stroke, weight: 2, fillColor: fill, fillOpacity: 1 };
}

function sameLook(a: BubbleLook, b: BubbleLook): boolean {
  return a.count === b.count && a.worst === b.worst && a.urgent === b.urgent && a.label === b.label;
}
