/** The self-service CSRF token and its secret file. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTokenSigner, loadSecret, SECRET_FILE, TOKEN_TTL_MS } from '../../src/proxy/self-service-token.ts';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'wardgate-token-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the secret is made once with mode 0600 and then reused; a looser mode is tightened and reported', (t) => {
  const dir = tempDir(t);
  const first = loadSecret(dir);
  assert.equal(first.length, 32);
  assert.equal(statSync(join(dir, SECRET_FILE)).mode & 0o777, 0o600);
  assert.deepEqual(loadSecret(dir), first);
  chmodSync(join(dir, SECRET_FILE), 0o644);
  const reported: string[] = [];
  assert.deepEqual(loadSecret(dir, (file) => reported.push(file)), first);
  assert.deepEqual(reported, [join(dir, SECRET_FILE)]);
  assert.equal(statSync(join(dir, SECRET_FILE)).mode & 0o777, 0o600);
  writeFileSync(join(dir, SECRET_FILE), 'not hex\n', { mode: 0o600 });
  assert.throws(() => loadSecret(dir), /is not 32 bytes of hex: delete it/);
  assert.equal(readFileSync(join(dir, SECRET_FILE), 'utf8'), 'not hex\n', 'a bad secret is never replaced silently');
});

test('a token is valid only for its member and address, until it expires, and only with the same secret', (t) => {
  const secret = loadSecret(tempDir(t));
  const signer = createTokenSigner(secret);
  const now = Date.UTC(2026, 10, 23, 12);
  const token = signer.mint('alice', 'http://a.example/x', now);
  assert.match(token, /^v1\.\d+\.[A-Za-z0-9_-]{43}$/);
  assert.equal(signer.verify(token, 'alice', 'http://a.example/x', now + 1000), true);
  assert.equal(signer.verify(token, 'bob', 'http://a.example/x', now), false);
  assert.equal(signer.verify(token, 'alice', 'http://a.example/y', now), false);
  assert.equal(signer.verify(token, 'alice', 'http://a.example/x', now + TOKEN_TTL_MS), false, 'expired');
  assert.equal(createTokenSigner(Buffer.alloc(32, 7)).verify(token, 'alice', 'http://a.example/x', now), false, 'another secret');
  const [, expires, mac] = token.split('.');
  const later = `v1.${Number(expires) + 3600}.${mac}`;
  assert.equal(signer.verify(later, 'alice', 'http://a.example/x', now), false, 'the expiry cannot be extended');
  for (const junk of ['', 'v1', 'v2.1.abc', `v1.${expires}.${mac}x`, `${token} `]) assert.equal(signer.verify(junk, 'alice', 'http://a.example/x', now), false, junk);
});
