/**
 * The member directory in the JSON API (/api/v1/members, /groups) over real
 * sockets on a whole wardgate: the same rules as the web pages — only
 * administrators write, a GSM reads only their group, refused input is a
 * 4xx naming the problem and changes nothing, and no password hash is shown.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DirectoryStore } from '../../src/directory/directory-store.ts';
import { ApiTokenStore } from '../../src/grants/api-token-store.ts';
import { openDatabase } from '../../src/store/database.ts';
import { startHarness, type Harness } from '../helpers/wardgate-harness.ts';
import { addStaff, api } from './admin-client.ts';

let harness: Harness;
let base: string;
const tokens: Record<string, string> = {};

function snapshot() {
  const db = openDatabase(harness.dataDir);
  try {
    const s = new DirectoryStore(db).snapshot();
    return { members: [...s.members.values()], groups: [...s.groups.values()] };
  } finally {
    db.close();
  }
}

before(async () => {
  harness = await startHarness();
  base = `http://127.0.0.1:${harness.wardgate.adminAddress!.port}`;
  await addStaff(harness.dataDir, [
    { id: 'admin1', role: 'admin' },
    { id: 'gsm-labour', role: 'gsm', groupId: 'labour' },
    { id: 'auditor1', role: 'auditor' },
  ]);
  const db = openDatabase(harness.dataDir);
  try {
    for (const id of ['admin1', 'gsm-labour', 'auditor1']) tokens[id] = new ApiTokenStore(db).issue({ staffId: id, actor: 'cli:test' }).token;
  } finally {
    db.close();
  }
});
after(async () => {
  await harness.stop();
});

test('an administrator adds, edits and removes a group and a member through the API', async () => {
  const t = tokens['admin1']!;
  const group = await api(base, t, 'POST', '/groups', { id: 'indep', name: 'Independent' });
  assert.equal(group.status, 201, JSON.stringify(group.body));
  assert.deepEqual(group.body.group, { id: 'indep', name: 'Independent' });

  const added = await api(base, t, 'POST', '/members', { id: 'carol', name: 'Carol', groupId: 'indep', password: 'carol proxy secret', ips: ['::ffff:192.0.2.7'], email: 'carol@council.example' });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  assert.equal(added.headers.get('location'), '/api/v1/members/carol');
  assert.deepEqual(added.body.member, { id: 'carol', name: 'Carol', groupId: 'indep', hasPassword: true, ips: ['192.0.2.7'], email: 'carol@council.example' });
  assert.doesNotMatch(JSON.stringify(added.body), /scrypt|carol proxy secret/, 'no hash or password in answers');

  const edited = await api(base, t, 'POST', '/members/carol', { name: 'Carol Changed', groupId: 'labour', email: null });
  assert.equal(edited.status, 200, JSON.stringify(edited.body));
  assert.deepEqual([edited.body.member.name, edited.body.member.groupId, edited.body.member.email], ['Carol Changed', 'labour', null]);
  const cleared = await api(base, t, 'POST', '/members/carol/password', { password: null });
  assert.equal(cleared.body.member.hasPassword, false);
  const ips = await api(base, t, 'POST', '/members/carol/addresses', { ips: [] });
  assert.deepEqual(ips.body.member.ips, []);
  const renamed = await api(base, t, 'POST', '/groups/indep', { name: 'Independents' });
  assert.deepEqual(renamed.body.group, { id: 'indep', name: 'Independents' });

  const listed = await api(base, t, 'GET', '/groups');
  assert.deepEqual(listed.body.groups.find((g: { id: string }) => g.id === 'indep'), { id: 'indep', name: 'Independents', members: 0 });
  assert.equal((await api(base, t, 'POST', '/members/carol/remove')).status, 200);
  assert.equal((await api(base, t, 'GET', '/members/carol')).status, 404);
  assert.equal((await api(base, t, 'POST', '/groups/indep/remove')).status, 200);
  assert.equal(snapshot().groups.some((g) => g.id === 'indep'), false);
});

test('bad input is a 400 naming the problem; refusals by the store are 409; nothing changes', async () => {
  const t = tokens['admin1']!;
  const before = snapshot();
  const cases: [string, string, unknown, number, RegExp][] = [
    ['POST', '/members', { id: 'Bad Id', name: 'X', groupId: 'labour' }, 400, /member id "Bad Id" is not valid/],
    ['POST', '/members', { id: 'dave', name: 'Dave', groupId: 'nosuch' }, 400, /group "nosuch" does not exist/],
    ['POST', '/members', { id: 'dave', name: 'Dave', groupId: 'labour', ips: ['10.0.0.300'] }, 400, /"10.0.0.300" is not an IP address/],
    ['POST', '/members', { id: 'dave', name: 'Dave', groupId: 'labour', ips: '10.0.0.3' }, 400, /ips must be an array/],
    ['POST', '/members', { id: 'dave', name: 'Dave', groupId: 'labour', password: 'short' }, 400, /the password is too short/],
    ['POST', '/members/alice', { groupId: 'nosuch' }, 400, /group "nosuch" does not exist/],
    ['POST', '/members/alice/password', { password: 'abc' }, 400, /the password is too short/],
    ['POST', '/members/alice/password', {}, 400, /password is required/],
    ['POST', '/members/alice/addresses', { ips: ['127.0.0.2'] }, 409, /already registered to member "bob"/],
    ['POST', '/members/nobody/remove', undefined, 404, /member "nobody" does not exist/],
    ['POST', '/groups/labour/remove', undefined, 409, /still has 1 member\(s\) \(alice\)/],
    ['POST', '/groups', { id: 'green', name: 'Again' }, 409, /group "green" already exists/],
  ];
  for (const [method, path, body, status, problem] of cases) {
    const res = await api(base, t, method, path, body);
    assert.equal(res.status, status, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
    assert.match(res.body.error.message, problem);
  }
  assert.deepEqual(snapshot(), before);
});

test('GSMs and auditors are refused every write (403); a GSM reads only their own group', async () => {
  const before = snapshot();
  const writes: [string, unknown][] = [
    ['/members', { id: 'eve', name: 'Eve', groupId: 'labour' }],
    ['/members/alice', { name: 'Changed' }],
    ['/members/alice/password', { password: null }],
    ['/members/bob/addresses', { ips: [] }],
    ['/members/bob/remove', undefined],
    ['/groups', { id: 'newgroup', name: 'New' }],
    ['/groups/green', { name: 'Renamed' }],
    ['/groups/green/remove', undefined],
  ];
  for (const user of ['gsm-labour', 'auditor1']) {
    for (const [path, body] of writes) {
      const res = await api(base, tokens[user]!, 'POST', path, body);
      assert.equal(res.status, 403, `${user} POST ${path}`);
      assert.equal(res.body.error.code, 'WF_ERR_FORBIDDEN');
    }
  }
  assert.deepEqual(snapshot(), before);

  const gsm = tokens['gsm-labour']!;
  assert.deepEqual((await api(base, gsm, 'GET', '/members')).body.members.map((m: { id: string }) => m.id), ['alice']);
  assert.equal((await api(base, gsm, 'GET', '/members/alice')).status, 200);
  assert.equal((await api(base, gsm, 'GET', '/members/bob')).status, 403);
  assert.equal((await api(base, gsm, 'GET', '/groups')).status, 403);
  const auditor = await api(base, tokens['auditor1']!, 'GET', '/members');
  assert.deepEqual(auditor.body.members.map((m: { id: string }) => m.id), ['alice', 'bob']);
  assert.equal((await api(base, null, 'GET', '/members')).status, 401);
});
