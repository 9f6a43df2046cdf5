/**
 * The staff web UI and JSON API over real sockets, on a whole wardgate
 * (startHarness): sign-in, lockout, sessions, CSRF, role and group checks,
 * HTML escaping, security headers and bearer tokens. Tests run in order and
 * share one server; the per-address sign-in limit is exercised last because
 * every failed sign-in before it counts towards it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ApiTokenStore } from '../../src/grants/api-token-store.ts';
import { queryAuditEvents } from '../../src/grants/sqlite-audit.ts';
import { openDatabase } from '../../src/store/database.ts';
import { startHarness, type Harness } from '../helpers/wardgate-harness.ts';
import { AdminClient, addStaff, api, assertNoRawScript, STAFF_PASSWORD } from './admin-client.ts';

let harness: Harness;
let base: string;
const tokens: Record<string, string> = {};
let hostileGrant: string;

function issueToken(staffId: string): string {
  const db = openDatabase(harness.dataDir);
  try {
    return new ApiTokenStore(db).issue({ staffId, name: 'test', actor: 'cli:test' }).token;
  } finally {
    db.close();
  }
}

before(async () => {
  harness = await startHarness();
  base = `http://127.0.0.1:${harness.wardgate.adminAddress!.port}`;
  await addStaff(harness.dataDir, [
    { id: 'gsm-labour', role: 'gsm', groupId: 'labour' },
    { id: 'gsm-green', role: 'gsm', groupId: 'green' },
    { id: 'auditor1', role: 'auditor' },
    { id: 'admin1', role: 'admin' },
    { id: 'lockme', role: 'auditor' },
  ]);
  for (const id of ['gsm-labour', 'gsm-green', 'auditor1', 'admin1']) tokens[id] = issueToken(id);
  const made = await api(base, tokens['admin1']!, 'POST', '/grants', {
    memberId: 'alice',
    scope: 'domain:blocked-porn.test',
    reason: '<script>alert("x")</script> & "quotes" for the scrutiny inquiry',
    days: 7,
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  hostileGrant = made.body.grant.id;
});
after(async () => {
  await harness.stop();
});

test('sign-in: a good password gives a new HttpOnly SameSite=Strict session; a planted id is not kept', async () => {
  const client = new AdminClient(base);
  client.cookies.set('wardgate_session', 'planted-by-an-attacker');
  const login = await client.get('/login');
  assert.equal(login.status, 200);
  assert.match(login.text, /<label for="user">/);
  const res = await client.post('/login', { user: 'gsm-labour', password: STAFF_PASSWORD });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/');
  const line = res.setCookies.find((c) => c.startsWith('wardgate_session='))!;
  assert.ok(line !== undefined, 'a session cookie is set');
  assert.match(line, /HttpOnly/i);
  assert.match(line, /SameSite=Strict/i);
  assert.doesNotMatch(line, /Secure/i, 'no Secure flag over plain HTTP');
  assert.notEqual(client.cookies.get('wardgate_session'), 'planted-by-an-attacker');
  const queue = await client.get('/queue');
  assert.equal(queue.status, 200);
  assert.match(queue.text, /Signed in as gsm-labour/);
});

test('sign-in: a wrong password is refused (401) and sets no session', async () => {
  const client = new AdminClient(base);
  const res = await client.signIn('gsm-labour', 'not the password');
  assert.equal(res.status, 401);
  assert.match(res.text, /wrong user name or password/);
  assert.equal(client.cookies.has('wardgate_session'), false);
  assert.equal((await client.get('/queue')).status, 303, 'still signed out');
});

test('sign-in without the login form token is refused (403)', async () => {
  const client = new AdminClient(base);
  await client.get('/login');
  const res = await client.post('/login', { user: 'gsm-labour', password: STAFF_PASSWORD, _csrf: 'forged' });
  assert.equal(res.status, 403);
  assert.equal(client.cookies.has('wardgate_session'), false);
});

test('five wrong passwords lock the account: even the right one is then refused, and the lock is audited', async () => {
  const client = new AdminClient(base);
  for (let i = 0; i < 5; i++) assert.equal((await client.signIn('lockme', `wrong ${i}`)).status, 401);
  const res = await client.signIn('lockme', STAFF_PASSWORD);
  assert.equal(res.status, 401);
  assert.match(res.text, /locked until/);
  const db = openDatabase(harness.dataDir);
  try {
    assert.deepEqual(queryAuditEvents(db, { action: 'staff-locked' }).map((e) => e.subject), ['staff:lockme']);
  } finally {
    db.close();
  }
});

test('signed-out visitors are sent to sign in, pages carry the security headers, and sign-out ends the session', async () => {
  const anonymous = new AdminClient(base);
  const redirected = await anonymous.get('/grants');
  assert.equal(redirected.status, 303);
  assert.equal(redirected.headers.get('location'), '/login');

  const client = new AdminClient(base);
  await client.signIn('auditor1', STAFF_PASSWORD);
  const res = await client.get('/grants');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-security-policy')!, /default-src 'self'/);
  assert.match(res.headers.get('content-security-policy')!, /frame-ancestors 'none'/);
  assert.equal(res.headers.get('x-frame-options'), 'DENY');
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  const out = await client.post('/logout');
  assert.equal(out.status, 303);
  assert.equal((await client.get('/grants')).status, 303, 'the old session no longer works');
});

test('a hostile reason is shown as text, never as markup, on the queue and the grant page', async () => {
  const client = new AdminClient(base);
  await client.signIn('gsm-labour', STAFF_PASSWORD);
  for (const path of ['/queue', `/grants/${hostileGrant}`, '/grants']) {
    const res = await client.get(path);
    assert.equal(res.status, 200, path);
    assert.ok(res.text.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;'), `${path} shows the escaped reason`);
    assertNoRawScript(res.text);
  }
});

test('a form without the CSRF token, or with a forged one, is refused (403) and changes nothing', async () => {
  const client = new AdminClient(base);
  await client.signIn('gsm-labour', STAFF_PASSWORD);
  await client.get(`/grants/${hostileGrant}`);
  assert.equal((await client.post(`/grants/${hostileGrant}/approve`, { _csrf: null, days: '3' })).status, 403);
  assert.equal((await client.post(`/grants/${hostileGrant}/decline`, { _csrf: 'x'.repeat(43) })).status, 403);
  const after = await api(base, tokens['auditor1']!, 'GET', `/grants/${hostileGrant}`);
  assert.equal(after.body.grant.status, 'pending');
});

test("a GSM of another group can neither see nor decide the request (403), on the web or the API", async () => {
  const client = new AdminClient(base);
  await client.signIn('gsm-green', STAFF_PASSWORD);
  const queue = await client.get('/queue');
  assert.equal(queue.status, 200);
  assert.ok(!queue.text.includes(hostileGrant), "the other group's request is not in the queue");
  const page = await client.get(`/grants/${hostileGrant}`);
  assert.equal(page.status, 403);
  assert.match(page.text, /Group Support Manager of group &quot;green&quot;/);
  assert.equal((await client.post(`/grants/${hostileGrant}/approve`, { days: '3' })).status, 403);
  assert.equal((await client.get('/grants?group=labour')).status, 403);
  const viaApi = await api(base, tokens['gsm-green']!, 'POST', `/grants/${hostileGrant}/approve`, { days: 3 });
  assert.equal(viaApi.status, 403);
  assert.equal(viaApi.body.error.code, 'WF_ERR_FORBIDDEN');
  assert.equal((await api(base, tokens['gsm-green']!, 'GET', `/grants/${hostileGrant}`)).status, 403);
  assert.deepEqual((await api(base, tokens['gsm-green']!, 'GET', '/grants')).body.grants, []);
  assert.equal((await api(base, tokens['auditor1']!, 'GET', `/grants/${hostileGrant}`)).body.grant.status, 'pending');
});

test('an auditor cannot approve (403) on the web or the API; an admin cannot approve either (rules)', async () => {
  const client = new AdminClient(base);
  await client.signIn('auditor1', STAFF_PASSWORD);
  const page = await client.get(`/grants/${hostileGrant}`);
  assert.equal(page.status, 200);
  assert.ok(!page.text.includes('/approve"'), 'no approve form for an auditor');
  assert.equal((await client.post(`/grants/${hostileGrant}/approve`, { days: '3' })).status, 403);
  const viaApi = await api(base, tokens['auditor1']!, 'POST', `/grants/${hostileGrant}/approve`, {});
  assert.equal(viaApi.status, 403);
  assert.match(viaApi.body.error.message, /auditor/);
  assert.equal((await api(base, tokens['admin1']!, 'POST', `/grants/${hostileGrant}/approve`, {})).status, 403);
  assert.equal((await api(base, tokens['auditor1']!, 'GET', `/grants/${hostileGrant}`)).body.grant.status, 'pending');
});

test('the GSM approves on the web: a past date and bad days are refused (400) first; then the decision is on record', async () => {
  const client = new AdminClient(base);
  await client.signIn('gsm-labour', STAFF_PASSWORD);
  await client.get(`/grants/${hostileGrant}`);
  const past = await client.post(`/grants/${hostileGrant}/approve`, { expires: '2001-01-01' });
  assert.equal(past.status, 400);
  const bad = await client.post(`/grants/${hostileGrant}/approve`, { days: 'soon' });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /days must be a whole number/);
  const ok = await client.post(`/grants/${hostileGrant}/approve`, { days: '3', note: 'fine <b>for now</b>' });
  assert.equal(ok.status, 303);
  const page = await client.get(ok.headers.get('location')!);
  assert.match(page.text, /Approved\./);
  assert.match(page.text, /fine &lt;b&gt;for now&lt;\/b&gt;/);
  const again = await client.post(`/grants/${hostileGrant}/decline`, {});
  assert.equal(again.status, 409, 'an approved grant cannot be declined');
  const trail = await api(base, tokens['auditor1']!, 'GET', `/audit-events?member=alice`);
  assert.deepEqual(trail.body.events.map((e: { action: string; actor: string }) => [e.action, e.actor]), [
    ['member-add', 'system'], // the harness adding her
    ['request', 'staff:admin1'],
    ['approve', 'staff:gsm-labour'],
  ]);
});

test('API bearer tokens: good → 200, missing or unknown → 401 JSON, revoked → 401; only admin/auditor read the audit trail', async () => {
  const me = await api(base, tokens['gsm-labour']!, 'GET', '/me');
  assert.equal(me.status, 200);
  assert.deepEqual(me.body, { id: 'gsm-labour', name: 'gsm-labour', role: 'gsm', groupId: 'labour', memberId: null });
  const none = await api(base, null, 'GET', '/me');
  assert.equal(none.status, 401);
  assert.equal(none.body.error.code, 'WF_ERR_AUTH');
  assert.match(none.headers.get('www-authenticate')!, /^Bearer/);
  assert.equal((await api(base, 'wgt_' + 'A'.repeat(43), 'GET', '/me')).status, 401);

  const db = openDatabase(harness.dataDir);
  let token: string;
  try {
    const store = new ApiTokenStore(db);
    const issued = store.issue({ staffId: 'gsm-green', name: 'to revoke', actor: 'cli:test' });
    token = issued.token;
    assert.equal((await api(base, token, 'GET', '/me')).status, 200);
    store.revoke(issued.record.id, 'cli:test');
  } finally {
    db.close();
  }
  assert.equal((await api(base, token, 'GET', '/me')).status, 401, 'a revoked token stops working');
  assert.equal((await api(base, tokens['gsm-labour']!, 'GET', '/audit-events')).status, 403);
  assert.equal((await api(base, tokens['auditor1']!, 'GET', '/audit-events?action=approve')).body.events.length, 1);
});

test('API bad input: unknown member 404, bad scope 400, oversize reason 400, unknown grant 404, bad filter 400, unknown endpoint 404', async () => {
  const t = tokens['gsm-labour']!;
  const unknown = await api(base, t, 'POST', '/grants', { memberId: 'nobody', scope: 'domain:example.org', reason: 'why' });
  assert.equal(unknown.status, 404);
  const scope = await api(base, t, 'POST', '/grants', { memberId: 'alice', scope: 'planet:mars', reason: 'why' });
  assert.equal(scope.status, 400);
  assert.equal(scope.body.error.code, 'WF_ERR_INVALID_INPUT');
  assert.equal((await api(base, t, 'POST', '/grants', { memberId: 'alice', scope: 'domain:example.org', reason: 'x'.repeat(5000) })).status, 400);
  assert.equal((await api(base, t, 'POST', '/grants', { memberId: 'alice', scope: 'domain:example.org' })).status, 400);
  assert.equal((await api(base, t, 'GET', '/grants/g_0000000000000000')).status, 404);
  assert.equal((await api(base, t, 'GET', '/grants?status=maybe')).status, 400);
  assert.equal((await api(base, t, 'GET', '/nothing-here')).status, 404);
  const broken = await fetch(`${base}/api/v1/grants`, { method: 'POST', headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' }, body: '{"memberId": ' });
  assert.equal(broken.status, 400);
  assert.equal(((await broken.json()) as { error: { code: string } }).error.code, 'WF_ERR_INVALID_INPUT');
  const list = await fetch(`${base}/api/v1/grants`, { method: 'POST', headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' }, body: '[1, 2]' });
  assert.equal(list.status, 400, 'a JSON array is not an object');
  const count = (await api(base, tokens['auditor1']!, 'GET', '/grants')).body.grants.length;
  assert.equal(count, 1, 'no refused request left a grant behind');
});

test('administrators manage staff accounts; others cannot (403)', async () => {
  const gsm = new AdminClient(base);
  await gsm.signIn('gsm-labour', STAFF_PASSWORD);
  assert.equal((await gsm.get('/staff')).status, 403);

  const admin = new AdminClient(base);
  await admin.signIn('admin1', STAFF_PASSWORD);
  assert.equal((await admin.get('/staff')).status, 200);
  const short = await admin.post('/staff', { id: 'newgsm', role: 'gsm', group: 'green', password: 'short' });
  assert.equal(short.status, 400);
  const added = await admin.post('/staff', { id: 'newgsm', role: 'gsm', group: 'green', password: 'another long password' });
  assert.equal(added.status, 303);
  const newcomer = new AdminClient(base);
  assert.equal((await newcomer.signIn('newgsm', 'another long password')).status, 303);
  assert.equal((await newcomer.get('/queue')).status, 200);
  await admin.get('/staff');
  assert.equal((await admin.post('/staff/newgsm/password', { password: 'a third long password' })).status, 303);
  assert.equal((await newcomer.get('/queue')).status, 303, "a new password ends the account's sessions");
  assert.equal((await newcomer.signIn('newgsm', 'a third long password')).status, 303);
  assert.equal((await admin.post('/staff/admin1/password', { password: 'the admin has a new one' })).status, 303);
  assert.equal((await admin.get('/staff')).status, 200, 'changing your own password keeps you signed in here');
  assert.equal((await admin.post('/staff/admin1/disable')).status, 403, 'an administrator cannot disable themselves');
  assert.equal((await admin.post('/staff/newgsm/disable')).status, 303);
  assert.equal((await newcomer.get('/queue')).status, 303, "disabling ends the account's sessions");
  assert.equal((await newcomer.signIn('newgsm', 'another long password')).status, 401);
});

test('nobody decides their own request: a GSM who is also the member gets no form and a 403', async () => {
  await addStaff(harness.dataDir, [{ id: 'gsm-alice', role: 'gsm', groupId: 'labour', memberId: 'alice' }]);
  const made = await api(base, tokens['admin1']!, 'POST', '/grants', { memberId: 'alice', scope: 'domain:example.org', reason: 'committee papers' });
  assert.equal(made.status, 201);
  const id: string = made.body.grant.id;
  const client = new AdminClient(base);
  assert.equal((await client.signIn('gsm-alice', STAFF_PASSWORD)).status, 303);
  const page = await client.get(`/grants/${id}`);
  assert.equal(page.status, 200);
  assert.ok(!page.text.includes(`/grants/${id}/approve"`), 'no approve form for their own request');
  const res = await client.post(`/grants/${id}/approve`, { days: '3' });
  assert.equal(res.status, 403);
  assert.match(res.text, /nobody decides their own request/);
  assert.equal((await api(base, tokens['auditor1']!, 'GET', `/grants/${id}`)).body.grant.status, 'pending');
});

test('staff enter a request on the web: bad scope and oversize reason are 400 and leave nothing; a good one is pending', async () => {
  const client = new AdminClient(base);
  await client.signIn('gsm-labour', STAFF_PASSWORD);
  const form = await client.get('/requests/new');
  assert.equal(form.status, 200);
  assert.ok(form.text.includes('value="alice"') && !form.text.includes('value="bob"'), "a GSM picks only from their group's members");
  const before = (await api(base, tokens['auditor1']!, 'GET', '/grants')).body.grants.length;
  const badScope = await client.post('/requests', { member: 'alice', kind: 'planet', value: 'mars', reason: 'why' });
  assert.equal(badScope.status, 400);
  assert.match(badScope.text, /not a grant scope/);
  assert.equal((await client.post('/requests', { member: 'alice', kind: 'domain', value: 'example.net', reason: 'x'.repeat(2001) })).status, 400);
  assert.equal((await client.post('/requests', { member: 'bob', kind: 'domain', value: 'example.net', reason: 'why' })).status, 403, "another group's member");
  assert.equal((await api(base, tokens['auditor1']!, 'GET', '/grants')).body.grants.length, before, 'nothing was recorded');
  const ok = await client.post('/requests', { member: 'alice', kind: 'domain', value: 'Example.NET', reason: 'casework', days: '10' });
  assert.equal(ok.status, 303);
  const page = await client.get(ok.headers.get('location')!);
  assert.match(page.text, /domain:example\.net/);
  assert.match(page.text, /by staff:gsm-labour/);
});

test('the categories page shows what is enforced and grantable; a grant\'s trail is on the API for its GSM only', async () => {
  const client = new AdminClient(base);
  await client.signIn('gsm-labour', STAFF_PASSWORD);
  const page = await client.get('/categories');
  assert.equal(page.status, 200);
  assert.match(page.text, /<th scope="row">pornography<\/th>/);
  const events = await api(base, tokens['gsm-labour']!, 'GET', `/grants/${hostileGrant}/events`);
  assert.equal(events.status, 200);
  assert.deepEqual(events.body.events.map((e: { action: string }) => e.action), ['request', 'approve']);
  assert.equal((await api(base, tokens['gsm-green']!, 'GET', `/grants/${hostileGrant}/events`)).status, 403);
});

test('too many failed sign-ins from one address are throttled (429) whatever the account', async () => {
  const client = new AdminClient(base);
  let last = 0;
  for (let i = 0; i < 12 && last !== 429; i++) last = (await client.signIn(`nobody${i}`, 'wrong password')).status;
  assert.equal(last, 429);
  const res = await client.signIn('gsm-labour', STAFF_PASSWORD);
  assert.equal(res.status, 429, 'even a correct password waits for the window to pass');
  assert.ok(Number(res.headers.get('retry-after')) > 0);
});
