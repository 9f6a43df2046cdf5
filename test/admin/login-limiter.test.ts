/** Per-address sign-in throttling, with an injected clock. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoginLimiter } from '../../src/admin/login-limiter.ts';

test('the n-th failure in a window blocks that address until the window ends; other addresses are unaffected', () => {
  const clock = { now: 1_000_000 };
  const limiter = new LoginLimiter({ maxFailures: 3, windowMs: 60_000, clock: () => clock.now });
  for (let i = 0; i < 2; i++) limiter.recordFailure('10.0.0.1');
  assert.equal(limiter.retryAfterMs('10.0.0.1'), 0, 'two failures: may still try');
  limiter.recordFailure('10.0.0.1');
  assert.equal(limiter.retryAfterMs('10.0.0.1'), 60_000);
  assert.equal(limiter.retryAfterMs('10.0.0.2'), 0);
  clock.now += 59_999;
  assert.equal(limiter.retryAfterMs('10.0.0.1'), 1);
  clock.now += 1;
  assert.equal(limiter.retryAfterMs('10.0.0.1'), 0, 'the window has passed');
  limiter.recordFailure('10.0.0.1');
  assert.equal(limiter.retryAfterMs('10.0.0.1'), 0, 'a new window starts counting from one');
});

test('the number of addresses tracked is bounded (oldest dropped)', () => {
  const limiter = new LoginLimiter({ maxFailures: 1, windowMs: 60_000, maxAddresses: 2 });
  limiter.recordFailure('a');
  limiter.recordFailure('b');
  limiter.recordFailure('c');
  assert.equal(limiter.retryAfterMs('a'), 0);
  assert.ok(limiter.retryAfterMs('b') > 0);
  assert.ok(limiter.retryAfterMs('c') > 0);
});

test('bad settings are refused', () => {
  assert.throws(() => new LoginLimiter({ maxFailures: 0, windowMs: 1 }), /maxFailures/);
  assert.throws(() => new LoginLimiter({ maxFailures: 1, windowMs: 0 }), /windowMs/);
});
