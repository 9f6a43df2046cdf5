/**
 * A grant decided in another process (the CLI, on its own connection to the
 * store) takes effect in the running proxy within a second, and a revoke
 * blocks again — over real sockets, with the fixture lists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../src/cli.ts';
import { memoryIO } from '../helpers/memory-io.ts';
import { startOrigin } from '../helpers/origin.ts';
import { viaProxy } from '../helpers/proxy-client.ts';
import { FIXTURE_CATEGORIES, startHarness } from '../helpers/wardgate-harness.ts';

async function cli(dataDir: string, args: string[], stdin = ''): Promise<string> {
  const io = memoryIO(stdin);
  // Commands that check grantability read the lists; the others do not take --categories.
  const lists = args[0] === 'grants' && (args[1] === 'request' || args[1] === 'approve') ? ['--categories', FIXTURE_CATEGORIES] : [];
  const code = await runCli([...args, '--data-dir', dataDir, ...lists], io);
  assert.equal(code, 0, `${args.join(' ')}: ${io.err()}`);
  return io.out();
}

async function statusWithin(ms: number, want: number, get: () => Promise<number>): Promise<number> {
  const deadline = Date.now() + ms;
  let status = await get();
  while (status !== want && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    status = await get();
  }
  return status;
}

test('approve in another process → allowed within 1 s (allow-by-grant logged); revoke → blocked again', async (t) => {
  const origin = await startOrigin();
  t.after(() => origin.close());
  const proxy = await startHarness({ resolve: [{ host: 'blocked-porn.test', address: '127.0.0.1' }] });
  t.after(() => proxy.stop());
  const get = async () =>
    (await viaProxy({ proxyPort: proxy.port, url: `http://blocked-porn.test:${origin.port}/small`, headers: { 'proxy-authorization': proxy.aliceAuth } })).status;

  assert.equal(await get(), 403);
  await cli(proxy.dataDir, ['users', 'add', 'gsm-labour', '--role', 'gsm', '--group', 'labour', '--name', 'Labour GSM', '--password-stdin'], 'a long enough password\n');
  await cli(proxy.dataDir, ['grants', 'request', '--member', 'alice', '--domain', 'blocked-porn.test', '--reason', 'Scrutiny committee inquiry into age verification']);
  const listed = JSON.parse((await cli(proxy.dataDir, ['grants', 'list', '--json'])).trim().split('\n')[0]!) as { id: string; status: string };
  assert.equal(listed.status, 'pending');
  assert.equal(await get(), 403, 'a pending request unlocks nothing');

  await cli(proxy.dataDir, ['grants', 'approve', listed.id, '--by', 'gsm-labour', '--days', '7', '--note', 'ok for the inquiry']);
  assert.equal(await statusWithin(1_000, 200, get), 200, 'approved grant honoured within one second');
  const line = await proxy.decisions.waitFor((l) => l.decision === 'allow-by-grant');
  assert.deepEqual(line.grants, [listed.id]);
  assert.deepEqual(line.categories, ['pornography']);

  await cli(proxy.dataDir, ['grants', 'revoke', listed.id, '--by', 'gsm-labour', '--note', 'inquiry closed']);
  assert.equal(await statusWithin(1_000, 403, get), 403, 'revoked grant no longer honoured');

  const staffLines = proxy.decisions.lines.filter((l) => l.type === 'staff' && l.grant === listed.id);
  assert.deepEqual(
    staffLines.map((l) => [l.action, l.before, l.after, l.member, l.group]),
    [
      ['request', null, 'pending', 'alice', 'labour'],
      ['approve', 'pending', 'approved', 'alice', 'labour'],
      ['revoke', 'approved', 'revoked', 'alice', 'labour'],
    ],
    'every grant step is also a line in the decision log',
  );
  const audit = (await cli(proxy.dataDir, ['audit', 'events', '--subject', listed.id, '--json'])).trim().split('\n').map((l) => (JSON.parse(l) as { action: string }).action);
  assert.deepEqual(audit, ['request', 'approve', 'revoke']);
});
