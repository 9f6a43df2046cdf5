/**
 * reload-latency: the proxy's latency while the full UT1 set (≈4.8 million
 * entries from ../shared/data) is rebuilt under load, next to the same load
 * with no rebuild, in one run. The rebuild runs in a worker thread and is
 * swapped in with one assignment, so no request should stall for it: the
 * figures to read are p99 and max during the reload against the baseline.
 *
 *   npm run bench:reload
 *
 * Steps: import UT1 into a temporary data dir (`wardgate lists import`),
 * compile it (`wardgate lists compile`), start `wardgate serve` (dist/) on
 * it, then two autocannon runs of 30 s through the proxy to a local origin:
 * a baseline, and one during which SIGHUP triggers a full rebuild 3 s in.
 * Then one more reload with no load, for the main thread's longest block
 * during it: prom-client's `nodejs_eventloop_lag_max_seconds` from the admin
 * server's /metrics, read (and so reset) just before the SIGHUP and after the
 * reload. The client's max latency also moves with the rebuild's worker
 * taking one of the two cores; this figure is the swap's own cost. During
 * that reload the proxy's RSS is sampled every 50 ms (before, peak, and 5 s
 * after): the compile runs in a thread of the same process.
 * Writes bench/results/reload-latency.json. Loopback only; bounded in time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { startOrigin } from '../../test/helpers/origin.ts';
import { ALICE, basicAuth, seedDirectory } from '../../test/helpers/wardgate-harness.ts';

const UT1 = resolve('../shared/data/blocklists/ut1');
if (!existsSync(UT1)) {
  console.log(`skipped: ${UT1} is absent (the shared data pack is needed for this benchmark)`);
  process.exit(0);
}

/** Long enough to cover the whole rebuild (≈21 s for UT1 on 2 shared cores) and the swap after it. */
const DURATION_S = 30;
const RELOAD_AT_MS = 3_000;

function cli(args: string[], dataDir: string): void {
  const result = spawnSync(process.execPath, ['bin/wardgate.js', ...args, '--data-dir', dataDir], { encoding: 'utf8', timeout: 600_000 });
  if (result.status !== 0) throw new Error(`wardgate ${args.join(' ')} failed: ${result.stderr}`);
  process.stderr.write(result.stdout);
}

const dataDir = mkdtempSync(join(tmpdir(), 'wardgate-reload-'));
await seedDirectory(dataDir);
mkdirSync(join(dataDir, 'lists'), { recursive: true });
cli(['lists', 'import', UT1, '--format', 'ut1', '--name', 'ut1'], dataDir);
cli(['lists', 'compile'], dataDir);

const origin = await startOrigin();
const proxy = spawn(process.execPath, ['bin/wardgate.js', 'serve', '--admin', '127.0.0.1:0', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--resolve', 'origin.test:127.0.0.1'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const events: { msg: string; at: number; [k: string]: unknown }[] = [];
let port = 0;
let adminPort = 0;
const lines = createInterface({ input: proxy.stdout! });
await new Promise<void>((ready) => {
  lines.on('line', (line) => {
    const record = JSON.parse(line) as { msg: string; address?: { port: number } };
    events.push({ ...record, at: Date.now() });
    if (record.msg.startsWith('admin server listening')) adminPort = record.address!.port;
    if (record.msg === 'wardgate listening') port = record.address!.port;
    if (port !== 0 && adminPort !== 0) ready();
  });
});

/** The proxy's resident memory in MiB (the compile worker is a thread of the same process). */
function rssMiB(): number {
  return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${proxy.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
}

/** The event loop's longest delay since the last scrape, in ms (prom-client resets it on every scrape). */
async function lagMaxMs(): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('nodejs_eventloop_lag_max_seconds'));
  return line === undefined ? Number.NaN : Math.round(Number(line.split(' ').at(-1)) * 1000);
}

const isOutcome = (since: number) => (e: { msg: string; at: number }) => e.at >= since && /category lists (reloaded|could not|have problems)|were not loaded/.test(e.msg);

/** Waits (bounded) for the reload signalled at `since` to finish; its log record, or undefined. */
async function reloadOutcome(since: number): Promise<{ msg: string; at: number; [k: string]: unknown } | undefined> {
  for (let waited = 0; !events.some(isOutcome(since)) && waited < 120_000; waited += 250) await new Promise((r) => setTimeout(r, 250));
  return events.find(isOutcome(since));
}

function load(duration = DURATION_S): Promise<autocannon.Result> {
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: 32,
    duration,
    requests: [{ method: 'GET', path: `http://origin.test:${origin.port}/small`, headers: { 'proxy-authorization': basicAuth(ALICE.id, ALICE.password) } }],
  });
}

function figures(r: autocannon.Result) {
  return { requestsPerSecond: Math.round(r.requests.average), p50Ms: r.latency.p50, p99Ms: r.latency.p99, maxMs: r.latency.max, errors: r.errors, non2xx: r.non2xx };
}

try {
  await load(5); // warm-up
  const baseline = figures(await load());
  const started = Date.now();
  const timer = setTimeout(() => proxy.kill('SIGHUP'), RELOAD_AT_MS);
  const during = figures(await load());
  clearTimeout(timer);
  // The rebuild may outlast the load window: wait for its outcome (bounded) so the figures say when it landed.
  const reloaded = await reloadOutcome(started);
  // The swap's own cost, without load: the longest block of the main thread during a second reload.
  await new Promise((r) => setTimeout(r, 2_000));
  await lagMaxMs();
  const rssBeforeMiB = rssMiB();
  let rssPeakMiB = rssBeforeMiB;
  const sampler = setInterval(() => (rssPeakMiB = Math.max(rssPeakMiB, rssMiB())), 50);
  const idleStarted = Date.now();
  proxy.kill('SIGHUP');
  const idleReloaded = await reloadOutcome(idleStarted);
  clearInterval(sampler);
  const longestMainThreadBlockMs = await lagMaxMs();
  // Until V8's next full collection the process may still hold the previous index: read again later.
  await new Promise((r) => setTimeout(r, 5_000));
  const idleReload = {
    outcome: idleReloaded?.msg ?? null,
    buildMs: idleReloaded?.buildMs ?? null,
    longestMainThreadBlockMs,
    rssMiB: { before: rssBeforeMiB, peak: rssPeakMiB, fiveSecondsAfter: rssMiB() },
  };
  const result = {
    scenario: 'reload-latency',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    lists: events.find((e) => e.msg === 'wardgate listening'),
    baseline,
    duringReload: during,
    reload:
      reloaded === undefined
        ? null
        : { outcome: reloaded.msg, finishedAfterSignalMs: reloaded.at - started - RELOAD_AT_MS, withinLoadWindow: reloaded.at - started <= DURATION_S * 1000, buildMs: reloaded.buildMs, domains: reloaded.domains },
    idleReload,
    ratios: { p99: Number((during.p99Ms / baseline.p99Ms).toFixed(2)), max: Number((during.maxMs / baseline.maxMs).toFixed(2)), throughput: Number((during.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)) },
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/reload-latency.json', `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
} finally {
  proxy.kill('SIGTERM');
  await origin.close();
  rmSync(dataDir, { recursive: true, force: true });
}
