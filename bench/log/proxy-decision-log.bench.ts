/**
 * proxy-decision-log: the proxy's throughput with the decision log's hash
 * chain off and on. Two wardgate processes (bench/log/proxy-child.ts), same
 * settings but `chain`, are loaded in turn by autocannon through a local
 * origin (1 KiB responses), several short trials each, interleaved so
 * machine noise hits both alike. Reports median req/s per setting and the
 * ratio, the proxy process's CPU time per request (read from /proc: a
 * steadier figure than req/s on a shared machine), and checks that every
 * request has its decision line and that the chain verifies.
 *
 *   node --import tsx bench/log/proxy-decision-log.bench.ts [-- --seconds 5 --trials 3 --connections 32]
 *
 * Writes bench/results/proxy-decision-log.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { decisionLogDir, listDecisionLogFiles } from '../../src/log/log-files.ts';
import { verifyDecisionLogs } from '../../src/log/verify-chain.ts';
import { startOrigin } from '../../test/helpers/origin.ts';
import { ALICE, basicAuth, seedDirectory } from '../../test/helpers/wardgate-harness.ts';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '5' }, trials: { type: 'string', default: '3' }, connections: { type: 'string', default: '32' } },
});
const SECONDS = Number(values.seconds);
const TRIALS = Number(values.trials);
const CONNECTIONS = Number(values.connections);
const ROOT = new URL('../../', import.meta.url);

interface Proxy {
  readonly setting: 'off' | 'on';
  readonly dataDir: string;
  readonly child: ChildProcess;
  readonly port: number;
  requests: number;
  inFlightAtEnds: number;
}

async function startProxy(setting: 'off' | 'on'): Promise<Proxy> {
  const dataDir = mkdtempSync(join(tmpdir(), `wardgate-bench-chain-${setting}-`));
  await seedDirectory(dataDir);
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/log/proxy-child.ts', dataDir, setting], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const line of createInterface({ input: child.stdout! })) {
    const port = (JSON.parse(line) as { port?: number }).port;
    if (port !== undefined) return { setting, dataDir, child, port, requests: 0, inFlightAtEnds: 0 };
  }
  throw new Error(`the ${setting} proxy exited before listening`);
}

/** CPU seconds (user + system) the process has used, from /proc (clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Run {
  rps: number;
  p99: number;
  errors: number;
  /** The proxy's CPU per answered request: far less disturbed by other load on the machine than req/s. */
  cpuMicrosPerRequest: number;
}

async function load(proxy: Proxy, originPort: number, seconds: number, connections = CONNECTIONS): Promise<Run> {
  const cpuBefore = cpuSeconds(proxy.child.pid!);
  const result = await autocannon({
    url: `http://127.0.0.1:${proxy.port}`,
    connections,
    duration: seconds,
    requests: [{ method: 'GET', path: `http://127.0.0.1:${originPort}/small`, headers: { 'proxy-authorization': basicAuth(ALICE.id, ALICE.password) } }],
  });
  proxy.requests += result.requests.total;
  proxy.inFlightAtEnds += connections;
  const cpu = cpuSeconds(proxy.child.pid!) - cpuBefore;
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
    cpuMicrosPerRequest: (cpu * 1e6) / (result.requests.total + connections),
  };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const origin = await startOrigin();
const proxies = [await startProxy('off'), await startProxy('on')];
try {
  for (const proxy of proxies) {
    // Warm-up: one connection first, so the password is checked (scrypt) once and cached rather than by 32 at
    // once; then the full load for JIT, keep-alive pools and the classification cache.
    await load(proxy, origin.port, 1, 1);
    await load(proxy, origin.port, 3);
  }
  const trials = new Map<string, Run[]>(proxies.map((p) => [p.setting, []]));
  for (let t = 0; t < TRIALS; t += 1) {
    const order = t % 2 === 0 ? proxies : [...proxies].reverse();
    for (const proxy of order) {
      trials.get(proxy.setting)!.push(await load(proxy, origin.port, SECONDS));
      origin.hits.length = 0; // the origin records hits for tests; not needed here
    }
  }
  const checks = [];
  for (const proxy of proxies) {
    const exited = once(proxy.child, 'exit');
    proxy.child.kill('SIGTERM');
    await exited;
    const files = listDecisionLogFiles(decisionLogDir(proxy.dataDir)).map((f) => f.path);
    const verified = await verifyDecisionLogs(files);
    const lines = verified.chains.reduce((n, c) => n + c.lines, 0);
    // autocannon counts only answers received before its time is up; the proxy still answers (and logs) the
    // request each connection has in flight then, and the chained log adds a header line per file.
    const expected = proxy.requests + proxy.inFlightAtEnds + (proxy.setting === 'on' ? files.length : 0);
    checks.push({ setting: proxy.setting, requestsCounted: proxy.requests, inFlightAtEnds: proxy.inFlightAtEnds, linesExpected: expected, linesInLog: lines, verifies: proxy.setting === 'on' ? verified.ok : null });
  }
  const summary = proxies.map((p) => {
    const list = trials.get(p.setting)!;
    return {
      chain: p.setting,
      reqPerSecond: Math.round(median(list.map((x) => x.rps))),
      p99Ms: median(list.map((x) => x.p99)),
      cpuMicrosPerRequest: Math.round(median(list.map((x) => x.cpuMicrosPerRequest))),
      trialsCpuMicrosPerRequest: list.map((x) => Math.round(x.cpuMicrosPerRequest)),
      errors: list.reduce((n, x) => n + x.errors, 0),
      trialsReqPerSecond: list.map((x) => Math.round(x.rps)),
    };
  });
  const report = {
    scenario: 'proxy-decision-log',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    loadAverageAtEnd: loadavg().map((x) => Number(x.toFixed(1))),
    seconds: SECONDS,
    trials: TRIALS,
    connections: CONNECTIONS,
    response: '1 KiB, keep-alive, http:// through the proxy with Basic proxy auth',
    results: summary,
    chainOnToOff: Number((summary[1]!.reqPerSecond / summary[0]!.reqPerSecond).toFixed(3)),
    chainExtraCpuMicrosPerRequest: summary[1]!.cpuMicrosPerRequest - summary[0]!.cpuMicrosPerRequest,
    logs: checks,
  };
  writeFileSync(new URL('../results/proxy-decision-log.json', import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify(report, null, 2));
} finally {
  for (const proxy of proxies) {
    proxy.child.kill('SIGKILL');
    rmSync(proxy.dataDir, { recursive: true, force: true });
  }
  await origin.close();
}
