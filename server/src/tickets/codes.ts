import { createHash, randomFillSync } from 'node:crypto';

const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
/** The largest multiple of the alphabet's length a byte can hold: bytes from it up are redrawn. */
const UNBIASED_BYTES = 256 - (256 % ALPHABET.length);

/**
 * Random bytes drawn from the system's generator a few kilobytes at a time:
 * each draw costs about as much for 24 bytes as for 4 KB.
 */
const pool = Buffer.alloc(4096);
let poolUsed = pool.length;

/** Where `count` fresh random bytes start in `pool`; they stay valid until the next call. */
function drawRandom(count: number): number {
  if (poolUsed + count > pool.length) {
    randomFillSync(pool);
    poolUsed = 0;
  }
  const start = poolUsed;
  poolUsed += count;
  return start;
}

/** A public ticket code such as GL-261122-7K3Q9M: the date, then 6 random characters. */
export function newTicketCode(now: Date): string {
  const date = now.toISOString().slice(2, 10).replaceAll('-', '');
  let suffix = '';
  while (suffix.length < 6) {
    const byte = pool[drawRandom(1)]!;
    if (byte < UNBIASED_BYTES) suffix += ALPHABET[byte % ALPHABET.length];
  }
  return `GL-${date}-${suffix}`;
}

const TOKEN_BYTES = 24;

export function newTrackingToken(): { token: string; hash: string } {
  const start = drawRandom(TOKEN_BYTES);
  const token = pool.toString('base64url', start, start + TOKEN_BYTES);
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
