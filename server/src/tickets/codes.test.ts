import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashToken, newTicketCode, newTrackingToken } from './codes.ts';

describe('tracking tokens', () => {
  it('are 24 random bytes in base64url, never repeated across refills of the pool', () => {
    const tokens = Array.from({ length: 1000 }, () => newTrackingToken());
    for (const { token, hash } of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(24);
      expect(hash).toBe(createHash('sha256').update(token).digest('hex'));
      expect(hashToken(token)).toBe(hash);
    }
    expect(new Set(tokens.map(({ token }) => token)).size).toBe(tokens.length);
    // An all-zero token would mean a slice of the pool was handed out before it was filled.
    expect(tokens.some(({ token }) => token === 'A'.repeat(32))).toBe(false);
  });
});

describe('ticket codes', () => {
  it('carry the date and six characters of the unambiguous alphabet', () => {
    expect(newTicketCode(new Date('2026-12-07T05:00:00Z'))).toMatch(
      /^GL-261207-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/,
    );
  });
});

describe('ticket code characters', () => {
  it('are drawn evenly from the alphabet', () => {
    const counts = new Map<string, number>();
    const codes = 50_000;
    for (let i = 0; i < codes; i++) {
      for (const char of newTicketCode(new Date()).slice(-6)) {
        counts.set(char, (counts.get(char) ?? 0) + 1);
      }
    }
    const alphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
    expect([...counts.keys()].sort().join('')).toBe(alphabet);
    // 300,000 characters: ~9,700 each, one standard deviation ~97. Taking a byte
    // modulo 31 without redrawing would give the first 8 characters ~12% more.
    const expected = (codes * 6) / alphabet.length;
    for (const count of counts.values()) expect(Math.abs(count - expected)).toBeLessThan(500);
  });
});
