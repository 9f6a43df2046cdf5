/** API tokens: shown once, stored as a hash, expire, revoke, audited. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword } from '../../src/directory/password.ts';
import { ApiTokenStore } from '../../src/grants/api-token-store.ts';
import { queryAuditEvents } from '../../src/grants/sqlite-audit.ts';
import { StaffStore } from '../../src/grants/staff-store.ts';
import { DAY_MS } from '../../src/grants/time.ts';
import { isWfError } from '../../src/errors.ts';
import { tempDatabase } from '../helpers/temp-database.ts';

test('issue, verify, expire, revoke; the table never holds the token; issue and revoke are audited', async (t) => {
  const db = tempDatabase(t, 'wardgate-tokens-');
  new StaffStore(db).add({ id: 'gsm1', role: 'auditor', passwordHash: await hashPassword('a long password') }, 'cli:test');
  const clock = { now: Date.UTC(2026, 10, 23) };
  const store = new ApiTokenStore(db, () => clock.now);

  const { token, record } = store.issue({ staffId: 'gsm1', name: 'nightly export', expiresDays: 2, actor: 'cli:ops' });
  assert.match(token, /^wgt_[A-Za-z0-9_-]{43}$/);
  assert.match(record.id, /^t_[0-9a-f]{8}$/);
  const dump = JSON.stringify(db.prepare('SELECT * FROM api_tokens').all());
  assert.ok(!dump.includes(token.slice(4)), 'the secret is not stored');
  assert.equal(store.verify(token)?.staffId, 'gsm1');
  assert.equal(store.verify(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')), null);
  assert.equal(store.verify('Bearer nonsense'), null);

  clock.now += 2 * DAY_MS - 1;
  assert.ok(store.verify(token), 'valid until its expiry');
  clock.now += 1;
  assert.equal(store.verify(token), null, 'not at its expiry');

  const second = store.issue({ staffId: 'gsm1', actor: 'cli:ops' });
  assert.equal(second.record.expiresAt, null);
  store.revoke(second.record.id, 'cli:ops');
  assert.equal(store.verify(second.token), null);
  assert.throws(() => store.revoke(second.record.id, 'cli:ops'), (e) => isWfError(e, 'WF_ERR_CONFLICT'));
  assert.deepEqual(store.list('gsm1').map((r) => r.id).sort(), [record.id, second.record.id].sort());

  const events = queryAuditEvents(db, { subject: 'staff:gsm1' }).filter((e) => e.action.startsWith('token-'));
  assert.deepEqual(events.map((e) => [e.action, e.actor]), [['token-issue', 'cli:ops'], ['token-issue', 'cli:ops'], ['token-revoke', 'cli:ops']]);
  assert.ok(!JSON.stringify(events).includes(token.slice(4)));

  assert.throws(() => store.issue({ staffId: 'nobody', actor: 'cli:ops' }), (e) => isWfError(e, 'WF_ERR_NOT_FOUND'));
  assert.throws(() => store.issue({ staffId: 'gsm1', expiresDays: 0, actor: 'cli:ops' }), (e) => isWfError(e, 'WF_ERR_INVALID_INPUT'));
  assert.throws(() => store.issue({ staffId: 'gsm1', name: 'two\nlines', actor: 'cli:ops' }), (e) => isWfError(e, 'WF_ERR_INVALID_INPUT'));
});
