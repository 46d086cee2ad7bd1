import { describe as group, expect, it } from 'vitest';
import { mulberry32, pointInPolygon, type PolygonGeometry } from '@gridline/core';
import {
  arrivals,
  callerPhone,
  humanDelayMs,
  pickCategory,
  pickChannel,
  randomPointIn,
  ticketsPerMinuteAt,
} from './traffic.ts';

group('the demo traffic model', () => {
  it('is quiet at night and busiest in the morning and evening', () => {
    expect(ticketsPerMinuteAt(3, 20)).toBeLessThan(3);
    expect(ticketsPerMinuteAt(9, 20)).toBe(20);
    expect(ticketsPerMinuteAt(19, 20)).toBe(20);
    expect(ticketsPerMinuteAt(33, 20)).toBe(ticketsPerMinuteAt(9, 20));
    expect(ticketsPerMinuteAt(-15, 20)).toBe(ticketsPerMinuteAt(9, 20));
  });

  it('draws Poisson arrivals around the expected number', () => {
    const random = mulberry32(1);
    const draws = Array.from({ length: 20_000 }, () => arrivals(0.5, random));
    const mean = draws.reduce((sum, n) => sum + n, 0) / draws.length;
    expect(mean).toBeGreaterThan(0.47);
    expect(mean).toBeLessThan(0.53);
    expect(draws.filter((n) => n >= 2).length).toBeGreaterThan(0);
    expect(arrivals(0, random)).toBe(0);
  });

  it('picks common categories more often, and elderly services rarely', () => {
    const random = mulberry32(2);
    const codes = ['GARBAGE', 'OTHER', 'ELDERLY_MEALS'];
    const counts = new Map<string, number>();
    for (let i = 0; i < 9000; i++) {
      const code = pickCategory(codes, random);
      counts.set(code, (counts.get(code) ?? 0) + 1);
    }
    expect(counts.get('GARBAGE')!).toBeGreaterThan(4 * counts.get('OTHER')!);
    expect(counts.get('OTHER')!).toBeGreaterThan(3 * counts.get('ELDERLY_MEALS')!);
    expect(() => pickCategory([], random)).toThrow(RangeError);
  });

  it('mixes web, hotline and patrol reports', () => {
    const random = mulberry32(3);
    const channels = new Set(Array.from({ length: 200 }, () => pickChannel(random)));
    expect([...channels].sort()).toEqual(['HOTLINE', 'PATROL', 'WEB']);
  });

  it('puts every report inside its grid, holes excluded', () => {
    const square: PolygonGeometry = {
      type: 'Polygon',
      coordinates: [
        [
          [122.0, 41.0],
          [122.01, 41.0],
          [122.01, 41.01],
          [122.0, 41.01],
          [122.0, 41.0],
        ],
        [
          [122.002, 41.002],
          [122.008, 41.002],
          [122.008, 41.008],
          [122.002, 41.008],
          [122.002, 41.002],
        ],
      ],
    };
    const random = mulberry32(4);
    for (let i = 0; i < 500; i++) {
      const point = randomPointIn(square, random);
      expect(pointInPolygon(point.lng, point.lat, square.coordinates)).toBe(1);
    }
  });

  it('answers mostly in time, and the late share after the deadline', () => {
    const random = mulberry32(5);
    const delays = Array.from({ length: 10_000 }, () => humanDelayMs(60_000, random, 0.2));
    const late = delays.filter((delay) => delay > 60_000).length / delays.length;
    expect(late).toBeGreaterThan(0.18);
    expect(late).toBeLessThan(0.22);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(3000);
    expect(humanDelayMs(-5, random, 0)).toBe(0);
  });

  it('makes up mainland mobile numbers', () => {
    const random = mulberry32(6);
    for (let i = 0; i < 50; i++) expect(callerPhone(random)).toMatch(/^1[3-9]\d{9}$/);
  });
});
