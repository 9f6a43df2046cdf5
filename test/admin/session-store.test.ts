/** Sessions (idle and absolute expiry, hashing, ending) and CSRF token comparison, with an injected clock. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokensMatch } from '../../src/admin/csrf.ts';
import { SessionStore, sha256 } from '../../src/admin/session-store.ts';
import { hashPassword } from '../../src/directory/password.ts';
import { StaffStore } from '../../src/grants/staff-store.ts';
import type { Database } from '../../src/store/database.ts';
import { tempDatabase } from '../helpers/temp-database.ts';

const MIN = 60_000;

async function setup(t: import('node:test').TestContext): Promise<{ db: Database; clock: { now: number }; store: SessionStore }> {
  const db = tempDatabase(t, 'wardgate-sessions-');
  const staff = new StaffStore(db);
  const hash = await hashPassword('a long password');
  staff.add({ id: 'aud', role: 'auditor', passwordHash: hash }, 'cli:test');
  staff.add({ id: 'aud2', role: 'auditor', passwordHash: hash }, 'cli:test');
  const clock = { now: Date.UTC(2026, 10, 23, 9, 0) };
  const store = new SessionStore(db, { idleMs: 30 * MIN, absoluteMs: 8 * 60 * MIN, touchEveryMs: MIN }, () => clock.now);
  return { db, clock, store };
}

test('a session resolves to its account and CSRF token; only the hash of its id is stored', async (t) => {
  const { db, store } = await setup(t);
  const { id, session } = store.create('aud', '127.0.0.1');
  assert.match(id, /^[A-Za-z0-9_-]{43}$/);
  assert.match(session.csrfToken, /^[A-Za-z0-9_-]{43}$/);
  const found = store.lookup(id);
  assert.equal(found.session?.staffId, 'aud');
  assert.equal(found.session?.csrfToken, session.csrfToken);
  const rows = db.prepare('SELECT id_hash FROM admin_sessions').all() as { id_hash: string }[];
  assert.deepEqual(rows, [{ id_hash: sha256(id) }]);
  assert.equal(store.lookup('not-a-session').session, null);
  assert.equal(store.lookup('').session, null);
  assert.notEqual(store.create('aud', null).id, id, 'every sign-in gets a new id');
});

test('idle expiry: used within the idle time it lives on; left idle for it, it ends (to the millisecond)', async (t) => {
  const { clock, store } = await setup(t);
  const { id } = store.create('aud', null);
  clock.now += 29 * MIN;
  assert.ok(store.lookup(id).session, 'used after 29 minutes');
  clock.now += 29 * MIN;
  assert.ok(store.lookup(id).session, 'the previous use reset the idle clock');
  clock.now += 30 * MIN - 1;
  assert.ok(store.lookup(id).session, 'one millisecond before the idle limit');
  clock.now += 30 * MIN;
  assert.deepEqual(store.lookup(id), { session: null, why: 'idle' });
  assert.deepEqual(store.lookup(id), { session: null, why: 'unknown' }, 'an expired session is deleted');
});

test('absolute expiry ends even a busy session', async (t) => {
  const { clock, store } = await setup(t);
  const { id } = store.create('aud', null);
  for (let i = 0; i < 47; i++) {
    clock.now += 10 * MIN;
    assert.ok(store.lookup(id).session, `still live after ${(i + 1) * 10} minutes`);
  }
  clock.now += 10 * MIN; // 480 minutes = 8 hours
  assert.deepEqual(store.lookup(id), { session: null, why: 'absolute' });
});

test('destroy, destroyAllFor (sparing one) and purgeExpired', async (t) => {
  const { clock, store } = await setup(t);
  const a = store.create('aud', null).id;
  const b = store.create('aud', null).id;
  const c = store.create('aud', null).id;
  const other = store.create('aud2', null).id;
  store.destroy(a);
  assert.equal(store.lookup(a).session, null);
  assert.equal(store.destroyAllFor('aud', c), 1);
  assert.equal(store.lookup(b).session, null);
  assert.ok(store.lookup(c).session, 'the spared session lives on');
  assert.ok(store.lookup(other).session, "another account's session is untouched");
  clock.now += 31 * MIN;
  assert.equal(store.purgeExpired(), 2);
});

test('CSRF tokens compare exactly: missing, empty, different, longer or non-string tokens fail', () => {
  const token = 'abcDEF123_-abcDEF123_-abcDEF123_-abcDEF1234';
  assert.equal(tokensMatch(token, token), true);
  assert.equal(tokensMatch(token, undefined), false);
  assert.equal(tokensMatch(token, ''), false);
  assert.equal(tokensMatch(token, token.slice(0, -1) + 'X'), false);
  assert.equal(tokensMatch(token, token + 'X'), false);
  assert.equal(tokensMatch(token, [token]), false);
  assert.equal(tokensMatch('', ''), false);
});

test('a new password or disabling the account (web or CLI: the store) ends its sessions', async (t) => {
  const { db, store } = await setup(t);
  const staff = new StaffStore(db);
  const a = store.create('aud', null).id;
  const b = store.create('aud2', null).id;
  staff.setPassword('aud', await hashPassword('another long password'), 'cli:ops');
  assert.equal(store.lookup(a).session, null);
  assert.ok(store.lookup(b).session);
  staff.setDisabled('aud2', true, 'cli:ops');
  assert.equal(store.lookup(b).session, null);
});
