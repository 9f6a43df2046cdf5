import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startOrigin } from '../helpers/origin.ts';
import { startHarness } from '../helpers/wardgate-harness.ts';
import { viaProxy } from '../helpers/proxy-client.ts';

test('stop() lets an in-flight request finish, then refuses new connections', async (t) => {
  const origin = await startOrigin();
  t.after(() => origin.close());
  const proxy = await startHarness({ resolve: [{ host: 'allowed.test', address: '127.0.0.1' }] });
  const inFlight = viaProxy({ proxyPort: proxy.port, url: `http://allowed.test:${origin.port}/slow?ms=400`, headers: { 'proxy-authorization': proxy.aliceAuth } });
  await new Promise((r) => setTimeout(r, 100));
  const stopped = proxy.stop();
  const res = await inFlight;
  assert.equal(res.status, 200);
  assert.equal(res.body.length, 1024);
  await stopped;
  await assert.rejects(viaProxy({ proxyPort: proxy.port, url: `http://allowed.test:${origin.port}/small` }), /ECONNREFUSED/);
});

test('stop() gives up on requests still running after the grace period', async (t) => {
  const origin = await startOrigin();
  t.after(() => origin.close());
  const proxy = await startHarness({ resolve: [{ host: 'allowed.test', address: '127.0.0.1' }] });
  const hung = viaProxy({ proxyPort: proxy.port, url: `http://allowed.test:${origin.port}/hang`, headers: { 'proxy-authorization': proxy.aliceAuth } }).then(
    () => null,
    (error: Error) => error,
  );
  await new Promise((r) => setTimeout(r, 100));
  const started = Date.now();
  await proxy.stop(); // the harness sets a 2 s grace
  assert.ok(Date.now() - started < 5_000);
  assert.match(String((await hung)?.message), /socket hang up|ECONNRESET/);
});
