/**
 * ab: two wardgate builds under the same load, interleaved, to show whether a
 * change helps on a machine too noisy for before/after runs. Each build (a
 * checkout root with bin/ and dist/) serves its own data dir; both stay up,
 * and trials alternate A, B, A, B… so other load on the machine hits both
 * alike. Reports per build the median of wardgate's CPU µs per request (from
 * /proc, the steadier figure) and of req/s.
 *
 *   node --import tsx bench/e2e/ab.ts --a DIR --b DIR [--trials 6] [--seconds 4] [--path /small] [--name NAME] [--b-node-args='--flag …']
 *
 * Writes bench/results/ab-NAME.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { httpLoad } from './lib/load.ts';
import { authOf, MEMBERS, seedBenchData, startProxy, waitQuiet, type RunningProxy } from './lib/wardgate-process.ts';
import { FIXTURE_CATEGORIES } from '../../test/helpers/wardgate-harness.ts';

const { values } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string' },
    trials: { type: 'string', default: '6' },
    seconds: { type: 'string', default: '4' },
    path: { type: 'string', default: '/small' },
    name: { type: 'string', default: 'latest' },
    'b-node-args': { type: 'string', default: '' },
  },
});
if (values.a === undefined || values.b === undefined) throw new Error('--a DIR and --b DIR (wardgate checkouts with dist/ built) are required');
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

const work = mkdtempSync(join(tmpdir(), 'wardgate-ab-'));
const cert = join(work, 'c.pem');
const key = join(work, 'k.pem');
spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=origin.test', '-keyout', key, '-out', cert]);
const origin = spawn(process.execPath, ['--import', 'tsx', 'bench/e2e/lib/origin-server.ts', cert, key], { stdio: ['pipe', 'pipe', 'inherit'] });
const ports = await new Promise<{ http: number; https: number }>((r) => createInterface({ input: origin.stdout! }).once('line', (l) => r(JSON.parse(l) as { http: number; https: number })));
const builds: { label: string; root: string; proxy?: RunningProxy; cpu: number[]; rps: number[] }[] = [
  { label: 'A', root: resolve(values.a), cpu: [], rps: [] },
  { label: 'B', root: resolve(values.b), cpu: [], rps: [] },
];
try {
  for (const build of builds) {
    const dataDir = join(work, build.label);
    mkdirSync(dataDir);
    await seedBenchData(dataDir, {});
    const nodeArgs = build.label === 'B' && values['b-node-args'] !== '' ? values['b-node-args'].split(' ') : [];
    build.proxy = await startProxy({ dataDir, root: build.root, categoriesDir: FIXTURE_CATEGORIES, connectPorts: [443], resolve: ['origin.test:127.0.0.1'], nodeArgs });
  }
  const load = (proxy: RunningProxy, seconds: number) =>
    httpLoad({ port: proxy.port, connections: 64, seconds, requests: [{ method: 'GET', path: `http://origin.test:${ports.http}${values.path}`, headers: { 'proxy-authorization': authOf(MEMBERS[0]!) } }] });
  for (const build of builds) {
    await waitQuiet(build.proxy!);
    await load(build.proxy!, 8); // warm-up: JIT, pools, sign-in cache
  }
  for (let t = 0; t < Number(values.trials); t++) {
    for (const build of t % 2 === 0 ? builds : [...builds].reverse()) {
      const cpu0 = build.proxy!.cpuSeconds();
      const r = await load(build.proxy!, Number(values.seconds));
      build.cpu.push(Math.round(((build.proxy!.cpuSeconds() - cpu0) * 1e6) / r.requests));
      build.rps.push(r.rps);
      process.stderr.write(`trial ${t + 1} ${build.label}: ${r.rps} req/s, ${build.cpu.at(-1)} µs CPU/request\n`);
    }
  }
  const result = {
    benchmark: 'ab',
    name: values.name,
    date: new Date().toISOString(),
    path: values.path,
    loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))),
    builds: builds.map((b) => ({ label: b.label, root: b.root, medianCpuUsPerRequest: median(b.cpu), medianRps: median(b.rps), cpuUsPerRequest: b.cpu, rps: b.rps })),
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/ab-${values.name}.json`, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result.builds.map((b) => ({ label: b.label, cpu: b.medianCpuUsPerRequest, rps: b.medianRps }))));
} finally {
  for (const build of builds) await build.proxy?.stop();
  origin.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
