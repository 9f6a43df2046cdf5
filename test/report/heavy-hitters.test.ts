import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeavyHitters } from '../../src/report/heavy-hitters.ts';
import { mulberry32 } from '../helpers/prng.ts';

test('fewer distinct keys than the capacity: exact counts, largest first, ties by key', () => {
  const h = new HeavyHitters(10);
  for (const k of ['b', 'a', 'c', 'a', 'b', 'a']) h.add(k);
  assert.equal(h.exact, true);
  assert.deepEqual(h.top(2), [{ key: 'a', count: 3, overcount: 0 }, { key: 'b', count: 2, overcount: 0 }]);
  assert.deepEqual(h.top(10).map((x) => x.key), ['a', 'b', 'c']);
});

test('many more keys than the capacity: memory bounded, heavy keys found, every count an upper bound within its overcount', () => {
  const random = mulberry32(11);
  const truth = new Map<string, number>();
  const h = new HeavyHitters(100);
  for (let i = 0; i < 60_000; i += 1) {
    // Five heavy keys among 20,000 rare ones.
    const key = random() < 0.3 ? `heavy-${Math.floor(random() * 5)}` : `rare-${Math.floor(random() * 20_000)}`;
    truth.set(key, (truth.get(key) ?? 0) + 1);
    h.add(key);
  }
  assert.equal(h.exact, false);
  const top = h.top(5);
  assert.deepEqual(top.map((t) => t.key).sort(), ['heavy-0', 'heavy-1', 'heavy-2', 'heavy-3', 'heavy-4']);
  for (const t of h.top(200)) {
    const real = truth.get(t.key)!;
    assert.ok(t.count >= real && t.count - t.overcount <= real, `${t.key}: reported ${t.count} (±${t.overcount}), true ${real}`);
  }
  assert.ok(h.top(Number.MAX_SAFE_INTEGER).length < 200, 'never holds more than twice the capacity');
});

test('capacity must be a positive integer', () => {
  assert.throws(() => new HeavyHitters(0), RangeError);
  assert.throws(() => new HeavyHitters(1.5), RangeError);
});
