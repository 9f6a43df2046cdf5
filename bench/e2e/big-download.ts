/**
 * big-download: a 256 MiB response through wardgate (a separate process, run
 * exactly as `npm start` runs it, from dist/) from a local origin, next to the same
 * download direct from the origin in the same run. Reports MB/s both ways, the
 * ratio, and the proxy's resident memory before, at peak and its growth — the
 * foundation issue's check that a body is streamed, never buffered whole.
 *
 *   npm run bench:download [-- --mib 256]
 *
 * Writes bench/results/big-download.json. Loopback only, one download each way.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startOrigin } from '../../test/helpers/origin.ts';
import { ALICE, FIXTURE_CATEGORIES, basicAuth, seedDirectory } from '../../test/helpers/wardgate-harness.ts';

const { values } = parseArgs({ options: { mib: { type: 'string', default: '256' }, port: { type: 'string', default: '39128' } } });
const bytes = Number(values.mib) * 1024 * 1024;
const proxyPort = Number(values.port);

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

function download(options: { port: number; path: string; headers?: Record<string, string> }): Promise<{ received: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request({ host: '127.0.0.1', port: options.port, path: options.path, headers: options.headers ?? {} }, (res) => {
      let received = 0;
      res.on('data', (c: Buffer) => (received += c.length));
      res.on('end', () => resolve({ received, seconds: Number(process.hrtime.bigint() - started) / 1e9 }));
    });
    req.setTimeout(120_000, () => req.destroy(new Error('download timed out')));
    req.on('error', reject);
    req.end();
  });
}

async function waitForPort(port: number, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      await download({ port, path: '/' });
      return;
    } catch {
      if (Date.now() > until) throw new Error(`wardgate did not start listening on ${port}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'wardgate-bench-'));
await seedDirectory(dataDir);
const origin = await startOrigin();
// The compiled CLI, as `npm start` runs it in production (the npm script builds it first).
const child = spawn(
  process.execPath,
  ['bin/wardgate.js', 'serve', '--admin', 'off', '--listen', `127.0.0.1:${proxyPort}`, '--data-dir', dataDir, '--categories', FIXTURE_CATEGORIES, '--resolve', 'origin.test:127.0.0.1'],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
try {
  await waitForPort(proxyPort, 20_000);
  const path = `/bytes?n=${bytes}`;
  const direct = await download({ port: origin.port, path });
  const auth = { 'proxy-authorization': basicAuth(ALICE.id, ALICE.password) };
  // Warm-up through the proxy (JIT, upstream pool, sign-in cache), so the growth measured is the big body's alone.
  await download({ port: proxyPort, path: `http://origin.test:${origin.port}/bytes?n=${8 * 1024 * 1024}`, headers: auth });
  const rssBefore = rssBytes(child.pid!);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssBytes(child.pid!))), 50);
  const proxied = await download({ port: proxyPort, path: `http://origin.test:${origin.port}${path}`, headers: auth });
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, rssBytes(child.pid!));
  if (proxied.received !== bytes || direct.received !== bytes) throw new Error(`short download: proxied ${proxied.received}, direct ${direct.received}, expected ${bytes}`);
  const mbps = (r: { received: number; seconds: number }) => r.received / 1e6 / r.seconds;
  const result = {
    scenario: 'big-download',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    bytes,
    directMBps: Number(mbps(direct).toFixed(1)),
    proxiedMBps: Number(mbps(proxied).toFixed(1)),
    ratioToDirect: Number((mbps(proxied) / mbps(direct)).toFixed(3)),
    proxyRssBeforeMiB: Number((rssBefore / 2 ** 20).toFixed(1)),
    proxyRssPeakMiB: Number((rssPeak / 2 ** 20).toFixed(1)),
    proxyRssGrowthMiB: Number(((rssPeak - rssBefore) / 2 ** 20).toFixed(1)),
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/big-download.json', `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
} finally {
  child.kill('SIGTERM');
  await origin.close();
  rmSync(dataDir, { recursive: true, force: true });
}
