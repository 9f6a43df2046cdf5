import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWfError, type WfErrorCode } from '../../src/errors.ts';
import { canonicalClientAddress, DirectoryStore } from '../../src/directory/directory-store.ts';
import { hashPassword, verifyPassword } from '../../src/directory/password.ts';
import { tempDatabase } from '../helpers/temp-database.ts';

function openStore(t: { after(fn: () => void): void }): DirectoryStore {
  const db = tempDatabase(t, 'wardgate-dir-');
  const store = new DirectoryStore(db);
  store.addGroup({ id: 'labour', name: 'Labour' });
  store.addGroup({ id: 'green', name: 'Green' });
  return store;
}

function fails(code: WfErrorCode, ...fragments: string[]) {
  return (error: unknown) => {
    assert.ok(isWfError(error, code), `expected ${code}, got ${String(error)}`);
    for (const fragment of fragments) assert.ok(error.message.includes(fragment), `"${error.message}" lacks "${fragment}"`);
    return true;
  };
}

test('groups: add, list sorted, duplicate refused, remove', (t) => {
  const store = openStore(t);
  assert.deepEqual(store.listGroups(), [
    { id: 'green', name: 'Green' },
    { id: 'labour', name: 'Labour' },
  ]);
  assert.throws(() => store.addGroup({ id: 'labour', name: 'Again' }), fails('WF_ERR_CONFLICT', 'labour'));
  store.removeGroup('green');
  assert.deepEqual(store.listGroups(), [{ id: 'labour', name: 'Labour' }]);
  assert.throws(() => store.removeGroup('green'), fails('WF_ERR_NOT_FOUND', 'green'));
});

test('a group that still has members cannot be removed', (t) => {
  const store = openStore(t);
  store.addMember({ id: 'alice', name: 'Alice', groupId: 'labour' });
  assert.throws(() => store.removeGroup('labour'), fails('WF_ERR_CONFLICT', 'labour', 'alice', 'remove them first'));
  store.removeMember('alice');
  store.removeGroup('labour');
});

test('ids must follow the rule, which the message states', (t) => {
  const store = openStore(t);
  for (const id of ['', 'Alice', '-alice', '.x', 'a b', 'a/b', 'x'.repeat(65), 'é']) {
    assert.throws(() => store.addMember({ id, name: 'N', groupId: 'labour' }), fails('WF_ERR_INVALID_INPUT', 'a-z, 0-9'));
    assert.throws(() => store.addGroup({ id, name: 'N' }), fails('WF_ERR_INVALID_INPUT', 'group id'));
  }
  for (const id of ['a', '0', 'a.b-c_d', 'x'.repeat(64)]) store.addMember({ id, name: 'N', groupId: 'labour' });
});

test('names: trimmed, non-empty, at most 200 characters, one line', (t) => {
  const store = openStore(t);
  assert.equal(store.addMember({ id: 'a', name: '  Cllr A  ', groupId: 'labour' }).name, 'Cllr A');
  assert.throws(() => store.addMember({ id: 'b', name: '   ', groupId: 'labour' }), fails('WF_ERR_INVALID_INPUT', 'empty'));
  assert.throws(() => store.addMember({ id: 'b', name: 'x'.repeat(201), groupId: 'labour' }), fails('WF_ERR_INVALID_INPUT', '200'));
  assert.throws(() => store.addGroup({ id: 'b', name: 'two\nlines' }), fails('WF_ERR_INVALID_INPUT', 'one line'));
  store.addMember({ id: 'c', name: 'é'.repeat(200), groupId: 'labour' });
});

test('addMember: group must exist, id must be new', (t) => {
  const store = openStore(t);
  assert.throws(() => store.addMember({ id: 'alice', name: 'Alice', groupId: 'tory' }), fails('WF_ERR_NOT_FOUND', 'tory'));
  store.addMember({ id: 'alice', name: 'Alice', groupId: 'labour' });
  assert.throws(() => store.addMember({ id: 'alice', name: 'Other', groupId: 'green' }), fails('WF_ERR_CONFLICT', 'alice'));
  assert.equal(store.getMember('alice')?.groupId, 'labour');
});

