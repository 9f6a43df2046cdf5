/**
 * Members and groups managed in the admin web UI, over real sockets on a
 * whole wardgate (startHarness): an administrator adds, edits and removes
 * members and groups; the running proxy serves each change within a second
 * (a member added with an address browses from it, a removed address stops
 * identifying them); GSMs and auditors are refused every write; a form
 * without its CSRF token changes nothing; refused input is a 4xx naming
 * the problem; hostile names are shown as text. Tests share one server and
 * run in order.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DirectoryStore } from '../../src/directory/directory-store.ts';
import { verifyPassword } from '../../src/directory/password.ts';
import { ApiTokenStore } from '../../src/grants/api-token-store.ts';
import { openDatabase } from '../../src/store/database.ts';
import { startOrigin, type Origin } from '../helpers/origin.ts';
import { viaProxy } from '../helpers/proxy-client.ts';
import { basicAuth, startHarness, type Harness } from '../helpers/wardgate-harness.ts';
import { addStaff, AdminClient, api, assertNoRawScript, STAFF_PASSWORD, statusWithin } from './admin-client.ts';

let harness: Harness;
let origin: Origin;
let base: string;
let admin: AdminClient;

/** Reads the directory through a connection of its own, as another process would. */
function readDirectory<T>(read: (store: DirectoryStore) => T): T {
  const db = openDatabase(harness.dataDir);
  try {
    return read(new DirectoryStore(db));
  } finally {
    db.close();
  }
}

const browseFrom = (localAddress: string, headers: Record<string, string> = {}) => async () =>
  (await viaProxy({ proxyPort: harness.port, url: `http://allowed.test:${origin.port}/small`, localAddress, headers })).status;

async function signedIn(user: string): Promise<AdminClient> {
  const client = new AdminClient(base);
  const res = await client.signIn(user, STAFF_PASSWORD);
  assert.equal(res.status, 303, `${user} signs in`);
  return client;
}

before(async () => {
  origin = await startOrigin();
  harness = await startHarness({ resolve: [{ host: 'allowed.test', address: '127.0.0.1' }] });
  base = `http://127.0.0.1:${harness.wardgate.adminAddress!.port}`;
  await addStaff(harness.dataDir, [
    { id: 'admin1', role: 'admin' },
    { id: 'gsm-labour', role: 'gsm', groupId: 'labour' },
    { id: 'auditor1', role: 'auditor' },
  ]);
  admin = await signedIn('admin1');
});
after(async () => {
  await harness.stop();
  await origin.close();
});

test('an administrator adds a group and a member with an address; the proxy lets the member browse from it within 1 s', async () => {
  assert.equal(await browseFrom('127.0.0.3')(), 407, 'nobody is registered at 127.0.0.3 yet');

  await admin.get('/groups');
  const group = await admin.post('/groups', { id: 'indep', name: 'Independent' });
  assert.equal(group.status, 303, group.text);
  assert.equal(group.headers.get('location'), '/groups?done=group-added');
  const groups = await admin.get('/groups?done=group-added');
  assert.match(groups.text, /Group added\./);
  assert.match(groups.text, /<th scope="row">indep<\/th><td>Independent<\/td>/);

  await admin.get('/members');
  const added = await admin.post('/members', { id: 'carol', name: 'Carol Example', group: 'indep', ips: '127.0.0.3, 192.0.2.20', email: 'carol@council.example' });
  assert.equal(added.status, 303, added.text);
  assert.equal(added.headers.get('location'), '/members?done=member-added');
  const allowed = await statusWithin(1_000, 200, browseFrom('127.0.0.3'));
  assert.equal(allowed.status, 200, `the new member browses within one second (${allowed.tries} tries)`);

  const carol = readDirectory((d) => d.getMember('carol'))!;
  assert.deepEqual(
    { name: carol.name, groupId: carol.groupId, ips: carol.ips, email: carol.email, passwordHash: carol.passwordHash },
    { name: 'Carol Example', groupId: 'indep', ips: ['127.0.0.3', '192.0.2.20'], email: 'carol@council.example', passwordHash: null },
  );
  const list = await admin.get('/members?done=member-added');
  assert.match(list.text, /Member added\./);
  assert.match(list.text, /<a href="\/members\/carol"[^>]*>carol<\/a>/);
});

