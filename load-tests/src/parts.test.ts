import { describe, expect, it } from 'vitest';
import { orderedParts, parseParts, PARTS, SYSTEM_PARTS } from './parts.ts';

describe('parseParts', () => {
  it('knows the nearest-volunteers part, which needs no server', () => {
    expect(PARTS).toContain('nearest');
    expect(SYSTEM_PARTS).not.toContain('nearest');
    expect(SYSTEM_PARTS).toContain('offers');
  });

  it('runs everything by default', () => {
    expect(orderedParts(parseParts(undefined))).toEqual([...PARTS]);
    expect(orderedParts(parseParts(''))).toEqual([...PARTS]);
    expect(orderedParts(parseParts(' , '))).toEqual([...PARTS]);
  });

  it('takes a comma or space separated list in any case and order', () => {
    expect(orderedParts(parseParts('race,timers'))).toEqual(['timers', 'race']);
    expect(orderedParts(parseParts(' Timers  RACE '))).toEqual(['timers', 'race']);
    expect(orderedParts(parseParts('lookup,lookup'))).toEqual(['lookup']);
    expect(orderedParts(parseParts('race,nearest,lookup'))).toEqual(['lookup', 'nearest', 'race']);
  });

  it('rejects unknown parts', () => {
    expect(() => parseParts('timers,memory')).toThrow(/unknown part "memory"/);
  });
});
