import Flatbush from 'flatbush';
import { polygonsOf, type AreaGeometry, type LatLng, type PolygonCoordinates } from '../geo.ts';
import { pointInPolygon } from './point-in-polygon.ts';

export interface IndexedGrid {
  id: number;
  boundary: AreaGeometry;
}

interface Entry {
  gridId: number;
  polygon: PolygonCoordinates;
}

export type GridLookup =
  | { kind: 'inside'; gridId: number }
  | { kind: 'outside'; nearestGridId: number }
  | { kind: 'none' };

/**
 * Point-in-polygon over all grids through a static R-tree of polygon bounding
 * boxes. Build a new index when regions change; an instance never mutates.
 * A point on a shared edge belongs to the grid with the lowest id, so the
 * answer is the same whichever polygon the tree returns first.
 */
export class GridIndex {
  private readonly tree: Flatbush | null;
  private readonly entries: Entry[];

  constructor(grids: readonly IndexedGrid[]) {
    this.entries = [];
    for (const grid of grids) {
      for (const polygon of polygonsOf(grid.boundary)) {
        if (polygon[0] && polygon[0].length >= 3) this.entries.push({ gridId: grid.id, polygon });
      }
    }
    if (this.entries.length === 0) {
      this.tree = null;
      return;
    }
    const tree = new Flatbush(this.entries.length);
    for (const { polygon } of this.entries) {
      let minX = Infinity;
      let minY = Infinity;
      let maxX = -Infinity;
      let maxY = -Infinity;
      for (const [x, y] of polygon[0]!) {
        if (x < minX) minX = x;
        if (y < minY) minY = y;
        if (x > maxX) maxX = x;
        if (y > maxY) maxY = y;
      }
      tree.add(minX, minY, maxX, maxY);
    }
    tree.finish();
    this.tree = tree;
  }

  get size(): number {
    return this.entries.length;
  }

  /** The grid containing the point, or null. */
  gridAt(point: LatLng): number | null {
    if (!this.tree) return null;
    const candidates = this.tree.search(point.lng, point.lat, point.lng, point.lat);
    let onEdge: number | null = null;
    for (const index of candidates) {
      const entry = this.entries[index]!;
      const where = pointInPolygon(point.lng, point.lat, entry.polygon);
      if (where === 1) return entry.gridId;
      if (where === 0 && (onEdge === null || entry.gridId < onEdge)) onEdge = entry.gridId;
    }
    return onEdge;
  }

  /** Containing grid, else the grid whose bounding box is nearest. */
  lookup(point: LatLng): GridLookup {
    const gridId = this.gridAt(point);
    if (gridId !== null) return { kind: 'inside', gridId };
    if (!this.tree) return { kind: 'none' };
    const [nearest] = this.tree.neighbors(point.lng, point.lat, 1);
    if (nearest === undefined) return { kind: 'none' };
    return { kind: 'outside', nearestGridId: this.entries[nearest]!.gridId };
  }
}
