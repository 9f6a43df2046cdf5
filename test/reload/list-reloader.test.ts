import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createListReloader } from '../../src/reload/list-reloader.ts';
import { SnapshotHolder } from '../../src/pipeline/runtime-snapshot.ts';
import { loadListsSnapshot, type ListsSnapshot } from '../../src/compose.ts';
import { DEFAULTS } from '../../src/config/defaults.ts';
import { createAppLogger } from '../../src/log/loggers.ts';
import { createLogSink } from '../helpers/log-sink.ts';
import { FIXTURE_CATEGORIES, startHarness } from '../helpers/wardgate-harness.ts';
import { startOrigin } from '../helpers/origin.ts';
import { viaProxy } from '../helpers/proxy-client.ts';

async function fixtureSnapshot(): Promise<ListsSnapshot> {
  return loadListsSnapshot({ ...DEFAULTS, categoriesDir: FIXTURE_CATEGORIES });
}

/** The fixture's own problems (categories without folders): known at start-up, so never a reason to refuse. */
const known = (await fixtureSnapshot()).diagnostics;

async function holder(): Promise<SnapshotHolder> {
  const lists = await fixtureSnapshot();
  return new SnapshotHolder({ classifier: lists.classifier, policy: lists.policy, directory: { members: new Map(), byIp: new Map(), groups: new Map() }, grants: new Map() });
}

test('a reload swaps the classifier in one step; a snapshot already taken is untouched', async () => {
  const snapshots = await holder();
  const taken = snapshots.current;
  const sink = createLogSink();
  const reloader = createListReloader({ snapshots, log: createAppLogger('info', sink.stream), build: fixtureSnapshot, watchDirs: [], debounceMs: 10, servingDiagnostics: known });
  assert.equal(await reloader.reload('test'), 'reloaded');
  assert.notEqual(snapshots.current.classifier, taken.classifier);
  assert.equal(snapshots.current.version, taken.version + 1);
  assert.equal(Object.isFrozen(taken), true);
  await sink.waitFor((l) => l.msg === 'category lists reloaded');
});

test('lists with problems never replace good ones, and each problem is logged with file and line', async () => {
  const snapshots = await holder();
  const before = snapshots.current;
  const sink = createLogSink();
  const broken = async (): Promise<ListsSnapshot> => ({ ...(await fixtureSnapshot()), diagnostics: [{ file: 'pornography/domains', line: 7, message: 'invalid host name "bad host"' }] });
  const reloader = createListReloader({ snapshots, log: createAppLogger('info', sink.stream), build: broken, watchDirs: [], debounceMs: 10, servingDiagnostics: known });
  assert.equal(await reloader.reload('test'), 'rejected');
  assert.equal(snapshots.current, before);
  const line = await sink.waitFor((l) => typeof l.msg === 'string' && l.msg.includes('pornography/domains:7'));
  assert.equal(line.line, 7);
  const failing = createListReloader({ snapshots, log: createAppLogger('info', sink.stream), build: () => Promise.reject(new Error('disk gone')), watchDirs: [], debounceMs: 10, servingDiagnostics: known });
  assert.equal(await failing.reload('test'), 'failed');
  assert.equal(snapshots.current, before);
});

test('triggers during a build are coalesced into one more build', async () => {
  const snapshots = await holder();
  let builds = 0;
  const build = async () => {
    builds++;
    await new Promise((r) => setTimeout(r, 50));
    return fixtureSnapshot();
  };
  const reloader = createListReloader({ snapshots, log: createAppLogger('silent' as 'info', createLogSink().stream), build, watchDirs: [], debounceMs: 10, servingDiagnostics: known });
  const outcomes = await Promise.all([reloader.reload('a'), reloader.reload('b'), reloader.reload('c'), reloader.reload('d')]);
  assert.deepEqual(outcomes, ['reloaded', 'reloaded', 'reloaded', 'reloaded']);
  assert.equal(builds, 2);
});

test('the running proxy picks up an edited list file by itself, and keeps the old lists when an edit is bad', async (t) => {
  const categories = mkdtempSync(join(tmpdir(), 'wardgate-lists-'));
  t.after(() => rmSync(categories, { recursive: true, force: true }));
  cpSync(FIXTURE_CATEGORIES, categories, { recursive: true });
  const origin = await startOrigin();
  t.after(() => origin.close());
  const proxy = await startHarness({ categoriesDir: categories, resolve: [{ host: 'newly-listed.test', address: '127.0.0.1' }] });
  t.after(() => proxy.stop());
  const get = () => viaProxy({ proxyPort: proxy.port, url: `http://newly-listed.test:${origin.port}/small`, headers: { 'proxy-authorization': proxy.aliceAuth } });

  assert.equal((await get()).status, 200);
  appendFileSync(join(categories, 'chat', 'domains'), 'newly-listed.test\n');
  await proxy.app.waitFor((l) => l.msg === 'category lists reloaded', 10_000);
  const blocked = await get();
  assert.equal(blocked.status, 403);
  assert.equal(blocked.headers['x-wardgate-categories'], 'chat');

  appendFileSync(join(categories, 'chat', 'domains'), 'not a host name\n');
  await proxy.app.waitFor((l) => typeof l.msg === 'string' && l.msg.includes('were not loaded'), 10_000);
  assert.equal((await get()).status, 403, 'the previous (good) lists still serve');
  const problem = proxy.app.lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('category lists: chat/domains:'));
  assert.ok(problem, 'the bad line is logged with its file and line');
});