test('an administrator edits the details, sets and clears the proxy password, and renames the group', async () => {
  const page = await admin.get('/members/carol');
  assert.equal(page.status, 200);
  assert.match(page.text, /<label for="e-name">/);
  const saved = await admin.post('/members/carol', { name: 'Carol Changed', group: 'labour', email: '' });
  assert.equal(saved.status, 303, saved.text);
  assert.equal(saved.headers.get('location'), '/members/carol?done=member-saved');
  let carol = readDirectory((d) => d.getMember('carol'))!;
  assert.equal(carol.name, 'Carol Changed');
  assert.equal(carol.groupId, 'labour');
  assert.equal(carol.email, null, 'an empty email clears it');

  const password = await admin.post('/members/carol/password', { password: 'carol proxy secret' });
  assert.equal(password.status, 303, password.text);
  carol = readDirectory((d) => d.getMember('carol'))!;
  assert.ok(carol.passwordHash !== null && (await verifyPassword('carol proxy secret', carol.passwordHash)), 'stored as a hash of the new password');
  assert.ok(!carol.passwordHash.includes('carol proxy secret'));
  const withPassword = await statusWithin(1_000, 200, browseFrom('127.0.0.4', { 'proxy-authorization': basicAuth('carol', 'carol proxy secret') }));
  assert.equal(withPassword.status, 200, `the new password works within one second (${withPassword.tries} tries)`);

  await admin.get('/members/carol');
  const cleared = await admin.post('/members/carol/password/clear');
  assert.equal(cleared.status, 303, cleared.text);
  assert.equal(readDirectory((d) => d.getMember('carol'))!.passwordHash, null);

  await admin.get('/groups');
  const renamed = await admin.post('/groups/indep', { name: 'Independents' });
  assert.equal(renamed.status, 303, renamed.text);
  assert.deepEqual(readDirectory((d) => d.listGroups().find((g) => g.id === 'indep')), { id: 'indep', name: 'Independents' });
});

test('a removed address stops identifying the member within 1 s; then the member and the group are removed', async () => {
  await admin.get('/members/carol');
  const set = await admin.post('/members/carol/addresses', { ips: '192.0.2.20\n::ffff:127.0.0.5' });
  assert.equal(set.status, 303, set.text);
  assert.deepEqual(readDirectory((d) => d.getMember('carol'))!.ips, ['127.0.0.5', '192.0.2.20'], 'addresses stored canonical');
  const refused = await statusWithin(1_000, 407, browseFrom('127.0.0.3'));
  assert.equal(refused.status, 407, `127.0.0.3 no longer identifies carol within one second (${refused.tries} tries)`);
  assert.equal((await statusWithin(1_000, 200, browseFrom('127.0.0.5'))).status, 200, 'the new address does');

  await admin.get('/members/carol');
  const removed = await admin.post('/members/carol/remove');
  assert.equal(removed.status, 303, removed.text);
  assert.equal(removed.headers.get('location'), '/members?done=member-removed');
  assert.equal(readDirectory((d) => d.getMember('carol')), null);
  assert.equal((await statusWithin(1_000, 407, browseFrom('127.0.0.5'))).status, 407, 'a removed member is refused within one second');
  assert.equal((await admin.get('/members/carol')).status, 404);

  await admin.get('/groups');
  const group = await admin.post('/groups/indep/remove');
  assert.equal(group.status, 303, group.text);
  assert.equal(readDirectory((d) => d.listGroups().some((g) => g.id === 'indep')), false);
});

