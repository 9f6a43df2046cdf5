/** Notification texts: plain, no query strings, no free text; and the email address check they rely on. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkEmail } from '../../src/directory/email.ts';
import { isWfError } from '../../src/errors.ts';
import { decisionMail, requestSubmittedMail, scopeText } from '../../src/notify/messages.ts';

const AT = Date.UTC(2026, 10, 23, 19, 5);

test('scopes in words; a URL prefix loses its query string', () => {
  assert.equal(scopeText({ kind: 'domain', domain: 'casino.example' }), 'the site casino.example and its subdomains');
  assert.equal(scopeText({ kind: 'category', category: 'chat' }), 'every site in the category chat');
  assert.equal(scopeText({ kind: 'url', prefix: 'news.example/a/b' }), 'addresses starting news.example/a/b');
  assert.equal(scopeText({ kind: 'url', prefix: 'news.example/a?sid=123' }), 'addresses starting news.example/a (with a query, not shown here)');
});

test('the GSM mail names the member, group, scope and request; the member mail the decision and the requests page', () => {
  const toGsm = requestSubmittedMail(
    { grantId: 'g_0123456789abcdef', scope: { kind: 'domain', domain: 'casino.example' }, requestedDays: 1, requestedAt: AT, member: { id: 'alice', name: 'Alice' }, groupName: 'Labour' },
    [{ id: 'pat', email: 'pat@council.example' }, { id: 'sam', email: 'sam@council.example' }],
  );
  assert.deepEqual(toGsm.to, ['pat@council.example', 'sam@council.example']);
  assert.deepEqual(toGsm.about, { kind: 'request', grant: 'g_0123456789abcdef', recipients: ['staff:pat', 'staff:sam'] });
  assert.match(toGsm.text, /for 1 day\n/);
  assert.match(toGsm.text, /made 23 Nov 2026, 19:05 UTC/);
  const declined = decisionMail(
    { kind: 'decline', grantId: 'g_1', scope: { kind: 'category', category: 'chat' }, requestedAt: AT, at: AT + 60_000, by: 'your Group Support Manager, Pat', expiresAt: null, member: { id: 'alice', name: 'Alice' }, requestsUrl: null },
    { id: 'alice', email: 'alice@council.example' },
  );
  assert.equal(declined.subject, 'wardgate: your request for access: declined');
  assert.match(declined.text, /^Dear Alice,\n\nYour Group Support Manager, Pat declined your request of 23 Nov 2026, 19:05 UTC/);
  assert.doesNotMatch(declined.text, /http:/, 'no requests page link when self-service is off');
});

test('email addresses: one mailbox, domain lower-cased; blank means none; anything else names the problem', () => {
  assert.equal(checkEmail(' Alice.Smith+wg@Council.Example.GOV.uk '), 'Alice.Smith+wg@council.example.gov.uk');
  assert.equal(checkEmail(''), null);
  assert.equal(checkEmail(null), null);
  for (const bad of ['alice', 'alice@', '@council.example', 'a b@council.example', 'alice@localhost', 'Alice <a@b.example>', 'a@b.example, c@d.example', 'a..b@c.example', `${'x'.repeat(65)}@c.example`, 42]) {
    assert.throws(() => checkEmail(bad), (e: unknown) => isWfError(e, 'WF_ERR_INVALID_INPUT'), String(bad));
  }
});
