/**
 * Concurrent sign-ins with the same credentials share one password check
 * (scrypt is slow and memory-hungry; a burst of new keep-alive connections
 * from one member used to run one each), while different credentials, a
 * changed stored hash and a wrong password are still checked on their own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createIdentifier } from '../../src/proxy/identify-member.ts';
import type { DirectorySnapshot, MemberRecord } from '../../src/directory/directory-snapshot.ts';

const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

function directory(passwordHash: string): DirectorySnapshot {
  const alice: MemberRecord = { id: 'alice', name: 'Alice', groupId: 'labour', passwordHash, ips: [] };
  return { members: new Map([['alice', alice]]), byIp: new Map(), groups: new Map() };
}

function setup() {
  const calls: string[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const identify = createIdentifier({
    verifyPassword: async (pw, hash) => {
      calls.push(`${pw}/${hash}`);
      await gate;
      return pw === 'right' && hash === 'hash-1';
    },
    cacheTtlMs: 60_000,
    cacheSize: 100,
    maxFailures: 100,
    failureWindowMs: 60_000,
  });
  return { identify, calls, release };
}

test('64 concurrent requests with the same right password run one check and all get in', async () => {
  const { identify, calls, release } = setup();
  const dir = directory('hash-1');
  const pending = Array.from({ length: 64 }, () => identify(basic('alice', 'right'), '10.0.0.9', dir));
  release();
  const results = await Promise.all(pending);
  assert.equal(calls.length, 1);
  assert.ok(results.every((r) => r.ok));
});

test('concurrent wrong passwords share a check but each is refused and counted', async () => {
  const { identify, calls, release } = setup();
  const dir = directory('hash-1');
  const pending = Array.from({ length: 5 }, () => identify(basic('alice', 'wrong'), '10.0.0.9', dir));
  release();
  const results = await Promise.all(pending);
  assert.equal(calls.length, 1);
  assert.ok(results.every((r) => !r.ok && r.reason === 'bad-credentials'));
  // A failed check is not remembered: the next attempt checks again.
  await identify(basic('alice', 'wrong'), '10.0.0.9', dir);
  assert.equal(calls.length, 2);
});

test('different passwords, or the same password against a changed stored hash, are checked separately', async () => {
  const { identify, calls, release } = setup();
  const pending = [
    identify(basic('alice', 'right'), '10.0.0.9', directory('hash-1')),
    identify(basic('alice', 'other'), '10.0.0.9', directory('hash-1')),
    identify(basic('alice', 'right'), '10.0.0.9', directory('hash-2')),
  ];
  release();
  const [a, b, c] = await Promise.all(pending);
  assert.equal(calls.length, 3);
  assert.equal(a!.ok, true);
  assert.equal(b!.ok, false);
  assert.equal(c!.ok, false);
});
