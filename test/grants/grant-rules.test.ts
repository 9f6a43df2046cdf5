import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWfError, type WfErrorCode } from '../../src/errors.ts';
import { normaliseUrl } from '../../src/classify/normalise-url.ts';
import type { Classification, RuleMatch } from '../../src/classify/classification.ts';
import { buildPolicy } from '../../src/policy/build-policy.ts';
import { decide } from '../../src/policy/decide.ts';
import { covers, isActive, type Grant, type GrantScope, type GrantStatus } from '../../src/policy/grants.ts';
import {
  assertGrantable,
  assertMayDecide,
  assertMayRequest,
  assertTransition,
  canonicalScope,
  checkNote,
  checkReason,
  checkRequestedDays,
  createGrantPolicy,
  formatScope,
  parseScope,
  resolveExpiry,
  type DecisionAction,
  type StaffFacts,
} from '../../src/grants/grant-rules.ts';
import { DAY_MS } from '../../src/grants/time.ts';
import { fakeGrantPolicy } from './fake-grant-policy.ts';

const NOW = Date.UTC(2026, 2, 1, 9, 30, 0);
const policy = fakeGrantPolicy();

function fails(code: WfErrorCode, ...fragments: string[]) {
  return (error: unknown) => {
    assert.ok(isWfError(error, code), `expected ${code}, got ${String(error)}`);
    for (const f of fragments) assert.ok(error.message.includes(f), `"${error.message}" lacks "${f}"`);
    return true;
  };
}

const domain = (d: string) => canonicalScope({ kind: 'domain', domain: d });
const url = (p: string) => canonicalScope({ kind: 'url', prefix: p });

test('domain scopes are canonical hosts: case, trailing dot, IDN, list-file habits', () => {
  assert.deepEqual(domain(' Example.COM. '), { kind: 'domain', domain: 'example.com' });
  assert.deepEqual(domain('*.example.com'), { kind: 'domain', domain: 'example.com' });
  assert.deepEqual(domain('.example.com'), { kind: 'domain', domain: 'example.com' });
  assert.deepEqual(domain('bücher.example'), { kind: 'domain', domain: 'xn--bcher-kva.example' });
  assert.deepEqual(domain('user.github.io'), { kind: 'domain', domain: 'user.github.io' });
  assert.deepEqual(domain('0x7f.1'), { kind: 'domain', domain: '127.0.0.1' });
});

test('domain scopes refuse URLs, bad names and public suffixes', () => {
  assert.throws(() => domain('https://example.com'), fails('WF_ERR_INVALID_INPUT', 'url scope'));
  assert.throws(() => domain('example.com/path'), fails('WF_ERR_INVALID_INPUT'));
  assert.throws(() => domain('exa mple.com'), fails('WF_ERR_INVALID_INPUT', 'not a valid domain'));
  assert.throws(() => domain(''), fails('WF_ERR_INVALID_INPUT'));
  for (const suffix of ['com', 'co.uk', 'github.io', 'localhost']) {
    assert.throws(() => domain(suffix), fails('WF_ERR_INVALID_INPUT', 'public suffix'), suffix);
  }
});

test('url scopes are spelt Target.authority + matchPath, so covers() meets every spelling of a request', () => {
  assert.deepEqual(url('HTTPS://WWW.Example.com/Reports/%41nnual'), { kind: 'url', prefix: 'www.example.com/reports/annual' });
  assert.deepEqual(url('example.com'), { kind: 'url', prefix: 'example.com/' });
  assert.deepEqual(url('https://example.com:443/a'), { kind: 'url', prefix: 'example.com/a' });
  assert.deepEqual(url('example.com:8080/a'), { kind: 'url', prefix: 'example.com:8080/a' });
  assert.deepEqual(url('example.com/a/../b#frag'), { kind: 'url', prefix: 'example.com/b' });
  assert.deepEqual(url('example.com/search?q=Thing'), { kind: 'url', prefix: 'example.com/search?q=thing' });
  const grant: Grant = { id: 'g', memberId: 'm', scope: url('http://Example.com/Reports/'), status: 'approved', expiresAt: NOW + 1 };
  const m: RuleMatch = { category: 'chat', list: 'chat', kind: 'domain', entry: 'example.com', file: 'chat/domains', line: 1, grantable: true, source: 'local' };
  for (const request of ['https://EXAMPLE.com/reports/2026', 'http://example.com./%52eports/x', 'http://example.com:80/reports/']) {
    assert.ok(covers(grant, m, normaliseUrl(request)), request);
  }
  assert.ok(!covers(grant, m, normaliseUrl('http://example.com/other/reports/')));
  assert.ok(!covers(grant, m, normaliseUrl('http://example.com.evil.test/reports/')));
});

