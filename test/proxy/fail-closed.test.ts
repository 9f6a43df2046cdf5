/**
 * Without lists the proxy never silently allows: it refuses to start, or
 * (lists.whenUnavailable = block-all) blocks everything until lists load.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS } from '../../src/config/defaults.ts';
import { isWfError } from '../../src/errors.ts';
import { startWardgate } from '../../src/main.ts';
import { createLogSink, sinkLoggers } from '../helpers/log-sink.ts';
import { startOrigin } from '../helpers/origin.ts';
import { viaProxy } from '../helpers/proxy-client.ts';
import { ALICE, basicAuth, FIXTURE_CATEGORIES, seedDirectory } from '../helpers/wardgate-harness.ts';

test('with no categories folder, serve refuses to start and says why', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wardgate-failclosed-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const missing = join(dataDir, 'no-such-categories');
  await assert.rejects(
    startWardgate({ ...DEFAULTS, listen: { host: '127.0.0.1', port: 0 }, admin: null, dataDir, categoriesDir: missing }, { loggers: sinkLoggers(createLogSink()) }),
    (error) => isWfError(error, 'WF_ERR_NO_INDEX') && error.message.includes(missing),
  );
});

test('block-all: every request is blocked until the lists appear, then normal filtering resumes', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'wardgate-failclosed-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dataDir = join(root, 'data');
  const categoriesDir = join(root, 'categories');
  await seedDirectory(dataDir);
  const origin = await startOrigin();
  t.after(() => origin.close());
  const app = createLogSink();
  const wardgate = await startWardgate(
    {
      ...DEFAULTS,
      listen: { host: '127.0.0.1', port: 0 },
      admin: { host: '127.0.0.1', port: 0 },
      dataDir,
      categoriesDir,
      resolve: [{ host: 'allowed.test', address: '127.0.0.1' }],
      lists: { ...DEFAULTS.lists, whenUnavailable: 'block-all' },
    },
    { loggers: sinkLoggers(createLogSink(), app), listRetryMs: 200 },
  );
  t.after(() => wardgate.stop());
  const get = () =>
    viaProxy({ proxyPort: wardgate.address.port, url: `http://allowed.test:${origin.port}/small`, headers: { 'proxy-authorization': basicAuth(ALICE.id, ALICE.password) } });

  const blocked = await get();
  assert.equal(blocked.status, 403);
  assert.match(blocked.text, /could not check this address/);
  assert.equal(origin.hits.length, 0);

  cpSync(FIXTURE_CATEGORIES, categoriesDir, { recursive: true });
  await app.waitFor((l) => l.msg === 'category lists reloaded', 10_000);
  assert.equal((await get()).status, 200);
});
