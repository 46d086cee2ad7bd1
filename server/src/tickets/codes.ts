import { createHash, randomFillSync, randomInt } from 'node:crypto';

const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** A public ticket code such as GL-261122-7K3Q9M: the date, then 6 random characters. */
export function newTicketCode(now: Date): string {
  const date = now.toISOString().slice(2, 10).replaceAll('-', '');
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return `GL-${date}-${suffix}`;
}

const TOKEN_BYTES = 24;
/**
 * Random bytes for tokens, drawn a few kilobytes at a time: each draw from the
 * system's generator costs about as much for 24 bytes as for 4 KB.
 */
const tokenPool = Buffer.alloc(TOKEN_BYTES * 170);
let tokenPoolUsed = tokenPool.length;

export function newTrackingToken(): { token: string; hash: string } {
  if (tokenPoolUsed + TOKEN_BYTES > tokenPool.length) {
    randomFillSync(tokenPool);
    tokenPoolUsed = 0;
  }
  const token = tokenPool.toString('base64url', tokenPoolUsed, tokenPoolUsed + TOKEN_BYTES);
  tokenPoolUsed += TOKEN_BYTES;
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
