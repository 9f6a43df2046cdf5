import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildActiveGrants, EMPTY_GRANT_INDEX, indexActiveGrants, nextExpiry } from '../../src/grants/active-grants.ts';
import { startExpiryTicker } from '../../src/grants/expiry-ticker.ts';
import type { GrantRecord } from '../../src/grants/grant-store.ts';
import type { Grant } from '../../src/policy/grants.ts';

const NOW = Date.UTC(2026, 5, 1);

function grant(id: string, memberId: string, extra: Partial<Grant> = {}): Grant {
  return { id, memberId, scope: { kind: 'category', category: 'chat' }, status: 'approved', expiresAt: NOW + 1_000, ...extra };
}

test('the index keeps only grants honoured at now, by member, and is frozen throughout', () => {
  const index = indexActiveGrants(
    [grant('a1', 'alice'), grant('a2', 'alice', { expiresAt: NOW }), grant('b1', 'bob', { status: 'revoked' }), grant('c1', 'carol'), grant('a3', 'alice')],
    NOW,
  );
  assert.deepEqual([...index.keys()], ['alice', 'carol']);
  assert.deepEqual(index.get('alice')!.map((g) => g.id), ['a1', 'a3']);
  assert.ok(Object.isFrozen(index.get('alice')) && Object.isFrozen(index.get('alice')![0]) && Object.isFrozen(index.get('alice')![0]!.scope));
  const map = index as Map<string, readonly Grant[]>;
  assert.throws(() => map.set('mallory', []), TypeError);
  assert.throws(() => map.delete('alice'), TypeError);
  assert.throws(() => map.clear(), TypeError);
  assert.throws(() => (EMPTY_GRANT_INDEX as Map<string, readonly Grant[]>).set('x', []), TypeError);
  assert.equal(nextExpiry(index, NOW), NOW + 1_000);
  assert.equal(nextExpiry(EMPTY_GRANT_INDEX, NOW), null);
});

test('buildActiveGrants reads the store at now and indexes what it returns', async () => {
  let askedAt = 0;
  const store = {
    async activeGrants(now: number) {
      askedAt = now;
      return new Map([['alice', [grant('a1', 'alice')]]]);
    },
  };
  const index = await buildActiveGrants(store, NOW);
  assert.equal(askedAt, NOW);
  assert.deepEqual(index.get('alice')!.map((g) => g.id), ['a1']);
});

test('the expiry ticker reports what expired, never overlaps, and hands errors on', async (t) => {
  const calls: number[] = [];
  let fail = false;
  let release: (() => void) | undefined;
  const store = {
    async expireDue(now: number): Promise<GrantRecord[]> {
      calls.push(now);
      if (fail) throw new Error('store down');
      await new Promise<void>((resolve) => (release = resolve));
      return calls.length === 1 ? [{ id: 'g_1' } as GrantRecord] : [];
    },
  };
  const expired: string[][] = [];
  const errors: unknown[] = [];
  const ticker = startExpiryTicker({ store, intervalMs: 60_000, now: () => NOW, onExpired: (g) => expired.push(g.map((x) => x.id)), onError: (e) => errors.push(e) });
  t.after(() => ticker.stop());
  const first = ticker.tick();
  const again = ticker.tick();
  assert.equal(first, again, 'a tick in progress is shared, not repeated');
  release!();
  await first;
  assert.deepEqual(calls, [NOW]);
  assert.deepEqual(expired, [['g_1']]);
  const second = ticker.tick();
  release!();
  await second;
  assert.deepEqual(expired, [['g_1']], 'nothing expired: no call');
  fail = true;
  await ticker.tick();
  assert.equal((errors[0] as Error).message, 'store down');
  assert.throws(() => startExpiryTicker({ store, intervalMs: 0, now: Date.now, onExpired() {}, onError() {} }), RangeError);
});