test('url scopes refuse other schemes, bad URLs and over-long prefixes', () => {
  assert.throws(() => url('ftp://example.com/x'), fails('WF_ERR_INVALID_INPUT', 'host/path'));
  assert.throws(() => url(''), fails('WF_ERR_INVALID_INPUT', 'empty'));
  assert.throws(() => url('exa mple.com/x'), fails('WF_ERR_INVALID_INPUT'));
  assert.throws(() => url(`example.com/${'a'.repeat(2000)}`), fails('WF_ERR_INVALID_INPUT', '2000'));
});

test('category scopes are lower-case ids; parseScope and formatScope round-trip', () => {
  assert.deepEqual(canonicalScope({ kind: 'category', category: ' Chat ' }), { kind: 'category', category: 'chat' });
  assert.throws(() => canonicalScope({ kind: 'category', category: 'no such!' }), fails('WF_ERR_INVALID_INPUT'));
  for (const text of ['category:chat', 'domain:example.com', 'url:example.com/a/']) assert.equal(formatScope(parseScope(text)), text);
  assert.equal(formatScope(parseScope('Domain:WWW.Example.com')), 'domain:www.example.com');
  assert.throws(() => parseScope('example.com'), fails('WF_ERR_INVALID_INPUT'));
  assert.throws(() => parseScope('host:example.com'), fails('WF_ERR_INVALID_INPUT', 'category, domain or url'));
});

test('non-grantable content is refused for category, domain and url scopes; unknown categories too', () => {
  const cases: [GrantScope, WfErrorCode, string][] = [
    [{ kind: 'category', category: 'weapons' }, 'WF_ERR_FORBIDDEN', 'weapons is marked non-grantable'],
    [domain('sub.never-grant.test'), 'WF_ERR_FORBIDDEN', 'illegal/child-abuse'],
    [url('never-grant.test/any/'), 'WF_ERR_FORBIDDEN', 'illegal/child-abuse'],
    [{ kind: 'category', category: 'knitting' }, 'WF_ERR_INVALID_INPUT', 'no category "knitting"'],
  ];
  for (const [scope, code, text] of cases) assert.throws(() => assertGrantable(scope, policy), fails(code, text));
  assert.doesNotThrow(() => assertGrantable({ kind: 'category', category: 'chat' }, policy));
  assert.doesNotThrow(() => assertGrantable(domain('blocked-porn.test'), policy));
  // The rules ask the injected function, whatever it is.
  const seen: GrantScope[] = [];
  const spy = createGrantPolicy({ isKnownCategory: () => true, nonGrantableReason: (s) => (seen.push(s), null) });
  assertGrantable(url('example.com/x'), spy);
  assert.deepEqual(seen, [{ kind: 'url', prefix: 'example.com/x' }]);
});

test('the written reason is required, trimmed, at most 2000 characters, plain text; notes are optional', () => {
  assert.equal(checkReason('  Needed for the licensing committee\nsecond paragraph  '), 'Needed for the licensing committee\nsecond paragraph');
  for (const bad of ['', '   ', undefined, 42]) assert.throws(() => checkReason(bad), fails('WF_ERR_INVALID_INPUT', 'reason is required'));
  assert.equal(checkReason('é'.repeat(2000)).length, 2000);
  assert.throws(() => checkReason('x'.repeat(2001)), fails('WF_ERR_INVALID_INPUT', 'at most 2000'));
  assert.throws(() => checkReason('bell\u0007'), fails('WF_ERR_INVALID_INPUT', 'plain text'));
  assert.equal(checkNote(undefined), null);
  assert.equal(checkNote('  '), null);
  assert.equal(checkNote(' ok '), 'ok');
  assert.throws(() => checkNote('y'.repeat(2001)), fails('WF_ERR_INVALID_INPUT', '2000'));
});

