/**
 * The demo traffic model, pure and seeded: how many reports arrive at an hour
 * of the day, of which categories, through which channel, where in a grid, and
 * how long people take to answer them.
 */
import {
  pointInPolygon,
  polygonsOf,
  type AreaGeometry,
  type Channel,
  type LatLng,
  type Random,
} from '@gridline/core';

/**
 * Share of the daily peak at each hour (0-23): quiet at night, a morning
 * peak when people go out and find things broken, a second one after work.
 */
const HOURLY_SHAPE = [
  0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.45, 0.75, 0.95, 1, 0.95, 0.85, 0.7, 0.7, 0.75, 0.8, 0.85, 0.9,
  0.95, 1, 0.85, 0.6, 0.4, 0.25,
];

/** Reports per minute at this hour, for a city whose busiest hour sees `peakPerMinute`. */
export function ticketsPerMinuteAt(hour: number, peakPerMinute: number): number {
  const index = ((Math.floor(hour) % 24) + 24) % 24;
  return peakPerMinute * HOURLY_SHAPE[index]!;
}

/** How many arrive in a tick: a Poisson draw around the expected number (Knuth's method). */
export function arrivals(expected: number, random: Random): number {
  if (expected <= 0) return 0;
  const limit = Math.exp(-expected);
  let count = 0;
  for (let product = random(); product > limit; product *= random()) count++;
  return count;
}

/** How common each category is among reports; categories not listed weigh 1. */
const CATEGORY_WEIGHTS: Record<string, number> = {
  GARBAGE: 6,
  NOISE: 5,
  ROAD_DAMAGE: 4,
  STREET_LIGHT: 4,
  ILLEGAL_PARKING: 4,
  HEATING: 3,
  WATER_LEAK: 3,
  PROPERTY_MANAGEMENT: 3,
  GREENERY: 2,
  NEIGHBOUR_DISPUTE: 2,
};
/** Elderly services mostly come from call buttons, not from this traffic. */
const ELDERLY_WEIGHT = 0.2;

/** A category code, drawn by how often such reports come in. */
export function pickCategory(codes: readonly string[], random: Random): string {
  if (codes.length === 0) throw new RangeError('no categories to pick from');
  const weights = codes.map(
    (code) => CATEGORY_WEIGHTS[code] ?? (code.startsWith('ELDERLY_') ? ELDERLY_WEIGHT : 1),
  );
  let draw = random() * weights.reduce((sum, weight) => sum + weight, 0);
  for (let i = 0; i < codes.length; i++) {
    draw -= weights[i]!;
    if (draw < 0) return codes[i]!;
  }
  return codes.at(-1)!;
}

/** Residents report on the web most, call the hotline often, grid members find some on patrol. */
export function pickChannel(random: Random): Extract<Channel, 'WEB' | 'HOTLINE' | 'PATROL'> {
  const draw = random();
  return draw < 0.5 ? 'WEB' : draw < 0.8 ? 'HOTLINE' : 'PATROL';
}

/** A uniformly random point inside the area (rejection sampling in its bounding box). */
export function randomPointIn(area: AreaGeometry, random: Random): LatLng {
  const polygons = polygonsOf(area);
  let minLng = Infinity;
  let minLat = Infinity;
  let maxLng = -Infinity;
  let maxLat = -Infinity;
  for (const polygon of polygons)
    for (const [lng, lat] of polygon[0] ?? []) {
      minLng = Math.min(minLng, lng);
      maxLng = Math.max(maxLng, lng);
      minLat = Math.min(minLat, lat);
      maxLat = Math.max(maxLat, lat);
    }
  for (let attempt = 0; attempt < 200; attempt++) {
    const lng = minLng + random() * (maxLng - minLng);
    const lat = minLat + random() * (maxLat - minLat);
    if (polygons.some((polygon) => pointInPolygon(lng, lat, polygon) === 1)) return { lat, lng };
  }
  throw new RangeError('could not find a point inside the area');
}

/**
 * How long someone takes to answer, as a share of the time they have: most
 * answer within the first two thirds, `lateShare` of them only after the
 * deadline (so escalations and overdue tickets happen in the demo too).
 */
export function humanDelayMs(windowMs: number, random: Random, lateShare: number): number {
  const window = Math.max(0, windowMs);
  if (random() < lateShare) return Math.round(window * (1.1 + random() * 0.6));
  return Math.round(window * (0.05 + random() * 0.6));
}

/** A mainland mobile number for a simulated caller. */
export function callerPhone(random: Random): string {
  const prefixes = ['138', '139', '150', '151', '186', '187', '135', '177'];
  const prefix = prefixes[Math.floor(random() * prefixes.length)]!;
  return prefix + String(Math.floor(random() * 1e8)).padStart(8, '0');
}

const DESCRIPTIONS: Record<string, string[]> = {
  GARBAGE: ['垃圾桶满了没人清运', '楼下堆了很多建筑垃圾'],
  NOISE: ['夜间施工噪音扰民', '广场舞音响太响'],
  ROAD_DAMAGE: ['路面塌陷一个大坑', '人行道地砖松动'],
  STREET_LIGHT: ['路灯不亮了', '路灯白天一直亮着'],
  ILLEGAL_PARKING: ['车辆占用消防通道', '共享单车堆满人行道'],
  HEATING: ['家里暖气不热', '暖气管道漏水'],
  WATER_LEAK: ['楼道水管漏水', '小区里自来水管爆了'],
  GREENERY: ['树枝折断挡住道路', '绿地被人毁坏'],
};

export function describe(categoryCode: string, random: Random): string {
  const options = DESCRIPTIONS[categoryCode] ?? ['居民反映的问题，请尽快处理'];
  return options[Math.floor(random() * options.length)]!;
}
