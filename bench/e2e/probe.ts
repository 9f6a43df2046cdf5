/**
 * probe: one scenario's load through wardgate, repeated, to see warm-up and
 * run-to-run spread, optionally under `node --cpu-prof` (for profiling before
 * optimising). Not part of `npm run bench`.
 *
 *   node --import tsx bench/e2e/probe.ts [--path /small] [--runs 3] [--seconds 5] [--profile DIR] [--workers N]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { httpLoad, pacedLoad } from './lib/load.ts';
import { authOf, MEMBERS, seedBenchData, startProxy, waitQuiet } from './lib/wardgate-process.ts';
import { FIXTURE_CATEGORIES } from '../../test/helpers/wardgate-harness.ts';

const { values } = parseArgs({
  options: {
    path: { type: 'string', default: '/small' },
    host: { type: 'string', default: 'origin.test' },
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    profile: { type: 'string' },
    workers: { type: 'string' },
    paced: { type: 'string' },
  },
});
const work = mkdtempSync(join(tmpdir(), 'wardgate-probe-'));
const cert = join(work, 'c.pem');
const key = join(work, 'k.pem');
spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=origin.test', '-keyout', key, '-out', cert]);
const origin = spawn(process.execPath, ['--import', 'tsx', 'bench/e2e/lib/origin-server.ts', cert, key], { stdio: ['pipe', 'pipe', 'inherit'] });
const ports = await new Promise<{ http: number; https: number }>((r) => createInterface({ input: origin.stdout! }).once('line', (l) => r(JSON.parse(l) as { http: number; https: number })));
await seedBenchData(work, { grantDomain: 'casino.test', categoriesDir: FIXTURE_CATEGORIES });
const proxy = await startProxy({
  dataDir: work,
  categoriesDir: FIXTURE_CATEGORIES,
  connectPorts: [443, ports.https],
  resolve: ['origin.test:127.0.0.1', 'casino.test:127.0.0.1'],
  ...(values.workers === undefined ? {} : { extraArgs: ['--workers', values.workers] }),
  ...(values.profile === undefined ? {} : { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', resolve(values.profile)] }),
});
try {
  await waitQuiet(proxy);
  if (values.paced !== undefined) {
    const request = { path: `http://${values.host}:${ports.http}${values.path}`, headers: { 'proxy-authorization': authOf(MEMBERS[0]!) } };
    for (let i = 0; i < Number(values.runs); i++) {
      const cpu0 = proxy.cpuSeconds();
      const r = await pacedLoad(proxy.port, request, Number(values.paced), Number(values.seconds), 64);
      console.log(JSON.stringify({ paced: i + 1, cpuUsPerRequest: Math.round(((proxy.cpuSeconds() - cpu0) * 1e6) / (r.rate * Number(values.seconds))), ...r }));
    }
  }
  for (let i = 0; i < Number(values.runs); i++) {
    const cpu0 = proxy.cpuSeconds();
    const r = await httpLoad({
      port: proxy.port,
      connections: 64,
      seconds: Number(values.seconds),
      requests: [{ method: 'GET', path: `http://${values.host}:${ports.http}${values.path}`, headers: { 'proxy-authorization': authOf(MEMBERS[0]!) } }],
    });
    console.log(JSON.stringify({ run: i + 1, cpuUsPerRequest: Math.round(((proxy.cpuSeconds() - cpu0) * 1e6) / r.requests), load: loadavg()[0]!.toFixed(2), rssMiB: Math.round(proxy.rss() / 2 ** 20), ...r }));
  }
} finally {
  await proxy.stop();
  origin.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
