import type { LatLng, PolygonGeometry, Position, RegionLevel } from '@gridline/core';
import type { AnshanData } from './anshan-data.ts';
import {
  centroid,
  convexHull,
  powerCells,
  relaxedVoronoi,
  signedArea,
  splitByWeights,
  type Point,
} from './geometry.ts';
import { hashString, randomFor } from './random.ts';

export interface DemoRegion {
  code: string;
  name: string;
  nameEn: string | null;
  level: RegionLevel;
  parentCode: string | null;
  boundary: PolygonGeometry;
  centroid: LatLng;
}

/** The demo city's region tree, each level in a list of its own, parents before children. */
export interface DemoCity {
  city: DemoRegion;
  districts: DemoRegion[];
  streets: DemoRegion[];
  communities: DemoRegion[];
  grids: DemoRegion[];
}

export interface GenerateOptions {
  /** Another seed lays out another city; the same seed always the same one. */
  seed?: number;
}

export const DEMO_CITY_SEED = 2103;
export const MIN_GRIDS_PER_COMMUNITY = 2;
export const MAX_GRIDS_PER_COMMUNITY = 6;

const ENGLISH_NAMES: Readonly<Record<string, string>> = {
  '2103': 'Anshan',
  '210302': 'Tiedong District',
  '210303': 'Tiexi District',
  '210304': 'Lishan District',
  '210311': 'Qianshan District',
};

/** How far the city outline reaches beyond each district's core radius. */
const CITY_OUTLINE_FACTOR = 1.3;
const CITY_OUTLINE_POINTS_PER_DISTRICT = 48;
/** Scales the districts' squared core radii used as power-diagram weights. */
const DISTRICT_WEIGHT_FACTOR = 0.5;
/** A village (村) covers more ground than an urban community (社区). */
const VILLAGE_AREA_WEIGHT = 3;
const COORDINATE_DECIMALS = 7;

/**
 * Lays out the synthetic demo city: district cells are a power diagram of the
 * district centres (weighted by core radius) inside a convex city outline;
 * each district is cut into its streets with areas proportional to their
 * communities; each street is a Voronoi diagram of its communities (urban
 * communities nearest the district centre, villages outside); each community
 * is cut into 2-6 grids of equal area. Every piece is convex, pieces of one
 * level tile their parent, and nothing overlaps. Pure and deterministic.
 */
export function generateDemoCity(data: AnshanData, options: GenerateOptions = {}): DemoCity {
  const seed = options.seed ?? DEMO_CITY_SEED;
  const { divisions, centres } = data;
  const centreByCode = new Map(centres.districts.map((district) => [district.code, district]));
  const districtCentres = divisions.districts.map((district) => {
    const centre = centreByCode.get(district.code);
    if (!centre) throw new Error(`No centre point for district ${district.code} ${district.name}`);
    return centre;
  });

  const origin = {
    lng: average(districtCentres.map((district) => district.centre[0])),
    lat: average(districtCentres.map((district) => district.centre[1])),
  };
  const plane = new LocalPlane(origin);

  const cityRandom = randomFor(seed, divisions.city.code);
  const outlinePoints: Point[] = [];
  for (const district of districtCentres) {
    const [x, y] = plane.toPoint(district.centre);
    const radius = district.coreRadiusKm * CITY_OUTLINE_FACTOR;
    for (let k = 0; k < CITY_OUTLINE_POINTS_PER_DISTRICT; k++) {
      const angle = (2 * Math.PI * k) / CITY_OUTLINE_POINTS_PER_DISTRICT;
      const jitter = 1 + (cityRandom() - 0.5) * 0.2;
      outlinePoints.push([
        x + radius * jitter * Math.cos(angle),
        y + radius * jitter * Math.sin(angle),
      ]);
    }
  }
  const cityOutline = convexHull(outlinePoints);

  const districtSites = districtCentres.map((district) => plane.toPoint(district.centre));
  const districtCells = powerCells(
    cityOutline,
    districtSites,
    districtCentres.map((district) => district.coreRadiusKm ** 2 * DISTRICT_WEIGHT_FACTOR),
  );

  const region = (
    code: string,
    name: string,
    level: RegionLevel,
    parentCode: string | null,
    ring: readonly Point[],
  ): DemoRegion => {
    if (ring.length < 3) throw new Error(`Region ${code} ${name} came out empty`);
    return {
      code,
      name,
      nameEn: ENGLISH_NAMES[code] ?? null,
      level,
      parentCode,
      boundary: plane.toPolygon(ring),
      centroid: plane.toLatLng(centroid(ring)),
    };
  };

  const city: DemoCity = {
    city: region(divisions.city.code, divisions.city.name, 'CITY', null, cityOutline),
    districts: [],
    streets: [],
    communities: [],
    grids: [],
  };

  divisions.districts.forEach((district, districtIndex) => {
    const districtCell = districtCells[districtIndex]!;
    const districtSite = districtSites[districtIndex]!;
    city.districts.push(
      region(district.code, district.name, 'DISTRICT', city.city.code, districtCell),
    );

    const streetWeights = district.streets.map((street) =>
      street.communities.reduce((sum, community) => sum + areaWeight(community.name), 0),
    );
    const streetCells = splitByWeights(districtCell, streetWeights, randomFor(seed, district.code));

    district.streets.forEach((street, streetIndex) => {
      const streetCell = streetCells[streetIndex]!;
      city.streets.push(region(street.code, street.name, 'STREET', district.code, streetCell));

      const cells = relaxedVoronoi(
        streetCell,
        street.communities.length,
        randomFor(seed, street.code),
      );
      // Urban communities take the cells nearest the district centre, villages the outer ones.
      const cellsByDistance = [...cells].sort(
        (a, b) => distance(centroid(a), districtSite) - distance(centroid(b), districtSite),
      );
      const communitiesUrbanFirst = [...street.communities].sort(
        (a, b) => Number(isVillage(a.name)) - Number(isVillage(b.name)),
      );

      communitiesUrbanFirst.forEach((community, communityIndex) => {
        const communityCell = cellsByDistance[communityIndex]!;
        const name = communityName(community.name);
        city.communities.push(
          region(community.code, name, 'COMMUNITY', street.code, communityCell),
        );

        const gridCount = gridCountFor(seed, community.code);
        const gridCells = splitByWeights(
          communityCell,
          Array.from({ length: gridCount }, () => 1),
          randomFor(seed, `${community.code}/grids`),
        );
        gridCells.forEach((gridCell, gridIndex) => {
          const number = gridIndex + 1;
          city.grids.push(
            region(
              gridCode(community.code, number),
              `${name}第${number}网格`,
              'GRID',
              community.code,
              gridCell,
            ),
          );
        });
      });
    });
  });

  city.communities.sort(byCode);
  city.grids.sort(byCode);
  return city;
}

