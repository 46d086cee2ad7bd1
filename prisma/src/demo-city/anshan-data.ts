import { readFileSync } from 'node:fs';

/** The official divisions of Anshan's four urban districts (prisma/data/anshan/divisions.json). */
export interface Divisions {
  city: { code: string; name: string };
  districts: {
    code: string;
    name: string;
    streets: { code: string; name: string; communities: { code: string; name: string }[] }[];
  }[];
}

/** District centre points (prisma/data/anshan/district-centres.json). */
export interface DistrictCentres {
  districts: { code: string; name: string; centre: [number, number]; coreRadiusKm: number }[];
}

export interface AnshanData {
  divisions: Divisions;
  centres: DistrictCentres;
}

const DATA_DIRECTORY = new URL('../../data/anshan/', import.meta.url);

/** Reads the Anshan data shipped in prisma/data/anshan (or another directory). */
export function loadAnshanData(directory: URL = DATA_DIRECTORY): AnshanData {
  const read = (name: string): unknown =>
    JSON.parse(readFileSync(new URL(name, directory), 'utf8')) as unknown;
  return {
    divisions: parseDivisions(read('divisions.json')),
    centres: parseCentres(read('district-centres.json')),
  };
}

function parseDivisions(value: unknown): Divisions {
  const root = record(value, 'divisions.json');
  const city = record(root.city, 'city');
  return {
    city: coded(city, 'city'),
    districts: list(root.districts, 'districts').map((districtValue) => {
      const district = record(districtValue, 'district');
      return {
        ...coded(district, 'district'),
        streets: list(district.streets, 'streets').map((streetValue) => {
          const street = record(streetValue, 'street');
          return {
            ...coded(street, 'street'),
            communities: list(street.communities, 'communities').map((communityValue) =>
              coded(record(communityValue, 'community'), 'community'),
            ),
          };
        }),
      };
    }),
  };
}

function parseCentres(value: unknown): DistrictCentres {
  const root = record(value, 'district-centres.json');
  return {
    districts: list(root.districts, 'districts').map((districtValue) => {
      const district = record(districtValue, 'district centre');
      const centre = list(district.centre, 'centre');
      const [lng, lat] = centre;
      const radius = district.coreRadiusKm;
      if (centre.length !== 2 || typeof lng !== 'number' || typeof lat !== 'number') {
        throw new Error('district-centres.json: centre must be [lng, lat]');
      }
      if (typeof radius !== 'number' || !(radius > 0)) {
        throw new Error('district-centres.json: coreRadiusKm must be a positive number');
      }
      return { ...coded(district, 'district centre'), centre: [lng, lat], coreRadiusKm: radius };
    }),
  };
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`Anshan data: ${what} must be an object`);
  }
  return value as Record<string, unknown>;
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`Anshan data: ${what} must be an array`);
  return value;
}

function coded(value: Record<string, unknown>, what: string): { code: string; name: string } {
  const { code, name } = value;
  if (typeof code !== 'string' || typeof name !== 'string') {
    throw new Error(`Anshan data: ${what} needs a string code and name`);
  }
  return { code, name };
}