test('the store refuses to remove a group in use or a member with grant history: the page says why (409), nothing changes', async () => {
  await admin.get('/groups');
  const inUse = await admin.post('/groups/labour/remove');
  assert.equal(inUse.status, 409);
  assert.match(inUse.text, /group &quot;labour&quot; still has 1 member\(s\) \(alice\): remove them first/);
  assert.match(inUse.text, /<legend>Add a group<\/legend>/, 'the groups page is shown again');

  const db = openDatabase(harness.dataDir);
  const token = new ApiTokenStore(db).issue({ staffId: 'admin1', actor: 'cli:test' }).token;
  db.close();
  const grant = await api(base, token, 'POST', '/grants', { memberId: 'alice', scope: 'domain:example.test', reason: 'committee research', days: 7 });
  assert.equal(grant.status, 201, JSON.stringify(grant.body));

  await admin.get('/members/alice');
  const withGrants = await admin.post('/members/alice/remove');
  assert.equal(withGrants.status, 409);
  assert.match(withGrants.text, /member &quot;alice&quot; has 1 exclusion grant\(s\) on record/);
  assert.match(withGrants.text, /<h1>Member alice<\/h1>/, 'the member page is shown again');
  assert.notEqual(readDirectory((d) => d.getMember('alice')), null);
  assert.ok(readDirectory((d) => d.listGroups().some((g) => g.id === 'labour')));
});

test('bad input is refused with 400 naming the problem, the form keeps what was typed, and nothing is stored', async () => {
  const cases: { fields: Record<string, string>; problem: RegExp }[] = [
    { fields: { id: 'Bad Id!', name: 'X', group: 'labour' }, problem: /member id &quot;Bad Id!&quot; is not valid/ },
    { fields: { id: 'dave', name: 'Dave', group: 'nosuch' }, problem: /group &quot;nosuch&quot; does not exist/ },
    { fields: { id: 'dave', name: 'Dave', group: 'labour', ips: '10.0.0.300' }, problem: /&quot;10.0.0.300&quot; is not an IP address/ },
    { fields: { id: 'dave', name: 'Dave', group: 'labour', password: 'short' }, problem: /the password is too short/ },
    { fields: { id: 'dave', name: 'Dave', group: 'labour', email: 'not an email' }, problem: /email/i },
    { fields: { id: 'dave', name: '', group: 'labour' }, problem: /name is required/ },
  ];
  for (const { fields, problem } of cases) {
    await admin.get('/members');
    const res = await admin.post('/members', fields);
    assert.equal(res.status, 400, `${JSON.stringify(fields)}: ${res.text.slice(0, 200)}`);
    assert.match(res.text, problem);
    assert.match(res.text, /role="alert"/);
    if (fields.name) assert.match(res.text, new RegExp(`id="m-name" name="name" required value="${fields.name}"`), 'what was typed is kept');
  }
  assert.equal(readDirectory((d) => d.getMember('dave')), null, 'no refused add stored anything');

  await admin.get('/members/alice');
  const badGroup = await admin.post('/members/alice', { name: 'Alice', group: 'nosuch' });
  assert.equal(badGroup.status, 400);
  assert.match(badGroup.text, /group &quot;nosuch&quot; does not exist/);
  const badIp = await admin.post('/members/alice/addresses', { ips: '127.0.0.9 192.0.2.0/24' });
  assert.equal(badIp.status, 400);
  assert.match(badIp.text, /&quot;192.0.2.0\/24&quot; is not an IP address/);
  const weak = await admin.post('/members/alice/password', { password: 'abc' });
  assert.equal(weak.status, 400);
  assert.match(weak.text, /the password is too short/);
  const alice = readDirectory((d) => d.getMember('alice'))!;
  assert.equal(alice.name, 'Alice Example');
  assert.equal(alice.groupId, 'labour');
  assert.deepEqual(alice.ips, []);

  const taken = await admin.post('/members/alice/addresses', { ips: '127.0.0.2' });
  assert.equal(taken.status, 409, 'an address registered to another member');
  assert.match(taken.text, /already registered to member &quot;bob&quot;/);

  await admin.get('/groups');
  const badGroupId = await admin.post('/groups', { id: 'UPPER', name: 'Upper' });
  assert.equal(badGroupId.status, 400);
  assert.match(badGroupId.text, /group id &quot;UPPER&quot; is not valid/);
  assert.match(badGroupId.text, /id="g-id"[^>]*value="UPPER"/);
  const duplicate = await admin.post('/groups', { id: 'labour', name: 'Again' });
  assert.equal(duplicate.status, 409);
  assert.match(duplicate.text, /group &quot;labour&quot; already exists/);
  assert.equal((await admin.post('/members/nobody/remove')).status, 404);
});

