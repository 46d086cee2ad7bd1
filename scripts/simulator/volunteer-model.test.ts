import { describe, expect, it } from 'vitest';
import { distanceMetres, mulberry32 } from '@gridline/core';
import {
  answerDelayMs,
  answerOffer,
  pickTaskTemplate,
  pointNear,
  wander,
} from './volunteer-model.ts';

const home = { lat: 41.1186, lng: 122.9951 };

describe('the demo volunteers', () => {
  it('wander near home and never stray far, however long they walk', () => {
    const random = mulberry32(7);
    let at = home;
    let farthest = 0;
    let moved = 0;
    for (let step = 0; step < 5_000; step++) {
      const next = wander(home, at, random, 400);
      moved += distanceMetres(at, next);
      at = next;
      farthest = Math.max(farthest, distanceMetres(home, at));
    }
    expect(farthest).toBeLessThan(500);
    expect(farthest).toBeGreaterThan(100);
    expect(moved / 5_000).toBeGreaterThan(10);
  });

  it('mostly accept offers, sometimes decline or let them expire', () => {
    const random = mulberry32(3);
    const counts = { accept: 0, decline: 0, ignore: 0 };
    for (let n = 0; n < 10_000; n++) counts[answerOffer(random)]++;
    expect(counts.accept / 10_000).toBeCloseTo(0.65, 1);
    expect(counts.decline).toBeGreaterThan(1_000);
    expect(counts.ignore).toBeGreaterThan(1_000);
  });

  it('answer before the offer expires', () => {
    const random = mulberry32(11);
    for (const expiresIn of [2_000, 60_000, 300_000]) {
      for (let n = 0; n < 1_000; n++) {
        const delay = answerDelayMs(expiresIn, random);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(Math.min(30_000, expiresIn * 0.8) * 0.1));
        expect(delay).toBeLessThanOrEqual(Math.min(30_000, expiresIn * 0.8));
      }
    }
  });

  it('post tasks from a catalogue with sane fields, at points near where asked', () => {
    const random = mulberry32(5);
    for (let n = 0; n < 100; n++) {
      const template = pickTaskTemplate(random);
      expect(template.title.length).toBeGreaterThan(0);
      expect(template.slots).toBeGreaterThanOrEqual(1);
      expect(template.durationMinutes).toBeGreaterThanOrEqual(5);
      expect(distanceMetres(home, pointNear(home, 300, random))).toBeLessThanOrEqual(301);
    }
  });
});
