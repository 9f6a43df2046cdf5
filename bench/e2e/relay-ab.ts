/**
 * relay-ab: the relay cost of two wardgate builds, interleaved, against the
 * same nginx origin the peer comparison uses (sendfile, one worker) and curl as
 * the client, with a direct download in every round. A and B (checkout roots
 * with bin/ and dist/ built) stay up side by side; rounds go direct, A, B then
 * direct, B, A, so other load on the machine hits both alike.
 *
 *   node --import tsx bench/e2e/relay-ab.ts --a DIR [--b DIR] [--rounds 4] [--mib 256] [--name NAME]
 *       [--node-args='--flag …'] [--b-node-args='…']   (node flags for both builds / for B alone)
 *       [--pin]   proxies on CPU 1, nginx and curl on CPU 0 (taskset), as bench:peers' pinned mode
 *
 * Unpinned, CPU-s/GB through the same build differed 2–4× between proxy processes in one run (a process
 * that shares a core with curl pays far fewer cross-CPU wake-ups, which are dear on this VM) and stayed
 * put for the process's life; --pin makes both builds pay the same.
 *
 * Per build and scenario (`big`: `curl -x proxy http://…/big.bin`; `connect`:
 * `curl -k -x proxy https://…/big.bin` through a CONNECT tunnel): median MB/s,
 * median ratio to the direct download of the same round, the proxy's CPU
 * seconds per GB relayed (from /proc: the figure other load moves least), and
 * peak RSS (sampled every 50 ms); plus each build's idle RSS after start and
 * after the rounds. Writes bench/results/relay-ab-NAME.json. Loopback only;
 * every download bounded by curl's --max-time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sampleRss, seedBenchData, startProxy, waitQuiet, type RunningProxy } from './lib/wardgate-process.ts';

const { values } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string' },
    rounds: { type: 'string', default: '4' },
    mib: { type: 'string', default: '256' },
    name: { type: 'string', default: 'latest' },
    'http-port': { type: 'string', default: '28080' },
    'tls-port': { type: 'string', default: '28443' },
    'node-args': { type: 'string', default: '' },
    'b-node-args': { type: 'string' },
    pin: { type: 'boolean', default: false },
  },
});
if (values.a === undefined) throw new Error('--a DIR (a wardgate checkout with dist/ built) is required');
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const MiB = 1024 * 1024;
const bytes = Number(values.mib) * MiB;
const httpPort = Number(values['http-port']);
const tlsPort = Number(values['tls-port']);
const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

// --- origin: nginx, configured like ../shared/peers/conf/nginx-origin.conf, on ports of its own.
const originDir = join(tmpdir(), 'wardgate-relay-origin');
mkdirSync(join(originDir, 'www'), { recursive: true });
mkdirSync(join(originDir, 'tmp'), { recursive: true });
const body = join(originDir, 'www', 'big.bin');
if (!existsSync(body) || statSync(body).size !== bytes) {
  spawnSync('sh', ['-c', `head -c ${bytes} /dev/urandom > ${body}`]);
}
if (!existsSync(join(originDir, 'cert.pem'))) {
  spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30', '-subj', '/CN=127.0.0.1',
    '-keyout', join(originDir, 'key.pem'), '-out', join(originDir, 'cert.pem')]);
}
const nginxConf = join(originDir, 'nginx.conf');
writeFileSync(
  nginxConf,
  `worker_processes 1; daemon off; pid ${originDir}/nginx.pid; error_log ${originDir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off; sendfile on; tcp_nopush on; tcp_nodelay on; keepalive_timeout 65s; server_tokens off;
  default_type application/octet-stream;
  client_body_temp_path ${originDir}/tmp/body; proxy_temp_path ${originDir}/tmp/proxy; fastcgi_temp_path ${originDir}/tmp/fcgi;
  uwsgi_temp_path ${originDir}/tmp/uwsgi; scgi_temp_path ${originDir}/tmp/scgi;
  server { listen 127.0.0.1:${httpPort}; root ${originDir}/www; }
  server { listen 127.0.0.1:${tlsPort} ssl; root ${originDir}/www; ssl_certificate ${originDir}/cert.pem; ssl_certificate_key ${originDir}/key.pem;
           ssl_protocols TLSv1.2 TLSv1.3; }
}
`,
);
const pinLoad = values.pin ? ['taskset', '-c', '0'] : [];
const nginx = spawn(pinLoad[0] ?? 'nginx', [...pinLoad.slice(1), ...(values.pin ? ['nginx'] : [])].concat([ '-p', originDir, '-c', nginxConf, '-e', join(originDir, 'error.log')]), { stdio: 'inherit' });
spawnSync('cat', [body], { stdio: ['ignore', 'ignore', 'ignore'] }); // warm the page cache

interface Download {
  readonly mbps: number;
  readonly ok: boolean;
}

function curl(args: string[]): Promise<Download> {
  return new Promise((resolveDownload) => {
    const child = spawn(pinLoad[0] ?? 'curl', [...pinLoad.slice(1), ...(pinLoad.length > 0 ? ['curl'] : []), '-s', '-o', '/dev/null', '--max-time', '120', '-w', '%{size_download} %{speed_download}', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', () => {
      const [size, speed] = out.trim().split(' ').map(Number);
      resolveDownload({ mbps: (speed ?? 0) / 1e6, ok: size === bytes });
    });
  });
}

const SCENARIOS = {
  big: (proxy: string | null) => [...(proxy === null ? [] : ['-x', proxy]), `http://127.0.0.1:${httpPort}/big.bin`],
  connect: (proxy: string | null) => ['-k', ...(proxy === null ? [] : ['-x', proxy]), `https://127.0.0.1:${tlsPort}/big.bin`],
} as const;
type Scenario = keyof typeof SCENARIOS;

interface Build {
  readonly label: string;
  readonly root: string;
  proxy?: RunningProxy;
  idleRssStart?: number;
  idleRssEnd?: number;
  readonly figures: Record<Scenario, { mbps: number[]; ratio: number[]; cpuPerGB: number[]; peakRss: number[] }>;
}
const newFigures = () => ({ mbps: [] as number[], ratio: [] as number[], cpuPerGB: [] as number[], peakRss: [] as number[] });
const builds: Build[] = [values.a, values.b]
  .filter((r): r is string => r !== undefined)
  .map((root, i) => ({ label: i === 0 ? 'A' : 'B', root: resolve(root), figures: { big: newFigures(), connect: newFigures() } }));
const direct: Record<Scenario, number[]> = { big: [], connect: [] };
const work = mkdtempSync(join(tmpdir(), 'wardgate-relay-ab-'));
const loads: number[] = [];
try {
  await new Promise((r) => setTimeout(r, 500));
  for (const build of builds) {
    const dataDir = join(work, build.label);
    mkdirSync(dataDir);
    await seedBenchData(dataDir, { addressMember: '127.0.0.1' });
    const flags = build.label === 'B' ? (values['b-node-args'] ?? values['node-args']) : values['node-args'];
    const nodeArgs = flags === '' ? [] : flags.split(' ');
    build.proxy = await startProxy({ dataDir, root: build.root, connectPorts: [443, tlsPort], resolve: [], nodeArgs, ...(values.pin ? { wrap: ['taskset', '-c', '1'] } : {}) });
    await waitQuiet(build.proxy);
    build.idleRssStart = build.proxy.rss();
  }
  for (const scenario of Object.keys(SCENARIOS) as Scenario[]) {
    for (const build of builds) await curl(SCENARIOS[scenario](`127.0.0.1:${build.proxy!.port}`)); // warm-up: JIT, pools
  }
  for (let round = 0; round < Number(values.rounds); round++) {
    loads.push(loadavg()[0]!);
    for (const scenario of Object.keys(SCENARIOS) as Scenario[]) {
      const d = await curl(SCENARIOS[scenario](null));
      direct[scenario].push(d.mbps);
      for (const build of round % 2 === 0 ? builds : [...builds].reverse()) {
        const proxy = build.proxy!;
        const cpu0 = proxy.cpuSeconds();
        const rss = sampleRss(() => proxy.rss());
        const r = await curl(SCENARIOS[scenario](`127.0.0.1:${proxy.port}`));
        const peak = rss.stop();
        const cpu = proxy.cpuSeconds() - cpu0;
        if (!r.ok) throw new Error(`${build.label} ${scenario}: incomplete download`);
        const f = build.figures[scenario];
        f.mbps.push(r.mbps);
        f.ratio.push(r.mbps / d.mbps);
        f.cpuPerGB.push(cpu / (bytes / 1e9));
        f.peakRss.push(peak / MiB);
        log(`round ${round + 1} ${scenario} ${build.label}: ${r.mbps.toFixed(0)} MB/s (direct ${d.mbps.toFixed(0)}, ${(r.mbps / d.mbps).toFixed(2)}x), ${(cpu / (bytes / 1e9)).toFixed(2)} CPU-s/GB, peak ${(peak / MiB).toFixed(0)} MiB`);
      }
    }
  }
  for (const build of builds) {
    await new Promise((r) => setTimeout(r, 2_000));
    build.idleRssEnd = build.proxy!.rss();
  }
  const summary = builds.map((b) => ({
    build: b.label,
    root: b.root,
    idleRssStartMiB: +(b.idleRssStart! / MiB).toFixed(1),
    idleRssEndMiB: +(b.idleRssEnd! / MiB).toFixed(1),
    ...Object.fromEntries(
      (Object.keys(SCENARIOS) as Scenario[]).map((s) => [
        s,
        {
          mbps: +median(b.figures[s].mbps).toFixed(1),
          ratioToDirect: +median(b.figures[s].ratio).toFixed(3),
          cpuSecondsPerGB: +median(b.figures[s].cpuPerGB).toFixed(2),
          peakRssMiB: +Math.max(...b.figures[s].peakRss).toFixed(1),
          all: b.figures[s],
        },
      ]),
    ),
  }));
  const result = {
    benchmark: 'relay-ab',
    date: new Date().toISOString(),
    mib: Number(values.mib),
    rounds: Number(values.rounds),
    pinned: values.pin,
    loadAverage1m: loads,
    direct: { big: +median(direct.big).toFixed(1), connect: +median(direct.connect).toFixed(1), all: direct },
    builds: summary,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/relay-ab-${values.name}.json`, `${JSON.stringify(result, null, 2)}\n`);
  for (const s of summary) {
    const f = s as unknown as Record<Scenario, { mbps: number; ratioToDirect: number; cpuSecondsPerGB: number; peakRssMiB: number }>;
    log(
      `${s.build}: idle ${s.idleRssStartMiB}→${s.idleRssEndMiB} MiB; ` +
        (Object.keys(SCENARIOS) as Scenario[]).map((k) => `${k} ${f[k].mbps} MB/s ${f[k].ratioToDirect}x ${f[k].cpuSecondsPerGB} CPU-s/GB peak ${f[k].peakRssMiB} MiB`).join('; '),
    );
  }
  log(`direct: big ${result.direct.big} MB/s, connect ${result.direct.connect} MB/s; load ${loads.map((l) => l.toFixed(1)).join(' ')}`);
} finally {
  for (const build of builds) await build.proxy?.stop();
  nginx.kill('SIGQUIT');
  rmSync(work, { recursive: true, force: true });
}
