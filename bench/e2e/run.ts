/**
 * The end-to-end load benchmarks (issue 6): every scenario through wardgate
 * and, in the same run, the same load straight to the origin, so every
 * figure is also a ratio to direct.
 *
 *   npm run bench [-- --quick] [-- --only small,page] [-- --ut1 off] [-- --workers N] [-- --profile DIR]
 *
 * Three processes share the machine's CPUs: the origin (bench/e2e/lib/origin-server.ts,
 * HTTP + HTTPS with a certificate made for the run by openssl, WebSocket echo),
 * wardgate (`node bin/wardgate.js serve`, from dist/ as `npm start` runs it),
 * and this runner, which generates the load (autocannon and the clients in
 * lib/load.ts). Scenarios: small, page, big, connect, websocket, blocked,
 * mixed; latency (p50/p99/p99.9 added by the proxy) at 50 % and 90 % of the
 * proxy's measured maximum rate for small and page. Run once with the test
 * fixture lists, then again with the full UT1 index from ../shared/data
 * (skipped with a message when absent).
 *
 * Writes bench/results/e2e.json and bench/results/e2e.md. Loopback only;
 * every load is bounded in time (a full run ≈ 6–9 min, --quick ≈ 2–3 min).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import type autocannon from 'autocannon';
import { closedLoad, connectRate, download, httpLoad, pacedLoad, tlsDownload, webSocketRate, type RateFigures, type Via } from './lib/load.ts';
import { authOf, grantAlice, importUt1, MEMBERS, sampleRss, seedBenchData, startProxy, waitQuiet, type RunningProxy } from './lib/wardgate-process.ts';
import { FIXTURE_CATEGORIES } from '../../test/helpers/wardgate-harness.ts';
import { renderE2eMarkdown } from './lib/e2e-report.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    ut1: { type: 'string', default: 'auto' },
    workers: { type: 'string' },
    profile: { type: 'string' },
    out: { type: 'string', default: 'e2e' },
  },
});

const QUICK = values.quick;
const P = QUICK
  ? { rateS: 3, latencyS: 2, leadInS: 1, pacerMaxS: 2, warmupS: 2, bigBytes: 32 * 2 ** 20, connectS: 3, wsS: 3 }
  : { rateS: 8, latencyS: 5, leadInS: 1, pacerMaxS: 4, warmupS: 3, bigBytes: 256 * 2 ** 20, connectS: 8, wsS: 6 };
const SCENARIOS = ['small', 'page', 'big', 'connect', 'websocket', 'blocked', 'mixed'] as const;
type Scenario = (typeof SCENARIOS)[number];
const only = new Set((values.only ?? SCENARIOS.join(',')).split(',').map((s) => s.trim()));
const UT1_DIR = resolve('../shared/data/blocklists/ut1');
const CONNECTIONS = 64;

const ratio = (a: number | null | undefined, b: number | null | undefined) => (a == null || b == null || b === 0 ? null : Number((a / b).toFixed(3)));
const added = (a: number, b: number) => Number((a - b).toFixed(2));
const log = (text: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${text}\n`);

interface Hosts {
  readonly allowed: string;
  readonly blocked: string;
  readonly granted: string | null;
}

interface Ctx {
  readonly proxy: RunningProxy;
  readonly http: number;
  readonly https: number;
  readonly hosts: Hosts;
}

const alice = (ctx: Ctx): Via => ({ port: ctx.proxy.port, headers: { 'proxy-authorization': authOf(MEMBERS[0]!) } });

function target(ctx: Ctx, host: string, path: string, via: Via | null): autocannon.Request {
  return via === null ? { method: 'GET', path, headers: { host: `${host}:${ctx.http}` } } : { method: 'GET', path: `http://${host}:${ctx.http}${path}`, headers: via.headers };
}

/** Proxy CPU time (user + system, from /proc) per request since `cpu0`: the figure least moved by other load on the machine. */
function cpuPerRequest(ctx: Ctx, cpu0: number, requests: number): number | null {
  return requests === 0 ? null : Math.round(((ctx.proxy.cpuSeconds() - cpu0) * 1e6) / requests);
}

