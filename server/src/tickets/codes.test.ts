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
