/**
 * `wardgate users token | tokens | revoke-token`: the token is printed once
 * (stdout holds only it), works against a running admin server's API, is
 * listed without its secret, and stops working once revoked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../src/cli.ts';
import { memoryIO } from '../helpers/memory-io.ts';
import { startHarness } from '../helpers/wardgate-harness.ts';
import { addStaff, api } from './admin-client.ts';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIO('');
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

test('users token prints a working token once; users tokens lists it without the secret; revoke-token ends it', async (t) => {
  const harness = await startHarness();
  t.after(() => harness.stop());
  const base = `http://127.0.0.1:${harness.wardgate.adminAddress!.port}`;
  await addStaff(harness.dataDir, [{ id: 'gsm-labour', role: 'gsm', groupId: 'labour' }]);
  const d = ['--data-dir', harness.dataDir];

  const issued = await cli(['users', 'token', 'gsm-labour', '--name', 'nightly', '--expires-days', '30', ...d]);
  assert.equal(issued.code, 0, issued.err);
  const token = issued.out.trim();
  assert.match(token, /^wgt_[A-Za-z0-9_-]{43}$/);
  assert.match(issued.err, /not shown again/);
  const me = await api(base, token, 'GET', '/me');
  assert.equal(me.status, 200);
  assert.equal(me.body.role, 'gsm');
  assert.equal(me.body.groupId, 'labour');

  const listed = await cli(['users', 'tokens', 'gsm-labour', '--json', ...d]);
  assert.equal(listed.code, 0, listed.err);
  const rows = listed.out.trim().split('\n').map((l) => JSON.parse(l) as { id: string; name: string; revokedAt: string | null });
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.name, 'nightly');
  assert.ok(!listed.out.includes(token.slice(4)), 'the secret is never listed');

  const revoked = await cli(['users', 'revoke-token', rows[0]!.id, ...d]);
  assert.equal(revoked.code, 0, revoked.err);
  assert.equal((await api(base, token, 'GET', '/me')).status, 401);
  assert.match((await cli(['users', 'tokens', 'gsm-labour', ...d])).out, /revoked/);

  const bad = await cli(['users', 'token', 'gsm-labour', '--expires-days', 'soon', ...d]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--expires-days/);
  const unknown = await cli(['users', 'token', 'nobody', ...d]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /does not exist/);
  assert.equal((await cli(['users', 'revoke-token', rows[0]!.id, ...d])).code, 1, 'revoking twice is refused');
});
