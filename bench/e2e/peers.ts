/**
 * The peer comparison (issue 6): wardgate beside Squid, Squid + squidGuard and
 * e2guardian on one workload, in one run, through the shared harness in
 * ../shared/peers (its origin.sh, peer.sh, bench.sh and summarize.mjs, used
 * as they are — wardgate is measured exactly like the peers).
 *
 *   npm run bench:peers [-- --modes unpinned,pinned] [-- --peers squid,squidguard,e2guardian] [-- --workers 1,2]
 *
 * Steps per mode: nginx origin up; each peer start → bench.sh → stop; then
 * wardgate (dist/, shipped categories + the same 1,000,000-domain list
 * squidGuard gets, imported as "pornography"; the client address 127.0.0.1
 * registered to a member, since the harness sends no credentials) → bench.sh
 * → stop (once per `--workers` value: "wardgate" for one process, "wardgate-wN"
 * for `serve --workers N`); then the direct baseline; origin down. When a tool is missing and
 * we run as root, ../shared/peers/setup.sh installs it with apt-get first.
 *
 * Writes bench/results/peers.json (every system's bench.sh JSON, per mode) and
 * bench/results/peers.md (summarize.mjs's tables: scenario × system, absolute
 * and ratio to direct). About 4–5 min per mode.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { request } from 'node:http';
import { seedBenchData, startProxy, waitQuiet } from './lib/wardgate-process.ts';

const { values } = parseArgs({
  options: {
    modes: { type: 'string', default: 'unpinned' },
    peers: { type: 'string', default: 'squid,squidguard,e2guardian' },
    workers: { type: 'string', default: '1' },
    'wait-quiet': { type: 'string', default: '10' },
  },
});
const PEERS_DIR = resolve('../shared/peers');
const SG_LIST = '/tmp/peers/sg/db/blocklist/domains';
const WARDGATE_ADDR = '127.0.0.1:13132';
const PORT: Record<string, number> = { squid: 13128, squidguard: 13129, e2guardian: 13130, tinyproxy: 13131 };
const INFO: Record<string, string> = {
  squid: 'Squid 5.7; 1 worker; no filtering; caching off; access log on',
  squidguard: 'Squid 5.7 + squidGuard 1.6.0 url_rewrite helper (20 children); 1,000,000-domain blocklist in Berkeley DB',
  e2guardian: 'e2guardian 5.3.5 standalone; phrase (content) filtering on; access log on',
  tinyproxy: 'tinyproxy 1.11.1; no filtering',
};
const log = (text: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${text}\n`);

function sh(script: string, args: string[], env: NodeJS.ProcessEnv = {}, allowFail = false): number {
  const result = spawnSync(join(PEERS_DIR, script), args, { cwd: PEERS_DIR, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env }, timeout: 900_000 });
  if (result.status !== 0 && !allowFail) throw new Error(`${script} ${args.join(' ')} failed (exit ${result.status})`);
  return result.status ?? 1;
}

function missingTools(): string[] {
  return ['squid', 'squidGuard', 'e2guardian', 'nginx', 'wrk', 'curl', 'taskset', 'ss'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
}

/** GET of a listed domain through wardgate must come back 403, else the comparison would flatter it. */
function filterCheck(port: number, host: string): Promise<string> {
  return new Promise((resolveCheck) => {
    const req = request({ host: '127.0.0.1', port, path: `http://${host}/`, agent: false }, (res) => {
      res.resume();
      resolveCheck(res.statusCode === 403 ? `ok: http://${host}/ blocked (403 block page)` : `FAILED: http://${host}/ answered ${res.statusCode}`);
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolveCheck(`FAILED: ${e.message}`));
    req.end();
  });
}

if (!existsSync(PEERS_DIR)) {
  console.log(`skipped: ${PEERS_DIR} is absent (the shared peer harness is needed)`);
  process.exit(0);
}
const missing = missingTools();
if (missing.length > 0) {
  if (process.getuid?.() !== 0) throw new Error(`missing ${missing.join(', ')}: run ${PEERS_DIR}/setup.sh as root`);
  log(`installing what is missing (${missing.join(', ')}) with ${PEERS_DIR}/setup.sh`);
  sh('setup.sh', []);
}
const peers = values.peers.split(',').filter((p) => p !== '');
for (const p of peers) if (PORT[p] === undefined) throw new Error(`unknown peer ${p}`);
// The squidGuard list (and the origin's documents) exist once prepared; wardgate imports the same list.
sh('peer.sh', ['squidguard', 'prepare']);
sh('origin.sh', ['prepare']);

const started = Date.now();
const work = mkdtempSync(join(tmpdir(), 'wardgate-peers-'));
const runDir = join(work, 'run');
const dataDir = join(work, 'data');
mkdirSync(dataDir, { recursive: true });
log('wardgate: seeding members and importing the 1,000,000-domain list squidGuard uses');
await seedBenchData(dataDir, { addressMember: '127.0.0.1' });
for (const args of [['lists', 'import', SG_LIST, '--format', 'plain', '--category', 'pornography', '--name', 'peers'], ['lists', 'compile']]) {
  const r = spawnSync(process.execPath, ['bin/wardgate.js', ...args, '--data-dir', dataDir], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`wardgate ${args.join(' ')} failed: ${r.stderr}`);
}
const listedHost = readFileSync(SG_LIST, 'utf8').slice(0, 4096).split('\n')[0]!.trim();

const output: Record<string, unknown> = { benchmark: 'peers', date: new Date().toISOString(), workers: values.workers, modes: {} as Record<string, unknown> };
try {
  for (const mode of values.modes.split(',')) {
    const pinned = mode === 'pinned';
    if (mode !== 'pinned' && mode !== 'unpinned') throw new Error(`unknown mode ${mode}`);
    const env = pinned ? { PROXY_CPUS: '1', LOAD_CPUS: '0', ORIGIN_CPUS: '0', MODE: mode } : { PROXY_CPUS: '', LOAD_CPUS: '', ORIGIN_CPUS: '', MODE: mode };
    const resultsDir = join(runDir, mode);
    mkdirSync(resultsDir, { recursive: true });
    const benchEnv = { ...env, RESULTS_DIR: resultsDir, WAIT_QUIET: values['wait-quiet'] };
    log(`=== mode ${mode}`);
    sh('origin.sh', ['stop'], env, true);
    sh('origin.sh', ['start'], env);
    try {
      for (const peer of peers) {
        if (sh('peer.sh', [peer, 'start'], env, true) === 0) {
          sh('bench.sh', [peer, `127.0.0.1:${PORT[peer]}`], { ...benchEnv, PEER_INFO: INFO[peer]! }, true);
        } else log(`${peer} did not start; skipped`);
        sh('peer.sh', [peer, 'stop'], env, true);
      }
      for (const workers of values.workers.split(',').map(Number)) {
        const name = workers === 1 ? 'wardgate' : `wardgate-w${workers}`;
        log(`${name}: starting`);
        const proxy = await startProxy({
          dataDir,
          connectPorts: [443, 18443],
          resolve: [],
          listen: WARDGATE_ADDR,
          ...(workers === 1 ? {} : { extraArgs: ['--workers', String(workers)] }),
          ...(pinned ? { wrap: ['taskset', '-c', '1'] } : {}),
        });
        try {
          await waitQuiet(proxy);
          const check = await filterCheck(proxy.port, listedHost);
          log(`${name} filter check: ${check}`);
          const peerInfo = `wardgate ${workers === 1 ? '(one process)' : `serve --workers ${workers} (node:cluster)`}; shipped categories + the same 1,000,000 domains as squidGuard (category pornography); decision log on (hash chain, gzip)`;
          sh('bench.sh', [name, WARDGATE_ADDR], { ...benchEnv, PEER_INFO: peerInfo, FILTER_CHECK: check, PROXY_PID: String(proxy.pid) }, true);
        } finally {
          await proxy.stop();
        }
      }
      sh('bench.sh', ['direct', 'direct'], { ...benchEnv, PEER_INFO: 'no proxy: clients talk to the origin directly' }, true);
    } finally {
      sh('origin.sh', ['stop'], env, true);
    }
    const systems: Record<string, unknown> = {};
    for (const file of readdirSync(resultsDir).filter((f) => f.endsWith('.json'))) systems[file.replace(/\.json$/, '')] = JSON.parse(readFileSync(join(resultsDir, file), 'utf8'));
    (output.modes as Record<string, unknown>)[mode] = systems;
  }
  const summary = execFileSync(process.execPath, [join(PEERS_DIR, 'lib', 'summarize.mjs'), runDir], { encoding: 'utf8' });
  output.durationSeconds = Math.round((Date.now() - started) / 1000);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/peers.json', `${JSON.stringify(output, null, 2)}\n`);
  const header = `# Peer comparison — ${String(output.date).slice(0, 16).replace('T', ' ')} UTC\n\n\`npm run bench:peers\` (bench/e2e/peers.ts) through ../shared/peers: the same origin (nginx), load (wrk, curl, connect-rate) and figures for every system; wardgate listens on ${WARDGATE_ADDR}. Took ${output.durationSeconds} s.\n\n`;
  writeFileSync('bench/results/peers.md', header + summary);
  process.stdout.write(header + summary);
} finally {
  rmSync(work, { recursive: true, force: true });
}