test('GSMs and auditors are refused every write (403) and see no forms; a GSM sees only their group', async () => {
  const writes: [string, Record<string, string>][] = [
    ['/members', { id: 'eve', name: 'Eve', group: 'labour' }],
    ['/members/alice', { name: 'Changed', group: 'green' }],
    ['/members/alice/password', { password: 'a good long password' }],
    ['/members/alice/password/clear', {}],
    ['/members/bob/addresses', { ips: '' }],
    ['/members/bob/remove', {}],
    ['/groups', { id: 'newgroup', name: 'New' }],
    ['/groups/green', { name: 'Renamed' }],
    ['/groups/green/remove', {}],
  ];
  const before = readDirectory((d) => d.snapshot());
  for (const user of ['gsm-labour', 'auditor1']) {
    const client = await signedIn(user);
    const members = await client.get('/members');
    assert.equal(members.status, 200);
    assert.doesNotMatch(members.text, /action="\/members/, `${user} sees no member forms`);
    if (user === 'gsm-labour') {
      assert.match(members.text, />alice</);
      assert.doesNotMatch(members.text, />bob</, 'a GSM sees only their own group');
      assert.equal((await client.get('/groups')).status, 403);
    } else {
      const groups = await client.get('/groups');
      assert.equal(groups.status, 200);
      assert.doesNotMatch(groups.text, /action="\/groups/, 'an auditor sees no group forms');
    }
    assert.equal((await client.get('/members/alice')).status, 403);
    for (const [path, fields] of writes) {
      const res = await client.post(path, fields);
      assert.equal(res.status, 403, `${user} POST ${path}`);
      assert.match(res.text, /managing (members|groups) is for admin accounts/);
    }
  }
  const after = readDirectory((d) => d.snapshot());
  assert.deepEqual([...after.members.values()], [...before.members.values()], 'no member changed');
  assert.deepEqual([...after.groups.values()], [...before.groups.values()], 'no group changed');
});

test('a form without the CSRF token, or with a wrong one, is refused (403) and changes nothing', async () => {
  await admin.get('/members');
  for (const token of [null, 'forged-token']) {
    const add = await admin.post('/members', { _csrf: token, id: 'mallory', name: 'Mallory', group: 'labour' });
    assert.equal(add.status, 403);
    assert.match(add.text, /did not come from this site, so nothing was changed/);
    assert.equal((await admin.post('/members/bob/remove', { _csrf: token })).status, 403);
    assert.equal((await admin.post('/groups', { _csrf: token, id: 'csrf', name: 'Csrf' })).status, 403);
    assert.equal((await admin.post('/groups/green', { _csrf: token, name: 'Hijacked' })).status, 403);
  }
  assert.equal(readDirectory((d) => d.getMember('mallory')), null);
  assert.notEqual(readDirectory((d) => d.getMember('bob')), null);
  assert.deepEqual(readDirectory((d) => d.listGroups()).map((g) => g.name), ['Green', 'Labour']);
});

test('hostile names are shown as text on every page', async () => {
  const hostile = '<script>alert("x")</script> & \'quotes\'';
  await admin.get('/groups');
  assert.equal((await admin.post('/groups', { id: 'hostile', name: hostile })).status, 303);
  await admin.get('/members');
  assert.equal((await admin.post('/members', { id: 'mal', name: hostile, group: 'hostile' })).status, 303);
  const escaped = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;';
  for (const path of ['/members', '/members/mal', '/groups']) {
    const page = await admin.get(path);
    assert.equal(page.status, 200);
    assertNoRawScript(page.text);
    assert.ok(page.text.includes(escaped), `${path} shows the name escaped`);
  }
  // A refused form that echoes the hostile input back escapes it too.
  await admin.get('/members');
  const refused = await admin.post('/members', { id: '<script>', name: hostile, group: 'hostile' });
  assert.equal(refused.status, 400);
  assertNoRawScript(refused.text);
});
