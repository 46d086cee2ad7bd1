/**
 * The demo's volunteers, pure and seeded: what tasks community staff post,
 * how volunteers wander near home while on duty, and how they answer offers.
 */
import type { LatLng, Random } from '@gridline/core';

export interface TaskTemplate {
  title: string;
  description: string;
  skills: string[];
  durationMinutes: number;
  slots: number;
  pointsPerHour: number;
}

const TEMPLATES: readonly TaskTemplate[] = [
  {
    title: '陪独居老人散步',
    description: '陪伴老人在小区散步一小时 / Walk with an elderly neighbour for an hour',
    skills: ['ELDERLY_CARE'],
    durationMinutes: 60,
    slots: 1,
    pointsPerHour: 12,
  },
  {
    title: '社区义务理发',
    description: '在社区服务站为老人理发 / Free haircuts at the community centre',
    skills: ['HAIRCUT'],
    durationMinutes: 120,
    slots: 2,
    pointsPerHour: 15,
  },
  {
    title: '帮忙修理电饭煲',
    description: '居民家电饭煲不加热 / A resident’s rice cooker does not heat',
    skills: ['REPAIRS'],
    durationMinutes: 45,
    slots: 1,
    pointsPerHour: 15,
  },
  {
    title: '代买药品',
    description: '为行动不便的居民代买常用药 / Fetch medicine for a housebound resident',
    skills: [],
    durationMinutes: 40,
    slots: 1,
    pointsPerHour: 10,
  },
  {
    title: '楼道清理',
    description: '清理楼道堆放杂物 / Clear the stairwell of clutter',
    skills: [],
    durationMinutes: 90,
    slots: 3,
    pointsPerHour: 10,
  },
  {
    title: '小学生课业辅导',
    description: '放学后辅导作业 / Homework help after school',
    skills: ['TUTORING'],
    durationMinutes: 90,
    slots: 1,
    pointsPerHour: 12,
  },
];

export function pickTaskTemplate(random: Random): TaskTemplate {
  return TEMPLATES[Math.floor(random() * TEMPLATES.length)]!;
}

/** Metres per degree of latitude (and of longitude at the equator). */
const METRES_PER_DEGREE = 111_320;

/** A step of a walk that stays within `rangeM` of home: a few dozen metres in a random direction. */
export function wander(home: LatLng, at: LatLng, random: Random, rangeM = 400): LatLng {
  const stepM = 20 + random() * 60;
  const angle = random() * 2 * Math.PI;
  const cos = Math.cos((home.lat * Math.PI) / 180);
  const next = {
    lat: at.lat + (Math.sin(angle) * stepM) / METRES_PER_DEGREE,
    lng: at.lng + (Math.cos(angle) * stepM) / (METRES_PER_DEGREE * cos),
  };
  const dy = (next.lat - home.lat) * METRES_PER_DEGREE;
  const dx = (next.lng - home.lng) * METRES_PER_DEGREE * cos;
  // Too far out: head back home by the same step instead.
  if (Math.hypot(dx, dy) > rangeM) {
    return {
      lat: at.lat - (Math.sign(at.lat - home.lat) * stepM) / METRES_PER_DEGREE / 2,
      lng: at.lng - (Math.sign(at.lng - home.lng) * stepM) / (METRES_PER_DEGREE * cos) / 2,
    };
  }
  return next;
}

/** A point about `metres` from `centre` in a random direction. */
export function pointNear(centre: LatLng, metres: number, random: Random): LatLng {
  const angle = random() * 2 * Math.PI;
  const distance = random() * metres;
  const cos = Math.cos((centre.lat * Math.PI) / 180);
  return {
    lat: centre.lat + (Math.sin(angle) * distance) / METRES_PER_DEGREE,
    lng: centre.lng + (Math.cos(angle) * distance) / (METRES_PER_DEGREE * cos),
  };
}

export type OfferAnswer = 'accept' | 'decline' | 'ignore';

/** Most offers are taken, some declined, some left to expire (a phone in a pocket). */
export function answerOffer(random: Random): OfferAnswer {
  const draw = random();
  if (draw < 0.65) return 'accept';
  if (draw < 0.85) return 'decline';
  return 'ignore';
}

/** How long before answering: up to half a minute, always within the offer's life. */
export function answerDelayMs(expiresInMs: number, random: Random): number {
  const ceiling = Math.min(30_000, Math.max(0, expiresInMs) * 0.8);
  return Math.round(ceiling * (0.1 + 0.9 * random()));
}
