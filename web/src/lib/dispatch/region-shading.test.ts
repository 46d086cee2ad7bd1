import { describe, expect, it } from 'vitest';
import { SHADE_COLORS, maxOpenOf, shadeFor } from './region-shading.ts';

describe('shadeFor', () => {
  it('leaves an idle region almost clear', () => {
    const shade = shadeFor({ open: 0, overdue: 0 }, 10);
    expect(shade.fillOpacity).toBeLessThan(0.1);
    expect(shade).toEqual(shadeFor(undefined, 10));
  });

  it('deepens with the open load relative to the busiest region', () => {
    const light = shadeFor({ open: 1, overdue: 0 }, 20);
    const dark = shadeFor({ open: 20, overdue: 0 }, 20);
    expect(light.fillColor).toBe(SHADE_COLORS.busy);
    expect(dark.fillOpacity).toBeGreaterThan(light.fillOpacity);
    expect(dark.fillOpacity).toBeLessThanOrEqual(0.5);
  });

  it('turns red with any overdue ticket, deeper with a larger overdue share', () => {
    const some = shadeFor({ open: 10, overdue: 1 }, 10);
    const all = shadeFor({ open: 10, overdue: 10 }, 10);
    expect(some.fillColor).toBe(SHADE_COLORS.overdue);
    expect(some.color).toBe(SHADE_COLORS.overdueStroke);
    expect(all.fillOpacity).toBeGreaterThan(some.fillOpacity);
  });

  it('never counts more overdue than open tickets', () => {
    expect(shadeFor({ open: 2, overdue: 9 }, 2)).toEqual(shadeFor({ open: 2, overdue: 2 }, 2));
  });
});

describe('maxOpenOf', () => {
  it('is the busiest count, and at least one', () => {
    expect(maxOpenOf([])).toBe(1);
    expect(
      maxOpenOf([
        { open: 3, overdue: 0 },
        { open: 7, overdue: 2 },
      ]),
    ).toBe(7);
  });
});
