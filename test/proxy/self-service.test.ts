/**
 * The member's "Ask for access" pages, over real sockets through the proxy:
 * the block page carries the form, the form posts to the reserved host
 * (wardgate.invalid) through the proxy, and a pending grant exists with the
 * proxy-identified member as requester. Token, origin and validation checks;
 * one member never sees another's requests; nothing on the reserved host is
 * classified or forwarded.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteGrantStore } from '../../src/grants/sqlite-grant-store.ts';
import { StaffStore } from '../../src/grants/staff-store.ts';
import { hashPassword } from '../../src/directory/password.ts';
import { createGrantPolicy } from '../../src/grants/grant-rules.ts';
import { createTokenSigner, loadSecret, SECRET_FILE } from '../../src/proxy/self-service-token.ts';
import { openDatabase } from '../../src/store/database.ts';
import { viaProxy, type ProxiedResponse } from '../helpers/proxy-client.ts';
import { BOB, startHarness, type Harness } from '../helpers/wardgate-harness.ts';

const HOST = 'wardgate.invalid';
const BLOCKED = 'http://blocked-porn.test/reports/2026?page=2';
let proxy: Harness;

before(async () => {
  proxy = await startHarness();
});
after(() => proxy.stop());

function asAlice(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<ProxiedResponse> {
  return viaProxy({ proxyPort: proxy.port, url, method: init.method, body: init.body, headers: { 'proxy-authorization': proxy.aliceAuth, ...init.headers } });
}

function asBob(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<ProxiedResponse> {
  return viaProxy({ proxyPort: proxy.port, url, method: init.method, body: init.body, headers: init.headers, localAddress: BOB.address });
}

function field(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  assert.ok(match, `form field ${name} present`);
  return match[1]!.replace(/&amp;/g, '&').replace(/&quot;/g, '"');
}

function post(fields: Record<string, string>, origin: string | null = 'http://blocked-porn.test', who = asAlice): Promise<ProxiedResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (origin !== null) headers.origin = origin;
  return who(`http://${HOST}/request`, { method: 'POST', headers, body: new URLSearchParams(fields).toString() });
}

async function grantsOf(member: string) {
  const db = openDatabase(proxy.dataDir);
  try {
    const store = new SqliteGrantStore(db, { policy: () => createGrantPolicy({ isKnownCategory: () => true, nonGrantableReason: () => null }) });
    return await store.history(member);
  } finally {
    db.close();
  }
}

async function blockPageForm(url = BLOCKED, who = asAlice): Promise<{ token: string; url: string; page: ProxiedResponse }> {
  const page = await who(url);
  assert.equal(page.status, 403);
  return { token: field(page.text, 'token'), url: field(page.text, 'url'), page };
}

test('block page → form posted through the proxy → pending grant requested by the member; 303 to their list', async () => {
  const { token, url, page } = await blockPageForm();
  assert.match(page.text, /<form method="post" action="http:\/\/wardgate\.invalid\/request"/);
  assert.match(page.text, /value="domain"[^>]*> <label[^>]*>This site: blocked-porn\.test/);
  assert.match(page.text, /value="url"/);
  assert.match(page.text, /value="category:pornography"/);
  assert.match(page.text, /<textarea id="reason" name="reason"[^>]* required/);
  assert.match(page.text, /name="days" min="1" max="365"[^>]* value="90"/);
  assert.doesNotMatch(page.text, /<script/i);

  const res = await post({ token, url, scope: 'domain', reason: 'Scrutiny of the licensing committee report', days: '14' });
  assert.equal(res.status, 303, res.text);
  const location = String(res.headers.location);
  assert.match(location, /^http:\/\/wardgate\.invalid\/requests\?sent=g_[0-9a-f]{16}$/);

  const [grant] = await grantsOf('alice');
  assert.ok(grant);
  assert.equal(grant.status, 'pending');
  assert.equal(grant.requestedBy, 'member:alice');
  assert.deepEqual(grant.scope, { kind: 'domain', domain: 'blocked-porn.test' });
  assert.equal(grant.requestedDays, 14);
  assert.equal(grant.reason, 'Scrutiny of the licensing committee report');

  const list = await asAlice(location);
  assert.equal(list.status, 200);
  assert.match(list.text, /has been sent to the Group Support Manager of the Labour group/);
  assert.match(list.text, /the site blocked-porn\.test/);
  assert.match(list.text, /Waiting/);
  assert.equal(list.headers['cache-control'], 'no-store');

  // Logged as self-service lines, never as decisions about wardgate.invalid.
  const line = await proxy.decisions.waitFor((l) => l.type === 'self-service' && l.action === 'request');
  assert.equal(line.member, 'alice');
  assert.equal(line.grant, grant.id);
  assert.equal(line.status, 303);
  assert.equal(line.path, '/request');
  assert.equal(proxy.decisions.lines.filter((l) => l.type === undefined && l.host === HOST).length, 0);
  // The serving process notices its own write: the staff line for the request follows.
  const staff = await proxy.decisions.waitFor((l) => l.type === 'staff' && l.grant === grant.id);
  assert.equal(staff.action, 'request');
  assert.equal(staff.actor, 'member:alice');
  assert.equal(staff.via, 'proxy');
});

test('the secret is kept in the data dir with mode 0600', () => {
  assert.equal(statSync(join(proxy.dataDir, SECRET_FILE)).mode & 0o777, 0o600);
});

test('no token, a wrong token, another member\'s token, a foreign origin or no origin → 403, nothing stored', async () => {
  const before = (await grantsOf('alice')).length;
  const { token, url } = await blockPageForm('http://blocked-porn.test/other');
  const good = { token, url, scope: 'url', reason: 'Needed for a casework enquiry', days: '7' };
  const bobsToken = (await blockPageForm('http://blocked-porn.test/other', asBob)).token;
  const flipped = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
  const otherUrl = (await blockPageForm('http://blocked-porn.test/elsewhere')).token;
  const attempts: [string, ProxiedResponse][] = [
    ['no token', await post({ ...good, token: '' })],
    ['tampered token', await post({ ...good, token: flipped })],
    ["bob's token", await post({ ...good, token: bobsToken })],
    ['token for another address', await post({ ...good, token: otherUrl })],
    ['foreign origin', await post(good, 'http://evil.example')],
    ['Origin: null', await post(good, 'null')],
    ['no Origin or Referer', await post(good, null)],
  ];
  for (const [what, res] of attempts) assert.equal(res.status, 403, what);
  assert.equal((await grantsOf('alice')).length, before, 'nothing stored');
  const refused = proxy.decisions.lines.filter((l) => l.type === 'self-service' && l.action === 'forbidden');
  assert.ok(refused.some((l) => l.error === 'bad-token') && refused.some((l) => l.error === 'bad-origin'));

  // The same form from the page's own origin by Referer (no Origin) goes through.
  const res = await asAlice(`http://${HOST}/request`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', referer: 'http://blocked-porn.test/other' },
    body: new URLSearchParams(good).toString(),
  });
  assert.equal(res.status, 303, res.text);
});

test('bad forms → 400 naming the problem with the form kept; a second identical request → 409', async () => {
  const { token, url } = await blockPageForm('http://blocked-porn.test/bad-forms');
  const good = { token, url, scope: 'category:pornography', reason: 'Policy review on age verification', days: '30' };
  const cases: [Record<string, string>, RegExp][] = [
    [{ ...good, reason: '   ' }, /reason is required/],
    [{ ...good, reason: 'x'.repeat(2001) }, /too long/],
    [{ ...good, days: '0' }, /whole number from 1 to 365/],
    [{ ...good, days: '366' }, /whole number from 1 to 365/],
    [{ ...good, days: 'soon' }, /whole number from 1 to 365/],
    [{ ...good, scope: 'category:chat' }, /Choose what you need/],
  ];
  for (const [fields, problem] of cases) {
    const res = await post(fields);
    assert.equal(res.status, 400, JSON.stringify(fields).slice(0, 80));
    assert.match(res.text, problem);
    assert.match(res.text, /role="alert"/);
    assert.match(res.text, /<form method="post"/, 'the form is kept');
    assert.equal(field(res.text, 'url'), url);
    assert.match(res.text, new RegExp(`value="${fields.days}"`), 'what was typed is kept');
  }
  const bad = await post({ ...good, reason: '<script>alert(1)</script>', days: '0' });
  assert.match(bad.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.doesNotMatch(bad.text, /<script>/);
  // A re-shown form has a fresh token that works, from the wardgate page's own origin.
  const kept = await post({ ...good, days: '0' });
  const again = await post({ ...good, token: field(kept.text, 'token') }, `http://${HOST}`);
  assert.equal(again.status, 303, again.text);
  const twice = await post(good);
  assert.equal(twice.status, 409);
  assert.match(twice.text, /already asked for this/);
  assert.equal((await grantsOf('alice')).filter((g) => g.scope.kind === 'category').length, 1);
  assert.match((await asAlice(`http://${HOST}/requests`)).text, /the category &quot;Pornography&quot; \(30 days\)/);
  const oversize = await post({ ...good, reason: 'y'.repeat(40_000) });
  assert.equal(oversize.status, 413);
});

test('non-grantable content: no form on the block page, and a forged post is refused', async () => {
  const page = await asAlice('http://never-grant.test/');
  assert.equal(page.status, 403);
  assert.match(page.text, /cannot be granted/);
  assert.doesNotMatch(page.text, /<form/);
  // Even with a valid token (minted here with the data dir's secret) the proxy refuses.
  const signer = createTokenSigner(loadSecret(proxy.dataDir));
  const token = signer.mint('alice', 'http://never-grant.test/', Date.now());
  const res = await post({ token, url: 'http://never-grant.test/', scope: 'domain', reason: 'test', days: '1' }, 'http://never-grant.test');
  assert.equal(res.status, 403);
  assert.equal((await grantsOf('alice')).some((g) => g.scope.kind === 'domain' && g.scope.domain === 'never-grant.test'), false);
});

test("a member's list never shows another member's requests", async () => {
  const alice = await asAlice(`http://${HOST}/requests`);
  assert.match(alice.text, /blocked-porn\.test/);
  const bob = await asBob(`http://${HOST}/requests`);
  assert.equal(bob.status, 200);
  assert.match(bob.text, /Bob Example \(bob\), Green group/);
  assert.doesNotMatch(bob.text, /blocked-porn|Alice|licensing/);
  assert.match(bob.text, /have not asked for access to anything yet/);
  // Nor through the confirmation parameter.
  const aliceGrant = (await grantsOf('alice'))[0]!;
  const peek = await asBob(`http://${HOST}/requests?sent=${aliceGrant.id}`);
  assert.doesNotMatch(peek.text, /has been sent|blocked-porn/);
});

test("the list shows each status with what goes with it: expiry, the GSM's notes, revocation, expiry passed", async () => {
  const DAY = 86_400_000;
  const db = openDatabase(proxy.dataDir);
  try {
    new StaffStore(db).add({ id: 'gsm-green', name: 'Gale Green', role: 'gsm', groupId: 'green', passwordHash: await hashPassword('a long password') }, 'cli:test');
    const policy = () => createGrantPolicy({ isKnownCategory: () => true, nonGrantableReason: () => null });
    const longAgo = Date.now() - 10 * DAY;
    const past = new SqliteGrantStore(db, { policy, clock: () => longAgo });
    const store = new SqliteGrantStore(db, { policy });
    const ask = (s: SqliteGrantStore, domain: string) => s.request({ memberId: 'bob', scope: { kind: 'domain', domain }, reason: `reason for ${domain}`, requestedBy: 'member:bob' });
    const approved = await ask(store, 'approved.example');
    await store.approve({ grantId: approved.id, by: 'gsm-green', days: 30, note: 'ok for the inquiry' });
    const declined = await ask(store, 'declined.example');
    await store.decline({ grantId: declined.id, by: 'gsm-green', note: 'use the library <b>terminal</b>' });
    const revoked = await ask(store, 'revoked.example');
    await store.approve({ grantId: revoked.id, by: 'gsm-green', days: 5 });
    await store.revoke({ grantId: revoked.id, by: 'gsm-green', note: 'inquiry closed' });
    const lapsed = await ask(past, 'lapsed.example');
    await past.approve({ grantId: lapsed.id, by: 'gsm-green', days: 1 });
    await ask(store, 'pending.example');
  } finally {
    db.close();
  }
  const page = (await asBob(`http://${HOST}/requests`)).text;
  const rows = [...page.matchAll(/<tr><td>.*?<\/tr>/g)].map((m) => m[0]);
  assert.deepEqual(
    rows.map((r) => /the site ([a-z.]+)/.exec(r)![1]),
    ['pending.example', 'revoked.example', 'declined.example', 'approved.example', 'lapsed.example'],
    'newest first',
  );
  assert.match(rows[0]!, /Waiting/);
  assert.match(rows[1]!, /Revoked<\/strong> on .*Note: inquiry closed/);
  assert.match(rows[2]!, /Declined<\/strong> on .*Note: use the library &lt;b&gt;terminal&lt;\/b&gt;/);
  assert.match(rows[3]!, /Approved<\/strong> on .* UTC, until \d{1,2} \w{3} \d{4}, \d\d:\d\d UTC<br>Note: ok for the inquiry/);
  assert.match(rows[4]!, /Expired<\/strong> on /);
  assert.match(rows[3]!, /reason for approved\.example/);
});

test('the reserved host: sign-in required, unknown pages 404, wrong methods 405, / redirects', async () => {
  const anonymous = await viaProxy({ proxyPort: proxy.port, url: `http://${HOST}/requests` });
  assert.equal(anonymous.status, 407);
  assert.match(String(anonymous.headers['proxy-authenticate']), /^Basic realm="wardgate"/);
  assert.equal((await asAlice(`http://${HOST}/nothing-here`)).status, 404);
  const get = await asAlice(`http://${HOST}/request`);
  assert.equal(get.status, 405);
  assert.equal(get.headers.allow, 'POST');
  const root = await asAlice(`http://WARDGATE.invalid`);
  assert.equal(root.status, 303);
  assert.equal(root.headers.location, `http://${HOST}/requests`);
  const notForm = await asAlice(`http://${HOST}/request`, { method: 'POST', headers: { 'content-type': 'application/json', origin: `http://${HOST}` }, body: '{}' });
  assert.equal(notForm.status, 415);
});

test('selfService.host off: the block page keeps the written-request advice and has no form', async (t) => {
  const off = await startHarness({ selfService: { host: null } });
  t.after(() => off.stop());
  const page = await viaProxy({ proxyPort: off.port, url: BLOCKED, headers: { 'proxy-authorization': off.aliceAuth } });
  assert.equal(page.status, 403);
  assert.match(page.text, /Send a written request to your Group Support Manager/);
  assert.doesNotMatch(page.text, /<form/);
});
