/**
 * Grid-based clustering of map points in screen pixels: points that fall in
 * the same cell of `cellSize` pixels (at the current zoom) become one cluster
 * when there are at least `minPoints` of them. Pure and O(n).
 */
export interface ClusterPoint {
  id: number;
  /** Projected pixel coordinates at the current zoom (world pixels, not the viewport). */
  x: number;
  y: number;
}

export interface Cluster {
  /** Stable key for the cell. */
  key: string;
  ids: number[];
  /** Mean position of the members, in the same pixel space. */
  x: number;
  y: number;
}

export interface ClusterResult {
  /** Points drawn on their own. */
  singles: number[];
  clusters: Cluster[];
}

export interface ClusterOptions {
  cellSize: number;
  minPoints: number;
  /** Ids never put into a cluster (the selected ticket). */
  keepApart?: ReadonlySet<number>;
}

export function clusterPoints(
  points: readonly ClusterPoint[],
  options: ClusterOptions,
): ClusterResult {
  const cellSize = Math.max(1, options.cellSize);
  const minPoints = Math.max(2, options.minPoints);
  const cells = new Map<string, ClusterPoint[]>();
  const singles: number[] = [];
  for (const point of points) {
    if (
      options.keepApart?.has(point.id) ||
      !Number.isFinite(point.x) ||
      !Number.isFinite(point.y)
    ) {
      singles.push(point.id);
      continue;
    }
    const key = `${Math.floor(point.x / cellSize)}:${Math.floor(point.y / cellSize)}`;
    const cell = cells.get(key);
    if (cell) cell.push(point);
    else cells.set(key, [point]);
  }
  const clusters: Cluster[] = [];
  for (const [key, members] of cells) {
    if (members.length < minPoints) {
      for (const member of members) singles.push(member.id);
      continue;
    }
    let sumX = 0;
    let sumY = 0;
    for (const member of members) {
      sumX += member.x;
      sumY += member.y;
    }
    clusters.push({
      key,
      ids: members.map((member) => member.id),
      x: sumX / members.length,
      y: sumY / members.length,
    });
  }
  return { singles, clusters };
}