test('an approval always carries an expiry: default 90 days, maximum 365, both configurable', () => {
  assert.equal(resolveExpiry(NOW, {}, null, policy), NOW + 90 * DAY_MS);
  assert.equal(resolveExpiry(NOW, {}, 14, policy), NOW + 14 * DAY_MS, 'the requested duration');
  assert.equal(resolveExpiry(NOW, { days: 365 }, 14, policy), NOW + 365 * DAY_MS, 'the decider overrides the request');
  assert.equal(resolveExpiry(NOW, { expiresAt: NOW + 1 }, null, policy), NOW + 1);
  assert.equal(resolveExpiry(NOW, { expiresAt: NOW + 365 * DAY_MS }, null, policy), NOW + 365 * DAY_MS);
  assert.throws(() => resolveExpiry(NOW, { expiresAt: NOW }, null, policy), fails('WF_ERR_INVALID_INPUT', 'not in the future'));
  assert.throws(() => resolveExpiry(NOW, { expiresAt: NOW - DAY_MS }, null, policy), fails('WF_ERR_INVALID_INPUT', 'not in the future'));
  assert.throws(() => resolveExpiry(NOW, { expiresAt: NOW + 365 * DAY_MS + 1 }, null, policy), fails('WF_ERR_INVALID_INPUT', '365 days'));
  assert.throws(() => resolveExpiry(NOW, { expiresAt: Number.NaN }, null, policy), fails('WF_ERR_INVALID_INPUT'));
  for (const days of [0, -1, 1.5, 366]) assert.throws(() => resolveExpiry(NOW, { days }, null, policy), fails('WF_ERR_INVALID_INPUT', '1 to 365'));
  assert.throws(() => resolveExpiry(NOW, { days: 1, expiresAt: NOW + 5 }, null, policy), fails('WF_ERR_INVALID_INPUT', 'not both'));
  const strict = fakeGrantPolicy({ defaultExpiryDays: 7, maxExpiryDays: 30 });
  assert.equal(resolveExpiry(NOW, {}, null, strict), NOW + 7 * DAY_MS);
  assert.equal(resolveExpiry(NOW, {}, 60, strict), NOW + 30 * DAY_MS, 'a request made under a longer maximum is capped');
  assert.throws(() => checkRequestedDays(31, strict), fails('WF_ERR_INVALID_INPUT', '1 to 30'));
  assert.equal(checkRequestedDays(undefined, strict), null);
});

test('expiry limits are validated when the policy is built', () => {
  const base = { isKnownCategory: () => true, nonGrantableReason: () => null };
  for (const limits of [{ defaultExpiryDays: 0 }, { maxExpiryDays: 10, defaultExpiryDays: 11 }, { maxExpiryDays: 4000 }, { defaultExpiryDays: 1.5 }]) {
    assert.throws(() => createGrantPolicy({ ...base, ...limits }), fails('WF_ERR_CONFIG_INVALID'), JSON.stringify(limits));
  }
  assert.equal(createGrantPolicy(base).maxExpiryDays, 365);
});

const gsm = (id: string, groupId: string, extra: Partial<StaffFacts> = {}): StaffFacts => ({ id, role: 'gsm', groupId, memberId: null, disabled: false, ...extra });
const admin: StaffFacts = { id: 'ict', role: 'admin', groupId: null, memberId: null, disabled: false };
const auditor: StaffFacts = { id: 'audit', role: 'auditor', groupId: null, memberId: null, disabled: false };
const alice = { id: 'alice', groupId: 'labour' };
const grantOfAlice = { id: 'g_1', memberId: 'alice' };

test('who decides: the GSM of the member\'s own group; an administrator only revokes; auditors never', () => {
  const table: [StaffFacts, DecisionAction, WfErrorCode | null, string?][] = [
    [gsm('g-lab', 'labour'), 'approve', null],
    [gsm('g-lab', 'labour'), 'decline', null],
    [gsm('g-lab', 'labour'), 'revoke', null],
    [gsm('g-green', 'green'), 'approve', 'WF_ERR_FORBIDDEN', 'group "green"'],
    [gsm('g-green', 'green'), 'decline', 'WF_ERR_FORBIDDEN', 'group "green"'],
    [gsm('g-green', 'green'), 'revoke', 'WF_ERR_FORBIDDEN', 'group "green"'],
    [admin, 'approve', 'WF_ERR_FORBIDDEN', 'only revoke'],
    [admin, 'decline', 'WF_ERR_FORBIDDEN', 'only revoke'],
    [admin, 'revoke', null],
    [auditor, 'approve', 'WF_ERR_FORBIDDEN', 'read-only'],
    [auditor, 'revoke', 'WF_ERR_FORBIDDEN', 'read-only'],
    [gsm('g-lab', 'labour', { disabled: true }), 'approve', 'WF_ERR_FORBIDDEN', 'disabled'],
    [{ ...admin, disabled: true }, 'revoke', 'WF_ERR_FORBIDDEN', 'disabled'],
  ];
  for (const [staff, action, code, text] of table) {
    const run = () => assertMayDecide(action, staff, alice, grantOfAlice);
    if (code === null) assert.doesNotThrow(run, `${staff.id} ${action}`);
    else assert.throws(run, fails(code, text ?? ''), `${staff.id} ${action}`);
  }
});