function rateFigures(f: RateFigures) {
  return { rps: f.rps, mbps: f.mbps, p50Ms: f.p50, p99Ms: f.p99, p999Ms: f.p999, errors: f.errors, non2xx: f.non2xx };
}

/**
 * Max rate through the proxy and direct (autocannon), then latency at 50 % and 90 % of the most the
 * pacing client itself gets through the proxy (closedLoad), both ways at the same absolute rate.
 */
async function rateAndLatency(ctx: Ctx, path: string) {
  const via = alice(ctx);
  const load = (v: Via | null, seconds: number, overallRate?: number) =>
    httpLoad({ port: v?.port ?? ctx.http, connections: CONNECTIONS, seconds, requests: [target(ctx, ctx.hosts.allowed, path, v)], ...(overallRate === undefined ? {} : { overallRate }) });
  await load(via, P.warmupS);
  const cpu0 = ctx.proxy.cpuSeconds();
  const proxy = await load(via, P.rateS);
  const cpuUs = cpuPerRequest(ctx, cpu0, proxy.requests);
  const direct = await load(null, P.rateS);
  const viaReq = target(ctx, ctx.hosts.allowed, path, via);
  const directReq = target(ctx, ctx.hosts.allowed, path, null);
  const pacerMax = await closedLoad(via.port, { path: viaReq.path!, headers: viaReq.headers as Record<string, string> }, P.pacerMaxS, CONNECTIONS);
  const latency: Record<string, unknown> = { pacerMaxRps: pacerMax.rps };
  for (const share of [0.5, 0.9]) {
    const rate = Math.round(pacerMax.rps * share);
    const p = await pacedLoad(via.port, { path: viaReq.path!, headers: viaReq.headers as Record<string, string> }, rate, P.latencyS, CONNECTIONS, P.leadInS);
    const d = await pacedLoad(ctx.http, { path: directReq.path!, headers: directReq.headers as Record<string, string> }, rate, P.latencyS, CONNECTIONS, P.leadInS);
    latency[`at${share * 100}pct`] = {
      rate,
      proxy: p,
      direct: d,
      addedMs: { p50: added(p.p50Ms, d.p50Ms), p99: added(p.p99Ms, d.p99Ms), p999: added(p.p999Ms, d.p999Ms) },
    };
  }
  return { direct: rateFigures(direct), proxy: { ...rateFigures(proxy), cpuUsPerRequest: cpuUs }, ratio: { rps: ratio(proxy.rps, direct.rps) }, latency };
}

async function big(ctx: Ctx) {
  const path = `/bytes?n=${P.bigBytes}`;
  const via = alice(ctx);
  await download(ctx.http, `/bytes?n=${8 * 2 ** 20}`, ctx.hosts.allowed, via, 8 * 2 ** 20); // warm-up: JIT, pool, sign-in cache
  const direct = await download(ctx.http, path, ctx.hosts.allowed, null, P.bigBytes);
  const rssBefore = ctx.proxy.rss();
  const sampler = sampleRss(() => ctx.proxy.rss());
  const proxied = await download(ctx.http, path, ctx.hosts.allowed, via, P.bigBytes);
  const peak = sampler.stop();
  return {
    bytes: P.bigBytes,
    direct: { mbps: Number(direct.toFixed(1)) },
    proxy: { mbps: Number(proxied.toFixed(1)), rssBeforeMiB: Number((rssBefore / 2 ** 20).toFixed(1)), rssPeakMiB: Number((peak / 2 ** 20).toFixed(1)) },
    ratio: { mbps: ratio(proxied, direct) },
  };
}