export function gridCode(communityCode: string, number: number): string {
  return `${communityCode}-${String(number).padStart(2, '0')}`;
}

/** 2-6, decided by the community's code alone. */
export function gridCountFor(seed: number, communityCode: string): number {
  const span = MAX_GRIDS_PER_COMMUNITY - MIN_GRIDS_PER_COMMUNITY + 1;
  return MIN_GRIDS_PER_COMMUNITY + (hashString(`${seed}:${communityCode}:grid-count`) % span);
}

/**
 * The name people use: the data carries the committees' official names
 * (`健身社区居民委员会`, `林家村委会`, `永丰村民委员会`); residents say
 * `健身社区`, `林家村`, `永丰村`.
 */
export function communityName(officialName: string): string {
  const rules: [suffix: string, replacement: string][] = [
    ['社区居民委员会', '社区'],
    ['社区居委会', '社区'],
    ['村村民委员会', '村'],
    ['村民委员会', '村'],
    ['村村委会', '村'],
    ['村委会', '村'],
    ['居民委员会', '社区'],
    ['居委会', '社区'],
  ];
  for (const [suffix, replacement] of rules) {
    if (officialName.endsWith(suffix)) return officialName.slice(0, -suffix.length) + replacement;
  }
  return officialName;
}

export function isVillage(name: string): boolean {
  return communityName(name).endsWith('村');
}

function areaWeight(officialName: string): number {
  return isVillage(officialName) ? VILLAGE_AREA_WEIGHT : 1;
}

function byCode(a: DemoRegion, b: DemoRegion): number {
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}

function average(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function distance(a: Point, b: Point): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

/**
 * An equirectangular plane around the city, in kilometres. It is affine in
 * longitude and latitude, so straight lines, convexity and tilings carry over.
 */
class LocalPlane {
  private readonly kmPerDegreeLng: number;
  private static readonly KM_PER_DEGREE_LAT = 110.574;

  constructor(private readonly origin: LatLng) {
    this.kmPerDegreeLng = 111.32 * Math.cos((origin.lat * Math.PI) / 180);
  }

  toPoint([lng, lat]: readonly [number, number]): Point {
    return [
      (lng - this.origin.lng) * this.kmPerDegreeLng,
      (lat - this.origin.lat) * LocalPlane.KM_PER_DEGREE_LAT,
    ];
  }

  toPosition([x, y]: Point): Position {
    return [
      round(this.origin.lng + x / this.kmPerDegreeLng),
      round(this.origin.lat + y / LocalPlane.KM_PER_DEGREE_LAT),
    ];
  }

  toLatLng(point: Point): LatLng {
    const [lng, lat] = this.toPosition(point);
    return { lat, lng };
  }

  /** A closed, counter-clockwise GeoJSON ring. */
  toPolygon(ring: readonly Point[]): PolygonGeometry {
    const ordered = signedArea(ring) < 0 ? [...ring].reverse() : [...ring];
    const positions: Position[] = [];
    for (const point of ordered) {
      const position = this.toPosition(point);
      const last = positions[positions.length - 1];
      if (!last || last[0] !== position[0] || last[1] !== position[1]) positions.push(position);
    }
    const first = positions[0]!;
    const last = positions[positions.length - 1]!;
    if (first[0] === last[0] && first[1] === last[1]) positions.pop();
    positions.push([first[0], first[1]]);
    return { type: 'Polygon', coordinates: [positions] };
  }
}

function round(value: number): number {
  return Number(value.toFixed(COORDINATE_DECIMALS));
}
