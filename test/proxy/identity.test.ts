import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOrigin, type Origin } from '../helpers/origin.ts';
import { basicAuth, BOB, startHarness, type Harness } from '../helpers/wardgate-harness.ts';
import { viaProxy } from '../helpers/proxy-client.ts';
import { openDatabase } from '../../src/store/database.ts';
import { DirectoryStore } from '../../src/directory/directory-store.ts';
import { hashPassword } from '../../src/directory/password.ts';

let origin: Origin;
let proxy: Harness;
let url: string;

before(async () => {
  origin = await startOrigin();
  proxy = await startHarness({ resolve: [{ host: 'allowed.test', address: '127.0.0.1' }] });
  url = `http://allowed.test:${origin.port}/small`;
});
after(async () => {
  await proxy.stop();
  await origin.close();
});

test('a client with no credentials and an unknown address gets 407 with a Basic challenge', async () => {
  const hitsBefore = origin.hits.length;
  const res = await viaProxy({ proxyPort: proxy.port, url });
  assert.equal(res.status, 407);
  assert.match(String(res.headers['proxy-authenticate']), /^Basic realm="wardgate"/);
  assert.equal(origin.hits.length, hitsBefore);
  const line = await proxy.decisions.waitFor((l) => l.status === 407);
  assert.equal(line.decision, 'refuse');
  assert.equal(line.reason, 'no-credentials');
});

test('a wrong password is refused and logged', async () => {
  const res = await viaProxy({ proxyPort: proxy.port, url, headers: { 'proxy-authorization': basicAuth('alice', 'wrong password') } });
  assert.equal(res.status, 407);
  const line = await proxy.decisions.waitFor((l) => l.reason === 'bad-credentials');
  assert.equal(line.decision, 'refuse');
  const warning = await proxy.app.waitFor((l) => l.msg === 'proxy sign-in refused');
  assert.equal(warning.username, 'alice');
  const unknown = await viaProxy({ proxyPort: proxy.port, url, headers: { 'proxy-authorization': basicAuth('mallory', 'whatever') } });
  assert.equal(unknown.status, 407);
  const garbage = await viaProxy({ proxyPort: proxy.port, url, headers: { 'proxy-authorization': 'Basic !!!' } });
  assert.equal(garbage.status, 407);
});

test('a member is identified by a registered source address', async () => {
  const res = await viaProxy({ proxyPort: proxy.port, url, localAddress: BOB.address });
  assert.equal(res.status, 200);
  const line = await proxy.decisions.waitFor((l) => l.member === 'bob');
  assert.equal(line.via, 'address');
  assert.equal(line.client, BOB.address);
});

test('a member added by another process can browse within a second, and a password change takes effect', async () => {
  const db = openDatabase(proxy.dataDir);
  const directory = new DirectoryStore(db);
  directory.addMember({ id: 'carol', name: 'Carol Example', groupId: 'green', passwordHash: await hashPassword('first password') });
  const deadline = Date.now() + 1_000;
  let status = 0;
  while (Date.now() < deadline) {
    status = (await viaProxy({ proxyPort: proxy.port, url, headers: { 'proxy-authorization': basicAuth('carol', 'first password') } })).status;
    if (status === 200) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(status, 200, 'new member accepted within one second');

  directory.setPassword('carol', await hashPassword('second password'));
  await new Promise((r) => setTimeout(r, 600));
  const old = await viaProxy({ proxyPort: proxy.port, url, headers: { 'proxy-authorization': basicAuth('carol', 'first password') } });
  assert.equal(old.status, 407, 'the cached old password no longer works');
  db.close();
});