test('nobody decides their own request (revoking one\'s own grant is allowed: it only removes access)', () => {
  const aliceAsGsm = gsm('alice-gsm', 'labour', { memberId: 'alice' });
  assert.throws(() => assertMayDecide('approve', aliceAsGsm, alice, grantOfAlice), fails('WF_ERR_FORBIDDEN', 'own request'));
  assert.throws(() => assertMayDecide('decline', aliceAsGsm, alice, grantOfAlice), fails('WF_ERR_FORBIDDEN', 'own request'));
  assert.doesNotThrow(() => assertMayDecide('revoke', aliceAsGsm, alice, grantOfAlice));
  assert.doesNotThrow(() => assertMayDecide('approve', aliceAsGsm, { id: 'bob', groupId: 'labour' }, { id: 'g_2', memberId: 'bob' }));
});

test('who may ask: the member for themselves, staff of their group or an administrator, the CLI operator', () => {
  assert.doesNotThrow(() => assertMayRequest({ kind: 'member', id: 'alice' }, alice, null));
  assert.throws(() => assertMayRequest({ kind: 'member', id: 'bob' }, alice, null), fails('WF_ERR_FORBIDDEN', 'another member'));
  assert.doesNotThrow(() => assertMayRequest({ kind: 'staff', id: 'g-lab' }, alice, gsm('g-lab', 'labour')));
  assert.doesNotThrow(() => assertMayRequest({ kind: 'staff', id: 'ict' }, alice, admin));
  assert.throws(() => assertMayRequest({ kind: 'staff', id: 'g-green' }, alice, gsm('g-green', 'green')), fails('WF_ERR_FORBIDDEN', 'green'));
  assert.throws(() => assertMayRequest({ kind: 'staff', id: 'audit' }, alice, auditor), fails('WF_ERR_FORBIDDEN', 'read-only'));
  assert.throws(() => assertMayRequest({ kind: 'staff', id: 'x' }, alice, null), fails('WF_ERR_NOT_FOUND', '"x"'));
  assert.doesNotThrow(() => assertMayRequest({ kind: 'cli', id: 'root' }, alice, null));
  assert.throws(() => assertMayRequest({ kind: 'system', id: '' }, alice, null), fails('WF_ERR_FORBIDDEN'));
});

test('transitions: only pending → approved | declined and approved → revoked | expired', () => {
  const statuses: GrantStatus[] = ['pending', 'approved', 'declined', 'revoked', 'expired'];
  const allowed = new Set(['pending>approved', 'pending>declined', 'approved>revoked', 'approved>expired']);
  const expiresAt = NOW + 1_000;
  for (const from of statuses) {
    for (const to of statuses) {
      // Expiry is only due once the instant has come; revocation only before it.
      const at = to === 'expired' ? expiresAt : NOW;
      const run = () => assertTransition({ id: 'g_1', memberId: 'alice', status: from, expiresAt }, to, at);
      if (allowed.has(`${from}>${to}`)) assert.doesNotThrow(run, `${from} → ${to}`);
      else assert.throws(run, fails('WF_ERR_GRANT_STATE', `is ${from}`), `${from} → ${to}`);
    }
  }
  const approved = { id: 'g_1', memberId: 'alice', status: 'approved' as const, expiresAt };
  assert.throws(() => assertTransition(approved, 'revoked', expiresAt), fails('WF_ERR_GRANT_STATE', 'expired at'));
  assert.throws(() => assertTransition(approved, 'expired', expiresAt - 1), fails('WF_ERR_GRANT_STATE', 'not reached'));
});

test('expiry is honoured to the millisecond by decide(); a revoked grant is never honoured', () => {
  const T = resolveExpiry(NOW, { expiresAt: Date.UTC(2026, 2, 2, 0, 0, 0) }, null, policy);
  const grant: Grant = { id: 'g_1', memberId: 'alice', scope: domain('blocked-porn.test'), status: 'approved', expiresAt: T };
  const decisionPolicy = buildPolicy([{ id: 'pornography', title: 'P', definition: '', optional: false, grantable: true }], {});
  const target = normaliseUrl('https://blocked-porn.test/x');
  const classification: Classification = {
    categories: ['pornography'],
    matches: [{ category: 'pornography', list: 'pornography', kind: 'domain', entry: 'blocked-porn.test', file: 'pornography/domains', line: 1, grantable: true, source: 'local' }],
    trusted: false,
  };
  const member = { id: 'alice', name: 'Alice', groupId: 'labour' };
  assert.ok(isActive(grant, T - 1) && !isActive(grant, T));
  assert.equal(decide(classification, target, member, [grant], decisionPolicy, T - 1).action, 'allow-by-grant');
  assert.equal(decide(classification, target, member, [grant], decisionPolicy, T).action, 'block');
  assert.equal(decide(classification, target, member, [grant], decisionPolicy, T + 1).action, 'block');
  for (const status of ['revoked', 'expired', 'pending', 'declined'] as const) {
    assert.equal(decide(classification, target, member, [{ ...grant, status }], decisionPolicy, T - 1).action, 'block', status);
  }
});
