import { mulberry32, type Random } from '@gridline/core';

export { mulberry32, type Random };

/** 32-bit FNV-1a hash of a string. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A generator of its own for one entity (a street, a community...), so that
 * what is drawn for one entity does not depend on how many numbers others drew.
 */
export function randomFor(seed: number, key: string): Random {
  return mulberry32(hashString(`${seed}:${key}`));
}

/** An integer in [min, max], both included. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

export function pick<T>(random: Random, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('pick from an empty list');
  return items[Math.floor(random() * items.length)]!;
}

/** `count` distinct items in random order (all of them when count >= length). */
export function sample<T>(random: Random, items: readonly T[], count: number): T[] {
  const pool = [...items];
  const taken: T[] = [];
  while (taken.length < count && pool.length > 0) {
    const index = Math.floor(random() * pool.length);
    taken.push(pool[index]!);
    pool[index] = pool[pool.length - 1]!;
    pool.pop();
  }
  return taken;
}