test('addMember stores a hash, never a password, and the hash verifies', async (t) => {
  const store = openStore(t);
  const hash = await hashPassword('hunter2-but-longer');
  const added = store.addMember({ id: 'alice', name: 'Alice', groupId: 'labour', passwordHash: hash });
  assert.equal(added.passwordHash, hash);
  assert.notEqual(added.passwordHash, 'hunter2-but-longer');
  assert.equal(await verifyPassword('hunter2-but-longer', store.getMember('alice')!.passwordHash!), true);
  assert.throws(
    () => store.addMember({ id: 'bob', name: 'Bob', groupId: 'labour', passwordHash: 'plain-text-password' }),
    fails('WF_ERR_INVALID_INPUT', 'hash'),
  );
  assert.throws(() => store.setPassword('alice', 'plain-text-password'), fails('WF_ERR_INVALID_INPUT'));
  assert.equal(store.getMember('bob'), null);
});

test('addresses are validated and stored canonical, sorted, de-duplicated', (t) => {
  const store = openStore(t);
  const added = store.addMember({
    id: 'alice',
    name: 'Alice',
    groupId: 'labour',
    ips: ['::ffff:192.0.2.7', '2001:DB8:0:0::1', ' 192.0.2.7 ', '0:0:0:0:0:ffff:c000:208'],
  });
  assert.deepEqual(added.ips, ['192.0.2.7', '192.0.2.8', '2001:db8::1']);
  assert.deepEqual(store.getMember('alice')!.ips, added.ips);
  for (const bad of ['192.0.2.300', '192.0.2.0/24', 'laptop-7', '', '01.2.3.4']) {
    assert.throws(
      () => store.addMember({ id: 'bob', name: 'Bob', groupId: 'labour', ips: [bad] }),
      fails('WF_ERR_INVALID_INPUT', 'not an IP address'),
    );
  }
});

test('an address registered to one member cannot go to another, whatever its spelling', (t) => {
  const store = openStore(t);
  store.addMember({ id: 'alice', name: 'Alice', groupId: 'labour', ips: ['192.0.2.7', '2001:db8::1'] });
  assert.throws(
    () => store.addMember({ id: 'bob', name: 'Bob', groupId: 'green', ips: ['::FFFF:192.0.2.7'] }),
    fails('WF_ERR_CONFLICT', '192.0.2.7', 'alice', 'bob'),
  );
  assert.equal(store.getMember('bob'), null, 'the failed add left nothing behind');
  store.addMember({ id: 'bob', name: 'Bob', groupId: 'green' });
  assert.throws(() => store.setIps('bob', ['2001:0db8::0001']), fails('WF_ERR_CONFLICT', '2001:db8::1', 'alice', 'bob'));
  assert.deepEqual(store.getMember('bob')!.ips, []);
});

test('setIps replaces the set, may keep its own addresses, and [] clears', (t) => {
  const store = openStore(t);
  store.addMember({ id: 'alice', name: 'Alice', groupId: 'labour', ips: ['192.0.2.7'] });
  assert.deepEqual(store.setIps('alice', ['192.0.2.7', '192.0.2.9']), ['192.0.2.7', '192.0.2.9']);
  assert.deepEqual(store.getMember('alice')!.ips, ['192.0.2.7', '192.0.2.9']);
  store.setIps('alice', []);
  assert.deepEqual(store.getMember('alice')!.ips, []);
  store.addMember({ id: 'bob', name: 'Bob', groupId: 'labour', ips: ['192.0.2.7'] });
  assert.throws(() => store.setIps('nobody', ['192.0.2.1']), fails('WF_ERR_NOT_FOUND', 'nobody'));
});

test('removeMember frees its addresses; unknown ids are WF_ERR_NOT_FOUND', async (t) => {
  const store = openStore(t);
  store.addMember({ id: 'alice', name: 'Alice', groupId: 'labour', ips: ['192.0.2.7'] });
  store.removeMember('alice');
  assert.equal(store.getMember('alice'), null);
  store.addMember({ id: 'bob', name: 'Bob', groupId: 'labour', ips: ['192.0.2.7'] });
  assert.throws(() => store.removeMember('alice'), fails('WF_ERR_NOT_FOUND', 'alice'));
  const hash = await hashPassword('password1');
  assert.throws(() => store.setPassword('alice', hash), fails('WF_ERR_NOT_FOUND', 'alice'));
});

test('setPassword sets and clears the hash', async (t) => {
  const store = openStore(t);
  store.addMember({ id: 'alice', name: 'Alice', groupId: 'labour' });
  const hash = await hashPassword('new password');
  store.setPassword('alice', hash);
  assert.equal(store.getMember('alice')!.passwordHash, hash);
  store.setPassword('alice', null);
  assert.equal(store.getMember('alice')!.passwordHash, null);
});

