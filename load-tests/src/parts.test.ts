import { describe, expect, it } from 'vitest';
import { orderedParts, parseParts, PARTS } from './parts.ts';

describe('parseParts', () => {
  it('runs everything by default', () => {
    expect(orderedParts(parseParts(undefined))).toEqual([...PARTS]);
    expect(orderedParts(parseParts(''))).toEqual([...PARTS]);
    expect(orderedParts(parseParts(' , '))).toEqual([...PARTS]);
  });

  it('takes a comma or space separated list in any case and order', () => {
    expect(orderedParts(parseParts('race,timers'))).toEqual(['timers', 'race']);
    expect(orderedParts(parseParts(' Timers  RACE '))).toEqual(['timers', 'race']);
    expect(orderedParts(parseParts('lookup,lookup'))).toEqual(['lookup']);
  });

  it('rejects unknown parts', () => {
    expect(() => parseParts('timers,memory')).toThrow(/unknown part "memory"/);
  });
});
