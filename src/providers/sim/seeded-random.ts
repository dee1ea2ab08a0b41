import { createHash, randomBytes } from 'node:crypto';

/** 32-bit hash of a string (FNV-1a followed by a murmur-style finaliser). */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32: a small seeded PRNG returning numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A number in [0, 1) that depends only on the seed and the parts (an instance id and what the
 * draw is for), never on call order.
 */
export function draw(seed: string, ...parts: string[]): number {
  return mulberry32(hash32([seed, ...parts].join('\u0000')))();
}

/** `length` hex characters derived from the seed and parts: stable ids under SIM_SEED. */
export function stableHex(seed: string, length: number, ...parts: string[]): string {
  return createHash('sha256').update([seed, ...parts].join('\u0000')).digest('hex').slice(0, length);
}

/** A fresh random seed, for when the administrator set none. */
export function randomSeed(): string {
  return randomBytes(16).toString('hex');
}
