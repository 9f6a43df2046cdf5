/**
 * host-suffixes: a host's suffixes (`com`, `example.com`, `www.example.com`)
 * and their hashes (suffix-hash.ts), computed in one right-to-left pass so
 * that every DomainTable a classification walks (the domain rules, the
 * trusted sites, the URL-rule hosts) probes with them instead of hashing the
 * host again. Hashing was a third of a table walk when the tables were
 * walked one by one (≈70 ns per host of 15 characters, three times over).
 *
 * Suffix k runs from start(k) to the end of the host, k = 0 being the
 * top-level label; its own label ends where suffix k − 1's dot is. The
 * dots are hashed too, exactly as DomainTable files a suffix, and empty
 * labels (`a..b`, a leading dot) are suffixes like any other, so a walk
 * over these hashes finds what a walk over the characters would. An IP
 * literal is one suffix, the whole literal. The arrays are scratch: valid
 * until the next of(); never throws.
 */
import { DOT, SEED_A, SEED_B, fingerprintHash, slotHash, stepA, stepB } from './suffix-hash.ts';

export class HostSuffixes {
  host = '';
  isIp = false;
  /** Suffixes found by the last of(). */
  count = 0;
  #start = new Int32Array(16);
  #slot = new Uint32Array(16);
  #fingerprint = new Uint32Array(16);

  /** Hashes every suffix of `host` (the whole literal only when `isIp`); returns this. */
  of(host: string, isIp: boolean): this {
    this.host = host;
    this.isIp = isIp;
    let a = SEED_A;
    let b = SEED_B;
    if (isIp) {
      for (let i = host.length - 1; i >= 0; i--) {
        const c = host.charCodeAt(i);
        a = stepA(a, c);
        b = stepB(b, c);
      }
      this.#set(0, 0, a, b);
      this.count = 1;
      return this;
    }
    let count = 0;
    for (let i = host.length - 1; ; i--) {
      const c = i >= 0 ? host.charCodeAt(i) : DOT;
      if (c === DOT) {
        if (count === this.#start.length) this.#grow();
        this.#set(count++, i + 1, a, b);
        if (i < 0) break;
      }
      a = stepA(a, c);
      b = stepB(b, c);
    }
    this.count = count;
    return this;
  }

  /** Where suffix k starts in the host. */
  start(k: number): number {
    return this.#start[k]!;
  }

  /** Where suffix k's own (leftmost) label ends. */
  labelEnd(k: number): number {
    return k === 0 ? this.host.length : this.#start[k - 1]! - 1;
  }

  /** Slot hash of suffix k (slotHash in suffix-hash.ts). */
  slotHash(k: number): number {
    return this.#slot[k]!;
  }

  /** Fingerprint hash of suffix k (fingerprintHash in suffix-hash.ts). */
  fingerprintHash(k: number): number {
    return this.#fingerprint[k]!;
  }

  #set(k: number, start: number, a: number, b: number): void {
    this.#start[k] = start;
    this.#slot[k] = slotHash(a, b);
    this.#fingerprint[k] = fingerprintHash(a, b);
  }

  #grow(): void {
    const size = this.#start.length * 2;
    const start = new Int32Array(size);
    const slot = new Uint32Array(size);
    const fingerprint = new Uint32Array(size);
    start.set(this.#start);
    slot.set(this.#slot);
    fingerprint.set(this.#fingerprint);
    this.#start = start;
    this.#slot = slot;
    this.#fingerprint = fingerprint;
  }
}