async function connect(ctx: Ctx) {
  const via = alice(ctx);
  await connectRate(ctx.https, ctx.hosts.allowed, via, 16, 1, 200); // warm-up
  const proxyRate = await connectRate(ctx.https, ctx.hosts.allowed, via, 16, P.connectS, 50_000);
  const directRate = await connectRate(ctx.https, ctx.hosts.allowed, null, 16, P.connectS, 50_000);
  const direct = await tlsDownload(ctx.https, ctx.hosts.allowed, P.bigBytes, null);
  const sampler = sampleRss(() => ctx.proxy.rss());
  const proxied = await tlsDownload(ctx.https, ctx.hosts.allowed, P.bigBytes, via);
  const peak = sampler.stop();
  return {
    direct: { tunnelsPerSecond: directRate.tunnelsPerSecond, errors: directRate.errors, mbps: Number(direct.toFixed(1)) },
    proxy: { tunnelsPerSecond: proxyRate.tunnelsPerSecond, errors: proxyRate.errors, mbps: Number(proxied.toFixed(1)), rssPeakMiB: Number((peak / 2 ** 20).toFixed(1)) },
    ratio: { tunnelsPerSecond: ratio(proxyRate.tunnelsPerSecond, directRate.tunnelsPerSecond), mbps: ratio(proxied, direct) },
  };
}

async function websocket(ctx: Ctx) {
  const proxy = await webSocketRate(ctx.http, ctx.hosts.allowed, alice(ctx), 16, 8, P.wsS);
  const direct = await webSocketRate(ctx.http, ctx.hosts.allowed, null, 16, 8, P.wsS);
  return { connections: 16, inFlightPerConnection: 8, direct, proxy, ratio: { messagesPerSecond: ratio(proxy.messagesPerSecond, direct.messagesPerSecond) } };
}

async function blocked(ctx: Ctx, smallThroughProxy: number | null) {
  const via = alice(ctx);
  const load = (v: Via | null, host: string, seconds: number) =>
    httpLoad({ port: v?.port ?? ctx.http, connections: CONNECTIONS, seconds, requests: [target(ctx, host, '/small', v)] });
  await load(via, ctx.hosts.blocked, P.warmupS);
  const cpu0 = ctx.proxy.cpuSeconds();
  const proxy = await load(via, ctx.hosts.blocked, P.rateS);
  const cpuUs = cpuPerRequest(ctx, cpu0, proxy.requests);
  const direct = await load(null, ctx.hosts.allowed, P.rateS);
  if (proxy.non2xx < proxy.requests * 0.99) throw new Error(`blocked: only ${proxy.non2xx} of ${proxy.requests} answers were block pages`);
  return {
    note: 'direct = the origin serving /small (1 KiB); proxy = 403 block pages for a listed host, never reaching the origin',
    direct: rateFigures(direct),
    proxy: { ...rateFigures(proxy), cpuUsPerRequest: cpuUs },
    ratio: { rps: ratio(proxy.rps, direct.rps), rpsToProxySmall: ratio(proxy.rps, smallThroughProxy) },
  };
}

/** 20 requests cycled per connection: 6 members; 60 % small, 10 % page, 20 % blocked, 10 % granted (Alice's grant). */
function mixedRequests(ctx: Ctx, proxied: boolean): { requests: autocannon.Request[]; shares: Record<string, number> } {
  const requests: autocannon.Request[] = [];
  const shares: Record<string, number> = { allowed: 0, blocked: 0, granted: 0 };
  for (let i = 0; i < 20; i++) {
    const slot = i % 10;
    const member = slot === 9 ? MEMBERS[0]! : MEMBERS[i % MEMBERS.length]!;
    const via: Via | null = proxied ? { port: ctx.proxy.port, headers: { 'proxy-authorization': authOf(member) } } : null;
    const kind = slot === 9 && ctx.hosts.granted !== null ? 'granted' : slot >= 7 ? 'blocked' : 'allowed';
    shares[kind]!++;
    const host = kind === 'granted' ? ctx.hosts.granted! : kind === 'blocked' ? ctx.hosts.blocked : ctx.hosts.allowed;
    const path = slot === 6 ? '/page' : '/small';
    requests.push(proxied ? target(ctx, host, path, via) : target(ctx, ctx.hosts.allowed, path, null));
  }
  return { requests, shares };
}

