/**
 * The admin server started by startWardgate(): /healthz, /readyz, /metrics,
 * 404 for the rest. A known mix of requests goes through the proxy and the
 * scraped counters must equal it exactly.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS } from '../../src/config/defaults.ts';
import { startWardgate } from '../../src/main.ts';
import { startOrigin, type Origin } from '../helpers/origin.ts';
import { FIXTURE_CATEGORIES, startHarness, type Harness } from '../helpers/wardgate-harness.ts';
import { memoryIO } from '../helpers/memory-io.ts';
import { runCli } from '../../src/cli.ts';
import { viaProxy } from '../helpers/proxy-client.ts';
import { createLogSink, sinkLoggers } from '../helpers/log-sink.ts';
import { createAdminServer } from '../../src/admin/admin-server.ts';
import { listsReadiness, storeReadiness } from '../../src/admin/readiness.ts';
import { openDatabase } from '../../src/store/database.ts';

let origin: Origin;
let proxy: Harness;

before(async () => {
  origin = await startOrigin();
  proxy = await startHarness({ resolve: ['allowed.test', 'blocked-porn.test'].map((host) => ({ host, address: '127.0.0.1' })) });
});
after(async () => {
  await proxy.stop();
  await origin.close();
});

interface AdminResponse {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

function admin(path: string, port = proxy.wardgate.adminAddress!.port, method = 'GET'): Promise<AdminResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The value of one sample in Prometheus text, or undefined when absent. Labels must match exactly. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const got = (m[2] ?? '')
      .split(/,(?=[a-zA-Z_]+=")/)
      .filter((s) => s !== '')
      .sort()
      .join(',');
    if (got === wanted) return Number(m[3]);
  }
  return undefined;
}

function sum(text: string, name: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{.*\})? (\S+)$/.exec(line);
    if (m !== null && m[1] === name) total += Number(m[2]);
  }
  return total;
}

test('the admin server listens on its own port, never the proxy listener', () => {
  const address = proxy.wardgate.adminAddress;
  assert.ok(address !== null);
  assert.equal(address.host, '127.0.0.1');
  assert.notEqual(address.port, proxy.port);
});

test('/healthz answers 200 ok', async () => {
  const res = await admin('/healthz');
  assert.equal(res.status, 200);
  assert.equal(res.text.trim(), 'ok');
});

test('/readyz answers 200 with the lists stats and the store ok', async () => {
  const res = await admin('/readyz');
  assert.equal(res.status, 200);
  const body = JSON.parse(res.text) as { lists: Record<string, number>; store: string };
  assert.equal(body.store, 'ok');
  assert.deepEqual(body.lists, { ...proxy.wardgate.snapshots.current.classifier.stats });
});

test('unknown routes, other methods and odd paths are 404, and the server keeps answering', async () => {
  const start = await admin('/');
  assert.equal(start.status, 303, 'the start page sends a signed-out visitor to sign in');
  for (const path of ['/nope', '/metrics/extra', '/%ZZ', '/healthz/../../etc/passwd', `/${'a'.repeat(5000)}`]) {
    const res = await admin(path);
    assert.ok(res.status === 404 || res.status === 400, `${path}: ${res.status}`);
  }
  assert.equal((await admin('/metrics', undefined, 'POST')).status, 404);
  assert.equal((await admin('/healthz', undefined, 'DELETE')).status, 404);
  assert.equal((await admin('/healthz')).status, 200);
});

test('/metrics shows exactly the traffic sent: allowed, blocked, refused (407) and an upstream error', async () => {
  const auth = { 'proxy-authorization': proxy.aliceAuth };
  const before = proxy.decisions.lines.length;
  const allowed1 = await viaProxy({ proxyPort: proxy.port, url: `http://allowed.test:${origin.port}/small`, headers: auth });
  const allowed2 = await viaProxy({ proxyPort: proxy.port, url: `http://allowed.test:${origin.port}/small`, headers: auth });
  const blocked = await viaProxy({ proxyPort: proxy.port, url: `http://blocked-porn.test:${origin.port}/small`, headers: auth });
  const refused1 = await viaProxy({ proxyPort: proxy.port, url: `http://allowed.test:${origin.port}/small` });
  const refused2 = await viaProxy({ proxyPort: proxy.port, url: `http://blocked-porn.test:${origin.port}/small` });
  // Port 1 on 127.0.0.1: nothing listens, so the connection is refused.
  const failed = await viaProxy({ proxyPort: proxy.port, url: 'http://allowed.test:1/', headers: auth });
  assert.deepEqual([allowed1.status, allowed2.status, blocked.status, refused1.status, refused2.status, failed.status], [200, 200, 403, 407, 407, 502]);
  // Every request has ended (its decision line written) before the scrape.
  const deadline = Date.now() + 5_000;
  while (proxy.decisions.lines.length < before + 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(proxy.decisions.lines.length, before + 6);

  const res = await admin('/metrics');
  assert.equal(res.status, 200);
  assert.match(res.contentType, /^text\/plain/);
  const m = res.text;
  assert.equal(sample(m, 'wardgate_requests_total', { decision: 'allow', kind: 'http', category: '' }), 3, 'two allowed + the upstream error');
  assert.equal(sample(m, 'wardgate_requests_total', { decision: 'block', kind: 'http', category: 'pornography' }), 1);
  assert.equal(sample(m, 'wardgate_requests_total', { decision: 'refuse', kind: 'http', category: '' }), 2);
  assert.equal(sum(m, 'wardgate_requests_total'), 6);
  assert.equal(sample(m, 'wardgate_upstream_errors_total', { code: 'WF_ERR_UPSTREAM_REFUSED' }), 1);
  assert.equal(sum(m, 'wardgate_upstream_errors_total'), 1);

  assert.equal(sample(m, 'wardgate_request_duration_seconds_count', { kind: 'http', decision: 'allow' }), 3);
  assert.equal(sample(m, 'wardgate_request_duration_seconds_count', { kind: 'http', decision: 'block' }), 1);
  assert.equal(sample(m, 'wardgate_request_duration_seconds_count', { kind: 'http', decision: 'refuse' }), 2);
  // Only the four identified requests reach evaluate().
  assert.equal(sample(m, 'wardgate_classification_duration_seconds_count'), 4);
  const hits = sample(m, 'wardgate_classification_cache_total', { result: 'hit' })!;
  const misses = sample(m, 'wardgate_classification_cache_total', { result: 'miss' })!;
  assert.equal(hits + misses, 4);
  assert.ok(hits >= 1, 'the repeated URL came from the cache');
  assert.ok(misses >= 1);

  const stats = proxy.wardgate.snapshots.current.classifier.stats;
  for (const kind of ['domains', 'urls', 'keywords', 'lists'] as const) {
    assert.equal(sample(m, 'wardgate_index_entries', { kind }), stats[kind], kind);
  }
  assert.equal(sample(m, 'wardgate_active_tunnels'), 0);
  assert.equal(sample(m, 'wardgate_grants', { status: 'approved' }), 0);
  assert.equal(sample(m, 'wardgate_grants', { status: 'pending' }), 0);
  assert.ok((sample(m, 'wardgate_active_connections') ?? -1) >= 0);
  assert.ok(sample(m, 'process_cpu_user_seconds_total') !== undefined, 'default process metrics');

  // The cache moves with more traffic: the same URL again is a hit.
  await viaProxy({ proxyPort: proxy.port, url: `http://allowed.test:${origin.port}/small`, headers: auth });
  const again = (await admin('/metrics')).text;
  assert.equal(sample(again, 'wardgate_classification_cache_total', { result: 'hit' }), hits + 1);
});

test('active connections count open client connections to the proxy', async () => {
  const { Agent } = await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const before = sample((await admin('/metrics')).text, 'wardgate_active_connections')!;
    await viaProxy({ proxyPort: proxy.port, url: `http://allowed.test:${origin.port}/small`, headers: { 'proxy-authorization': proxy.aliceAuth }, agent });
    assert.equal(sample((await admin('/metrics')).text, 'wardgate_active_connections'), before + 1);
    agent.destroy();
    const deadline = Date.now() + 5_000;
    let now = before + 1;
    while (now !== before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      now = sample((await admin('/metrics')).text, 'wardgate_active_connections')!;
    }
    assert.equal(now, before);
  } finally {
    agent.destroy();
  }
});

test('/readyz is 503 naming the store when the store does not answer', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wardgate-admin-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const db = openDatabase(dataDir);
  const log = sinkLoggers(createLogSink()).app;
  const server = createAdminServer({
    metrics: { scrape: async () => '', contentType: 'text/plain' },
    log,
    readiness: { lists: listsReadiness(proxy.wardgate.snapshots, null), checkStore: storeReadiness(db) },
  });
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  try {
    assert.equal((await admin('/readyz', port)).status, 200);
    db.close();
    const res = await admin('/readyz', port);
    assert.equal(res.status, 503);
    const body = JSON.parse(res.text) as { lists: unknown; store: string };
    assert.equal(body.store, 'unreachable');
    assert.deepEqual(body.lists, { ...proxy.wardgate.snapshots.current.classifier.stats });
    assert.equal((await admin('/healthz', port)).status, 200, 'still alive');
  } finally {
    await server.close();
  }
});

test('a metrics or readiness source that throws gives 500 / 503, never a crash', async () => {
  const server = createAdminServer({
    metrics: { scrape: async () => { throw new Error('boom'); }, contentType: 'text/plain' },
    log: sinkLoggers(createLogSink()).app,
    readiness: { lists: () => { throw new Error('boom'); }, checkStore: () => {} },
  });
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  try {
    assert.equal((await admin('/metrics', port)).status, 500);
    const ready = await admin('/readyz', port);
    assert.equal(ready.status, 503);
    assert.deepEqual(JSON.parse(ready.text), { lists: 'unavailable', store: 'ok' });
    assert.equal((await admin('/healthz', port)).status, 200);
  } finally {
    await server.close();
  }
});

test('/readyz is 503 naming the lists while none are loaded (block-all)', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'wardgate-admin-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const wardgate = await startWardgate(
    {
      ...DEFAULTS,
      listen: { host: '127.0.0.1', port: 0 },
      admin: { host: '127.0.0.1', port: 0 },
      dataDir: join(root, 'data'),
      categoriesDir: join(root, 'no-such-categories'),
      lists: { ...DEFAULTS.lists, whenUnavailable: 'block-all' },
    },
    { loggers: sinkLoggers(createLogSink()), listRetryMs: 60_000 },
  );
  try {
    const res = await admin('/readyz', wardgate.adminAddress!.port);
    assert.equal(res.status, 503);
    assert.deepEqual(JSON.parse(res.text), { lists: 'unavailable', store: 'ok' });
    assert.equal((await admin('/healthz', wardgate.adminAddress!.port)).status, 200);
  } finally {
    await wardgate.stop();
  }
});

test('admin: null starts no admin server', async () => {
  const harness = await startHarness({ admin: null });
  try {
    assert.equal(harness.wardgate.adminAddress, null);
  } finally {
    await harness.stop();
  }
});

test('grants by status follow the store, and allow-by-grant requests are counted under their category', async (t) => {
  const harness = await startHarness({ resolve: [{ host: 'blocked-porn.test', address: '127.0.0.1' }] });
  t.after(() => harness.stop());
  const port = harness.wardgate.adminAddress!.port;
  const cli = async (args: string[], stdin = '') => {
    const io = memoryIO(stdin);
    const lists = args[0] === 'grants' && (args[1] === 'request' || args[1] === 'approve') ? ['--categories', FIXTURE_CATEGORIES] : [];
    assert.equal(await runCli([...args, '--data-dir', harness.dataDir, ...lists], io), 0, io.err());
    return io.out();
  };
  const metricWithin = async (name: string, labels: Record<string, string>, want: number) => {
    const deadline = Date.now() + 3_000;
    let value = sample((await admin('/metrics', port)).text, name, labels);
    while (value !== want && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      value = sample((await admin('/metrics', port)).text, name, labels);
    }
    return value;
  };
  await cli(['users', 'add', 'gsm-labour', '--role', 'gsm', '--group', 'labour', '--name', 'Labour GSM', '--password-stdin'], 'a long enough password\n');
  await cli(['grants', 'request', '--member', 'alice', '--domain', 'blocked-porn.test', '--reason', 'Scrutiny committee inquiry into age verification']);
  assert.equal(await metricWithin('wardgate_grants', { status: 'pending' }, 1), 1);
  const { id } = JSON.parse((await cli(['grants', 'list', '--json'])).trim().split('\n')[0]!) as { id: string };
  await cli(['grants', 'approve', id, '--by', 'gsm-labour', '--days', '7']);
  assert.equal(await metricWithin('wardgate_grants', { status: 'approved' }, 1), 1);
  assert.equal(await metricWithin('wardgate_grants', { status: 'pending' }, 0), 0);

  const res = await viaProxy({ proxyPort: harness.port, url: `http://blocked-porn.test:${origin.port}/small`, headers: { 'proxy-authorization': harness.aliceAuth } });
  assert.equal(res.status, 200);
  await harness.decisions.waitFor((l) => l.decision === 'allow-by-grant');
  assert.equal(await metricWithin('wardgate_requests_total', { decision: 'allow-by-grant', kind: 'http', category: 'pornography' }, 1), 1);
});

test('an admin address already in use stops start-up with the reason, leaving nothing listening', async () => {
  const first = await startHarness();
  try {
    await assert.rejects(startHarness({ admin: first.wardgate.adminAddress }), /EADDRINUSE/);
    assert.equal((await admin('/healthz', first.wardgate.adminAddress!.port)).status, 200);
  } finally {
    await first.stop();
  }
});
