import { describe, expect, it } from 'vitest';
import { createTicketSchema, MAX_DESCRIPTION_LENGTH } from './tickets.ts';
import { maskPhone } from './users.ts';
import { distanceMetres } from './geo.ts';

const valid = {
  categoryCode: 'NOISE',
  description: 'Loud music after midnight',
  location: { lat: 41.1, lng: 122.99 },
};

describe('createTicketSchema', () => {
  it('accepts a minimal report and trims text', () => {
    const parsed = createTicketSchema.parse({ ...valid, description: '  noise  ' });
    expect(parsed.description).toBe('noise');
  });

  it.each([
    ['latitude beyond 90', { location: { lat: 90.01, lng: 1 } }],
    ['longitude beyond 180', { location: { lat: 1, lng: -180.5 } }],
    ['a string coordinate', { location: { lat: '41', lng: 122 } }],
    ['infinite coordinate', { location: { lat: Infinity, lng: 122 } }],
    ['a missing location', { location: undefined }],
    ['extra keys in the location', { location: { lat: 1, lng: 1, alt: 3 } }],
    ['an empty description', { description: '' }],
    ['a blank description', { description: ' \n ' }],
    ['an oversized description', { description: 'x'.repeat(MAX_DESCRIPTION_LENGTH + 1) }],
    ['a lower-case category', { categoryCode: 'noise' }],
    ['an unknown priority', { priority: 'ASAP' }],
    ['an unknown channel', { channel: 'FAX' }],
    ['a bad phone', { reporter: { phone: 'twelve' } }],
    ['an unexpected key', { admin: true }],
  ])('rejects %s', (_name, patch) => {
    expect(createTicketSchema.safeParse({ ...valid, ...patch }).success).toBe(false);
  });
});

describe('helpers', () => {
  it('masks phone numbers', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('+86 138-1234-5678')).toBe('861****5678');
    expect(maskPhone('12345')).toBe('***45');
  });

  it('measures distance on the sphere', () => {
    const anshan = { lat: 41.1, lng: 122.99 };
    expect(distanceMetres(anshan, anshan)).toBe(0);
    const d = distanceMetres(anshan, { lat: 41.1 + 0.009, lng: 122.99 });
    expect(d).toBeGreaterThan(990);
    expect(d).toBeLessThan(1010);
  });
});