async function mixed(ctx: Ctx) {
  const p = mixedRequests(ctx, true);
  const d = mixedRequests(ctx, false);
  await httpLoad({ port: ctx.proxy.port, connections: CONNECTIONS, seconds: P.warmupS, requests: p.requests });
  const cpu0 = ctx.proxy.cpuSeconds();
  const proxy = await httpLoad({ port: ctx.proxy.port, connections: CONNECTIONS, seconds: P.rateS, requests: p.requests });
  const cpuUs = cpuPerRequest(ctx, cpu0, proxy.requests);
  const direct = await httpLoad({ port: ctx.http, connections: CONNECTIONS, seconds: P.rateS, requests: d.requests });
  return {
    members: MEMBERS.length,
    sharesOf20: p.shares,
    note: 'direct = the same paths straight from the origin (blocked and granted ones as /small)',
    direct: rateFigures(direct),
    proxy: { ...rateFigures(proxy), cpuUsPerRequest: cpuUs, blockedShare: Number((proxy.non2xx / Math.max(1, proxy.requests)).toFixed(3)) },
    ratio: { rps: ratio(proxy.rps, direct.rps) },
  };
}

async function runScenarios(ctx: Ctx): Promise<Record<string, unknown>> {
  await waitQuiet(ctx.proxy);
  const out: Record<string, unknown> = { loadAverageBefore: loadavg().map((l) => Number(l.toFixed(2))), proxyRssAtStartMiB: Number((ctx.proxy.rss() / 2 ** 20).toFixed(1)) };
  const want = (s: Scenario) => only.has(s);
  const step = async <T>(name: Scenario, work: () => Promise<T>): Promise<T | undefined> => {
    if (!want(name)) return undefined;
    log(`  ${name}`);
    try {
      const result = await work();
      out[name] = result;
      return result;
    } catch (error) {
      out[name] = { failed: (error as Error).message };
      log(`  ${name} failed: ${(error as Error).message}`);
      return undefined;
    }
  };
  const small = await step('small', () => rateAndLatency(ctx, '/small'));
  await step('page', () => rateAndLatency(ctx, '/page'));
  await step('big', () => big(ctx));
  await step('connect', () => connect(ctx));
  await step('websocket', () => websocket(ctx));
  await step('blocked', () => blocked(ctx, small?.proxy.rps ?? null));
  await step('mixed', () => mixed(ctx));
  out.proxyRssAtEndMiB = Number((ctx.proxy.rss() / 2 ** 20).toFixed(1));
  return out;
}

function firstLine(gz: string): string {
  const text = gunzipSync(readFileSync(gz)).subarray(0, 4096).toString('utf8');
  return text.split('\n').map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#'))!;
}

