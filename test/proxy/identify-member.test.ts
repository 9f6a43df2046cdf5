import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createIdentifier, parseBasicCredentials } from '../../src/proxy/identify-member.ts';
import type { DirectorySnapshot, MemberRecord } from '../../src/directory/directory-snapshot.ts';

function directory(passwordHash = 'hash-1'): DirectorySnapshot {
  const alice: MemberRecord = { id: 'alice', name: 'Alice', groupId: 'labour', passwordHash, ips: [] };
  const bob: MemberRecord = { id: 'bob', name: 'Bob', groupId: 'green', passwordHash: null, ips: ['10.0.0.2'] };
  return { members: new Map([['alice', alice], ['bob', bob]]), byIp: new Map([['10.0.0.2', 'bob']]), groups: new Map() };
}

const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

function setup(maxFailures = 3) {
  const calls: string[] = [];
  const identify = createIdentifier({
    verifyPassword: async (pw, hash) => {
      calls.push(`${pw}/${hash}`);
      return pw === 'right' && hash === 'hash-1';
    },
    cacheTtlMs: 60_000,
    cacheSize: 100,
    maxFailures,
    failureWindowMs: 60_000,
  });
  return { identify, calls };
}

test('Basic credentials parse; malformed ones do not', () => {
  assert.deepEqual(parseBasicCredentials(basic('alice', 'pa:ss')), { username: 'alice', password: 'pa:ss' });
  assert.deepEqual(parseBasicCredentials(`basic   ${Buffer.from('a:b').toString('base64')}`), { username: 'a', password: 'b' });
  for (const bad of ['Bearer x', 'Basic', 'Basic !!!', `Basic ${Buffer.from('no-colon').toString('base64')}`, `Basic ${Buffer.from(':pw').toString('base64')}`]) {
    assert.equal(parseBasicCredentials(bad), null, bad);
  }
});

test('a verified password is remembered; a changed stored hash forces a new check', async () => {
  const { identify, calls } = setup();
  const dir = directory();
  assert.equal((await identify(basic('alice', 'right'), '10.0.0.9', dir)).ok, true);
  assert.equal((await identify(basic('ALICE', 'right'), '10.0.0.9', dir)).ok, true);
  assert.equal((await identify(basic('alice', 'right'), '10.0.0.9', dir)).ok, true);
  assert.equal(calls.length, 2, 'same header verified once (the upper-case spelling is another header)');
  const changed = directory('hash-2');
  assert.equal((await identify(basic('alice', 'right'), '10.0.0.9', changed)).ok, false);
  assert.equal(calls.length, 3);
});

test('members are identified by registered address; credentials, when sent, must be right', async () => {
  const { identify } = setup();
  const byAddress = await identify(undefined, '10.0.0.2', directory());
  assert.equal(byAddress.ok && byAddress.member.id, 'bob');
  assert.equal(byAddress.ok && byAddress.via, 'address');
  const wrong = await identify(basic('alice', 'wrong'), '10.0.0.2', directory());
  assert.equal(wrong.ok, false);
  const stranger = await identify(undefined, '10.0.0.99', directory());
  assert.deepEqual(stranger, { ok: false, reason: 'no-credentials' });
  const noPassword = await identify(basic('bob', 'anything'), '10.0.0.7', directory());
  assert.equal(!noPassword.ok && noPassword.reason, 'bad-credentials');
});

test('after too many wrong passwords an address is locked out without checking; other addresses are not', async () => {
  const { identify, calls } = setup(3);
  for (let i = 0; i < 3; i++) assert.equal((await identify(basic('alice', `guess${i}`), '10.0.0.66', directory())).ok, false);
  assert.equal(calls.length, 3);
  const locked = await identify(basic('alice', 'right'), '10.0.0.66', directory());
  assert.equal(!locked.ok && locked.reason, 'locked-out');
  assert.equal(calls.length, 3, 'no password check while locked out');
  assert.equal((await identify(basic('alice', 'right'), '10.0.0.67', directory())).ok, true);
});
