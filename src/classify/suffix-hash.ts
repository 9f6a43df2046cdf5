/**
 * suffix-hash: the hash a DomainTable files a host suffix under, and the
 * arithmetic that turns it into a slot and a fingerprint. Shared by the
 * table (lookups) and its builder, and part of the index file format: a
 * change here is a new FORMAT_VERSION in index-file.ts.
 *
 * Two independent 32-bit lanes (64 bits of state) are fed one character at
 * a time, right to left, so the hash of `example.com` is the state reached
 * after `moc.elpmaxe` and the walk gets every suffix's hash in one pass over
 * the host. The slot comes from 26 bits of one mix of the lanes and the
 * fingerprint from 16 bits of another. Hashes are only hints: the table
 * verifies every match exactly (see domain-table.ts), so their quality
 * affects speed, never correctness.
 */

/** Lane seeds (FNV-1a's offset basis, and an arbitrary odd constant). */
export const SEED_A = 0x811c9dc5 | 0;
export const SEED_B = 0x6b43a9b5 | 0;
/** Character code of `.`, where one suffix ends and the next begins. */
export const DOT = 46;
/** Most slots a table may have: slotOf stays exact up to here. */
export const MAX_CAPACITY = 2 ** 27;

const PRIME_A = 0x01000193;
const PRIME_B = 0x5bd1e995;
/** 2^26: 26 bits of slot hash times a capacity below 2^27 stays below 2^53, so slotOf is exact. */
const SLOT_SCALE = 67108864;

/** Lane A after one more character (an FNV-1a step). */
export function stepA(a: number, c: number): number {
  return Math.imul(a ^ c, PRIME_A);
}

/** Lane B after one more character (a multiply-xorshift independent of lane A). */
export function stepB(b: number, c: number): number {
  const h = Math.imul(b ^ c, PRIME_B);
  return h ^ (h >>> 15);
}

/** Slot hash (32 bits, murmur3's finaliser over both lanes). */
export function slotHash(a: number, b: number): number {
  let h = a ^ Math.imul(b ^ (b >>> 16), 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Fingerprint hash (32 bits, a different mix of the lanes; the table keeps the top 16). */
export function fingerprintHash(a: number, b: number): number {
  let h = b ^ Math.imul(a ^ (a >>> 15), 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15), 0x165667b1);
  return (h ^ (h >>> 13)) >>> 0;
}

/** Slot in [0, capacity) for a slot hash: multiply-shift range reduction, no modulo, no bias to speak of. */
export function slotOf(hash: number, capacity: number): number {
  return Math.floor(((hash >>> 6) * capacity) / SLOT_SCALE);
}

/** The 16-bit fingerprint of a fingerprint hash, never 0 (0 marks an empty slot). */
export function fingerprintOf(hash: number): number {
  return hash >>> 16 || 1;
}