async function startOriginProcess(dir: string): Promise<{ http: number; https: number; stop(): void }> {
  const cert = join(dir, 'origin-cert.pem');
  const key = join(dir, 'origin-key.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=origin.test', '-keyout', key, '-out', cert], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`openssl could not make the origin certificate: ${made.stderr}`);
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/e2e/lib/origin-server.ts', cert, key], { stdio: ['pipe', 'pipe', 'inherit'] });
  const ports = await new Promise<{ http: number; https: number }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`origin exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line) as { http: number; https: number }));
  });
  return { ...ports, stop: () => child.kill('SIGTERM') };
}

const started = Date.now();
const work = mkdtempSync(join(tmpdir(), 'wardgate-e2e-'));
const origin = await startOriginProcess(work);
const extraArgs = values.workers === undefined ? [] : ['--workers', values.workers];
const nodeArgs = (label: string) => (values.profile === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', join(resolve(values.profile), label)]);
const results: Record<string, unknown> = {
  benchmark: 'e2e',
  date: new Date().toISOString(),
  quick: QUICK,
  workers: values.workers ?? null,
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverageAtStart: loadavg().map((l) => Number(l.toFixed(2))) },
  sharing:
    'three processes share the CPUs: the origin (node:http/https + ws), wardgate, and the runner generating the load (autocannon, TLS and WebSocket clients); nothing pinned',
  parameters: { connections: CONNECTIONS, ...P },
  sets: {} as Record<string, unknown>,
};
const sets = results.sets as Record<string, unknown>;

try {
  // Set 1: the test fixture lists (a handful of entries).
  {
    log('set "fixture": test fixture lists');
    const dataDir = join(work, 'fixture');
    mkdirSync(dataDir);
    await seedBenchData(dataDir, { grantDomain: 'casino.test', categoriesDir: FIXTURE_CATEGORIES });
    const proxy = await startProxy({
      dataDir,
      categoriesDir: FIXTURE_CATEGORIES,
      connectPorts: [443, origin.https],
      resolve: ['origin.test:127.0.0.1', 'casino.test:127.0.0.1'],
      extraArgs,
      nodeArgs: nodeArgs('fixture'),
    });
    try {
      sets.fixture = { lists: 'test/fixtures/proxy-categories', ...(await runScenarios({ proxy, http: origin.http, https: origin.https, hosts: { allowed: 'origin.test', blocked: 'blocked-porn.test', granted: 'casino.test' } })) };
    } finally {
      await proxy.stop();
    }
  }
  // Set 2: the full UT1 index.
  if (values.ut1 === 'off') sets.ut1 = { skipped: '--ut1 off' };
  else if (!existsSync(UT1_DIR)) {
    log(`set "ut1" skipped: ${UT1_DIR} is absent (the shared data pack is needed)`);
    sets.ut1 = { skipped: `${UT1_DIR} is absent` };
  } else {
    log('set "ut1": importing and compiling the full UT1 set (about a minute)');
    const dataDir = join(work, 'ut1');
    mkdirSync(dataDir);
    const blockedHost = firstLine(join(UT1_DIR, 'adult', 'domains.gz'));
    const grantHost = firstLine(join(UT1_DIR, 'gambling', 'domains.gz'));
    let granted: string | null = grantHost;
    await seedBenchData(dataDir, {});
    const t0 = Date.now();
    importUt1(dataDir, UT1_DIR);
    const importSeconds = (Date.now() - t0) / 1000;
    try {
      await grantAlice(dataDir, grantHost, undefined);
    } catch (error) {
      log(`  no grant for ${grantHost} (${(error as Error).message.trim()}): mixed runs without granted requests`);
      granted = null;
    }
    const proxy = await startProxy({
      dataDir,
      connectPorts: [443, origin.https],
      resolve: ['origin.test:127.0.0.1', ...(granted === null ? [] : [`${granted}:127.0.0.1`])],
      extraArgs,
      nodeArgs: nodeArgs('ut1'),
    });
    try {
      sets.ut1 = {
        lists: `UT1 from ${UT1_DIR}, shipped categories (import + compile ${importSeconds.toFixed(0)} s)`,
        hosts: { blocked: blockedHost, granted },
        ...(await runScenarios({ proxy, http: origin.http, https: origin.https, hosts: { allowed: 'origin.test', blocked: blockedHost, granted } })),
      };
    } finally {
      await proxy.stop();
    }
  }
} finally {
  origin.stop();
  rmSync(work, { recursive: true, force: true });
}

results.durationSeconds = Math.round((Date.now() - started) / 1000);
mkdirSync('bench/results', { recursive: true });
writeFileSync(`bench/results/${values.out}.json`, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(`bench/results/${values.out}.md`, renderE2eMarkdown(results));
log(`done in ${results.durationSeconds} s: bench/results/${values.out}.json and .md`);
process.stdout.write(renderE2eMarkdown(results));