test('snapshot holds every member, group and address, and is frozen', async (t) => {
  const store = openStore(t);
  const hash = await hashPassword('password1');
  store.addMember({ id: 'bob', name: 'Bob', groupId: 'green', ips: ['2001:db8::2'] });
  store.addMember({ id: 'alice', name: 'Alice', groupId: 'labour', passwordHash: hash, ips: ['192.0.2.8', '192.0.2.7'] });
  const snapshot = store.snapshot();
  assert.deepEqual([...snapshot.members.keys()], ['alice', 'bob']);
  assert.deepEqual(snapshot.members.get('alice'), {
    id: 'alice',
    name: 'Alice',
    groupId: 'labour',
    passwordHash: hash,
    ips: ['192.0.2.7', '192.0.2.8'],
    email: null,
  });
  assert.equal(snapshot.members.get('bob')!.passwordHash, null);
  assert.deepEqual(
    [...snapshot.byIp],
    [
      ['192.0.2.7', 'alice'],
      ['192.0.2.8', 'alice'],
      ['2001:db8::2', 'bob'],
    ],
  );
  assert.deepEqual([...snapshot.groups.keys()], ['green', 'labour']);
  assert.ok(Object.isFrozen(snapshot.members.get('alice')));
  assert.ok(Object.isFrozen(snapshot.members.get('alice')!.ips));
  store.removeMember('bob');
  assert.ok(snapshot.members.has('bob'), 'a snapshot does not change after the store does');
  assert.deepEqual(store.listMembers().map((m) => m.id), ['alice']);
});

test('canonicalClientAddress: the spelling a socket reports matches the stored one', () => {
  const cases: [string, string][] = [
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::FFFF:192.0.2.7', '192.0.2.7'],
    ['::ffff:c000:207', '192.0.2.7'],
    ['0:0:0:0:0:ffff:192.0.2.7', '192.0.2.7'],
    ['::1', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['2001:DB8:0000:0:0:0:0:0001', '2001:db8::1'],
    ['fe80::1%eth0', 'fe80::1%eth0'],
    ['FE80:0::1%eth0', 'fe80::1%eth0'],
    ['', ''],
    ['not-an-address', 'not-an-address'],
  ];
  for (const [input, expected] of cases) assert.equal(canonicalClientAddress(input), expected, input);
});

test('removeMember refuses a member with grant history or a linked staff account, and changes nothing', (t) => {
  const db = tempDatabase(t, 'wardgate-dir-');
  const store = new DirectoryStore(db);
  store.addGroup({ id: 'labour', name: 'Labour' });
  store.addMember({ id: 'alice', name: 'Alice', groupId: 'labour', ips: ['192.0.2.7'] });
  store.addMember({ id: 'dave', name: 'Dave', groupId: 'labour' });
  const now = new Date().toISOString();
  // Rows as the grants workflow (src/grants) writes them; raw SQL keeps this test about the directory.
  db.prepare(
    `INSERT INTO grants (id, member_id, scope_kind, scope_value, reason, requested_at, requested_by, status, updated_at)
     VALUES ('g_1', 'alice', 'domain', 'example.com', 'casework', ?, 'member:alice', 'pending', ?)`,
  ).run(now, now);
  db.prepare(
    `INSERT INTO staff (id, name, role, group_id, member_id, password_hash, created_at, updated_at)
     VALUES ('dave-gsm', 'Dave', 'gsm', 'labour', 'dave', 'scrypt$N=16384,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', ?, ?)`,
  ).run(now, now);
  assert.throws(() => store.removeMember('alice'), fails('WF_ERR_CONFLICT', 'alice', 'grant', 'cannot be removed'));
  assert.deepEqual(store.getMember('alice')!.ips, ['192.0.2.7']);
  assert.throws(() => store.removeMember('dave'), fails('WF_ERR_CONFLICT', 'dave', 'dave-gsm'));
  assert.notEqual(store.getMember('dave'), null);
  assert.throws(() => store.removeMember('nobody'), fails('WF_ERR_NOT_FOUND', 'nobody'));
});

test('a group that still has a Group Support Manager account cannot be removed', async (t) => {
  const { StaffStore } = await import('../../src/grants/staff-store.ts');
  const db = tempDatabase(t, 'wardgate-dir-');
  const store = new DirectoryStore(db);
  store.addGroup({ id: 'green', name: 'Green' });
  new StaffStore(db).add({ id: 'gsm-green', role: 'gsm', groupId: 'green', passwordHash: await hashPassword('long enough pw') }, 'cli:test');
  assert.throws(() => store.removeGroup('green'), fails('WF_ERR_CONFLICT', 'green', 'gsm-green'));
});
