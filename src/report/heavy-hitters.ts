/**
 * Top-N counting over an unbounded set of keys (blocked host names) in
 * bounded memory: the Space-Saving idea with batch pruning. Up to `capacity`
 * keys are counted exactly; when twice that many are held, the smallest are
 * dropped down to `capacity`, and the largest count dropped so far becomes
 * the `floor` a newly seen key starts above (it may have been dropped
 * before). So every reported count is an upper bound, at most `overcount`
 * above the truth, and no key whose true count exceeds the floor is ever
 * missed. With fewer distinct keys than `capacity` everything is exact.
 *
 * Pruning sorts 2·capacity entries once per `capacity` new keys: amortised
 * O(log capacity) per new key, O(1) per repeat.
 */
export interface HeavyHitter {
  readonly key: string;
  /** Upper bound of the true count (exact when overcount is 0). */
  readonly count: number;
  /** How far count may exceed the true count. */
  readonly overcount: number;
}

interface Entry {
  count: number;
  overcount: number;
}

/** Everything a HeavyHitters holds, as structured-clonable data (to send from a worker thread). */
export interface HeavyHittersState {
  readonly entries: Map<string, Entry>;
  readonly floor: number;
  readonly pruned: boolean;
}

export class HeavyHitters {
  readonly #capacity: number;
  readonly #entries = new Map<string, Entry>();
  #floor = 0;
  #pruned = false;

  readonly #store: (key: string) => string;

  /**
   * @param capacity keys kept between prunes (≥ 1); memory is about 2·capacity entries.
   * @param store makes the copy of a new key that is kept (default: the key itself).
   */
  constructor(capacity: number, store: (key: string) => string = (key) => key) {
    this.#store = store;
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, not ${capacity}`);
    this.#capacity = capacity;
  }

  add(key: string, by = 1): void {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      entry.count += by;
      return;
    }
    this.#entries.set(this.#store(key), { count: this.#floor + by, overcount: this.#floor });
    if (this.#entries.size >= 2 * this.#capacity) this.#prune();
  }

  state(): HeavyHittersState {
    return { entries: this.#entries, floor: this.#floor, pruned: this.#pruned };
  }

  /**
   * Adds the counts of another HeavyHitters (over other lines). A key one
   * side lacks may have had up to that side's floor there, so it is added to
   * both its count and its overcount: counts stay upper bounds. Exact when
   * neither side ever dropped a key.
   */
  absorb(other: HeavyHittersState): void {
    for (const [key, entry] of this.#entries) {
      if (!other.entries.has(key)) {
        entry.count += other.floor;
        entry.overcount += other.floor;
      }
    }
    for (const [key, theirs] of other.entries) {
      const mine = this.#entries.get(key);
      if (mine !== undefined) {
        mine.count += theirs.count;
        mine.overcount += theirs.overcount;
      } else {
        this.#entries.set(key, { count: theirs.count + this.#floor, overcount: theirs.overcount + this.#floor });
      }
    }
    this.#floor += other.floor;
    this.#pruned ||= other.pruned;
    if (this.#entries.size >= 2 * this.#capacity) this.#prune();
  }

  /** True while every count is exact (no key was ever dropped). */
  get exact(): boolean {
    return !this.#pruned;
  }

  /** The `n` largest, largest first (ties by key, so output is stable). */
  top(n: number): HeavyHitter[] {
    return [...this.#entries]
      .map(([key, e]) => ({ key, count: e.count, overcount: e.overcount }))
      .sort(byCountThenKey)
      .slice(0, n);
  }

  #prune(): void {
    const sorted = [...this.#entries].sort((a, b) => b[1].count - a[1].count);
    for (let i = this.#capacity; i < sorted.length; i += 1) {
      const [key, entry] = sorted[i]!;
      if (entry.count > this.#floor) this.#floor = entry.count;
      this.#entries.delete(key);
    }
    this.#pruned = true;
  }
}

function byCountThenKey(a: HeavyHitter, b: HeavyHitter): number {
  return b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}
