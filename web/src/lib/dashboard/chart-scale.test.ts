import { describe, expect, it } from 'vitest';
import { labelIndexes, linearScale, linePath, niceCeiling, ticks } from './chart-scale.ts';

describe('chart scaling', () => {
  it('rounds maxima up to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect(niceCeiling(0)).toBe(1);
    expect(niceCeiling(-3)).toBe(1);
    expect(niceCeiling(1)).toBe(1);
    expect(niceCeiling(7)).toBe(10);
    expect(niceCeiling(11)).toBe(20);
    expect(niceCeiling(21)).toBe(25);
    expect(niceCeiling(26)).toBe(50);
    expect(niceCeiling(0.3)).toBe(0.5);
    expect(niceCeiling(1234)).toBe(2000);
  });

  it('gives integer ticks from zero covering the maximum', () => {
    expect(ticks(0)).toEqual([0, 1]);
    expect(ticks(3)).toEqual([0, 1, 2, 3]);
    expect(ticks(10)).toEqual([0, 5, 10]);
    expect(ticks(37)).toEqual([0, 10, 20, 30, 40]);
    expect(ticks(100)).toEqual([0, 25, 50, 75, 100]);
    const many = ticks(12_345);
    expect(many[0]).toBe(0);
    expect(many[many.length - 1]).toBeGreaterThanOrEqual(12_345);
    expect(many.length).toBeLessThanOrEqual(6);
    expect(ticks(1, 4, false)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  it('maps a domain onto a range, inverted for SVG y', () => {
    const y = linearScale([0, 40], [200, 0]);
    expect(y(0)).toBe(200);
    expect(y(40)).toBe(0);
    expect(y(10)).toBe(150);
    expect(linearScale([5, 5], [0, 100])(5)).toBe(0);
  });

  it('draws a path broken where there is no data', () => {
    expect(
      linePath([
        { x: 0, y: 10 },
        { x: 10, y: 20.04 },
        { x: 20, y: null },
        { x: 30, y: 5 },
        { x: 40, y: 6 },
      ]),
    ).toBe('M0 10L10 20M30 5L40 6');
    expect(linePath([])).toBe('');
  });

  it('thins axis labels, keeping the first and the last', () => {
    expect(labelIndexes(5, 10)).toEqual([0, 1, 2, 3, 4]);
    expect(labelIndexes(24, 7)).toEqual([0, 4, 8, 12, 16, 20, 23]);
    const month = labelIndexes(31, 8);
    expect(month[0]).toBe(0);
    expect(month[month.length - 1]).toBe(30);
    expect(month.length).toBeLessThanOrEqual(8);
    expect(labelIndexes(0, 5)).toEqual([]);
  });
});
