/**
 * wardgate as the benchmarks run it: a data dir seeded with members, a staff
 * user and one approved grant; `node bin/wardgate.js serve` (dist/, as `npm
 * start` runs it) in its own process; its resident memory read from /proc.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { runCli } from '../../../src/cli.ts';
import { DirectoryStore } from '../../../src/directory/directory-store.ts';
import { hashPassword } from '../../../src/directory/password.ts';
import { openDatabase } from '../../../src/store/database.ts';
import { memoryIO } from '../../../test/helpers/memory-io.ts';
import { ALICE, basicAuth, seedDirectory } from '../../../test/helpers/wardgate-harness.ts';

/** Extra members for the mixed workload (Alice, from the test harness, is the one with a grant). */
export const MEMBERS = [ALICE, ...[1, 2, 3, 4, 5].map((n) => ({ id: `member${n}`, password: `bench password ${n}`, group: n % 2 === 0 ? 'labour' : 'green' }))];
export const authOf = (m: { id: string; password: string }) => basicAuth(m.id, m.password);

export interface SeedOptions {
  /** Register this client address for a member, so requests without credentials are identified (the peer harness sends none). */
  readonly addressMember?: string;
  /** A domain Alice holds an approved grant for. */
  readonly grantDomain?: string;
  /** Category lists folder for grant checks (the same one serve uses); omitted = shipped categories. */
  readonly categoriesDir?: string;
}

async function cli(dataDir: string, args: string[], categoriesDir: string | undefined, stdin = ''): Promise<string> {
  const io = memoryIO(stdin);
  const withLists = args[0] === 'grants' && (args[1] === 'request' || args[1] === 'approve') && categoriesDir !== undefined ? ['--categories', categoriesDir] : [];
  const code = await runCli([...args, '--data-dir', dataDir, ...withLists], io);
  if (code !== 0) throw new Error(`wardgate ${args.join(' ')} failed: ${io.err()}`);
  return io.out();
}

export async function seedBenchData(dataDir: string, options: SeedOptions): Promise<void> {
  await seedDirectory(dataDir);
  const db = openDatabase(dataDir);
  try {
    const directory = new DirectoryStore(db);
    for (const m of MEMBERS.slice(1)) directory.addMember({ id: m.id, name: `Member ${m.id}`, groupId: m.group, passwordHash: await hashPassword(m.password) });
    if (options.addressMember !== undefined) {
      directory.addMember({ id: 'loopback', name: 'Loopback Member', groupId: 'labour', passwordHash: null, ips: [options.addressMember] });
    }
  } finally {
    db.close();
  }
  if (options.grantDomain !== undefined) await grantAlice(dataDir, options.grantDomain, options.categoriesDir);
}

/** A staff user, and an approved 7-day grant for Alice to `domain`, through the CLI as staff would do it. */
export async function grantAlice(dataDir: string, domain: string, categoriesDir: string | undefined): Promise<void> {
  await cli(dataDir, ['users', 'add', 'gsm-labour', '--role', 'gsm', '--group', 'labour', '--name', 'Labour GSM', '--password-stdin'], undefined, 'a long enough password\n');
  await cli(dataDir, ['grants', 'request', '--member', ALICE.id, '--domain', domain, '--reason', 'Benchmark: a granted exclusion'], categoriesDir);
  const listed = JSON.parse((await cli(dataDir, ['grants', 'list', '--json'], undefined)).trim().split('\n')[0]!) as { id: string };
  await cli(dataDir, ['grants', 'approve', listed.id, '--by', 'gsm-labour', '--days', '7'], categoriesDir);
}

/** `wardgate lists import` + `lists compile` of a UT1 folder, as an operator would (bounded: 10 min). */
export function importUt1(dataDir: string, ut1Dir: string): void {
  for (const args of [['lists', 'import', ut1Dir, '--format', 'ut1', '--name', 'ut1'], ['lists', 'compile']]) {
    const result = spawnSync(process.execPath, ['bin/wardgate.js', ...args, '--data-dir', dataDir], { encoding: 'utf8', timeout: 600_000 });
    if (result.status !== 0) throw new Error(`wardgate ${args.join(' ')} failed: ${result.stderr}`);
  }
}

export interface ServeOptions {
  readonly dataDir: string;
  readonly categoriesDir?: string;
  readonly connectPorts: readonly number[];
  readonly resolve: readonly string[];
  readonly listen?: string;
  /** Extra arguments for `serve` (e.g. `--workers 2`). */
  readonly extraArgs?: readonly string[];
  /** Extra node flags (e.g. `--cpu-prof`). */
  readonly nodeArgs?: readonly string[];
  /** The wardgate checkout to run (its bin/wardgate.js and dist/); this one by default. */
  readonly root?: string;
  /** A command to run node under, e.g. `['taskset', '-c', '1']` (it must exec node, keeping the PID). */
  readonly wrap?: readonly string[];
}

export interface RunningProxy {
  readonly port: number;
  readonly pid: number;
  /** Resident memory of the proxy and its child processes (cluster workers), bytes. */
  rss(): number;
  /** CPU seconds (user + system) used so far by the proxy and its child processes. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

function rssOf(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

const CLK_TCK = 100; // Linux USER_HZ, what /proc/<pid>/stat counts in

function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** The direct children of `pid` (cluster workers), from /proc. */
function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) kids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return kids;
}

export async function startProxy(options: ServeOptions): Promise<RunningProxy> {
  writeFileSync(join(options.dataDir, 'bench-config.json'), JSON.stringify({ connectPorts: options.connectPorts }));
  const args = [
    ...(options.nodeArgs ?? []),
    join(options.root ?? '.', 'bin/wardgate.js'),
    'serve',
    '--admin',
    'off',
    '--config',
    join(options.dataDir, 'bench-config.json'),
    '--listen',
    options.listen ?? '127.0.0.1:0',
    '--data-dir',
    options.dataDir,
    ...(options.categoriesDir === undefined ? [] : ['--categories', options.categoriesDir]),
    ...options.resolve.flatMap((r) => ['--resolve', r]),
    ...(options.extraArgs ?? []),
  ];
  const [command, ...commandArgs] = [...(options.wrap ?? []), process.execPath, ...args];
  // As docs/deployment.md's unit runs it (docs/memory.md, "Password sign-ins"); the caller's environment may override.
  const env = { MALLOC_MMAP_THRESHOLD_: '131072', ...process.env };
  const child: ChildProcess = spawn(command!, commandArgs, { stdio: ['ignore', 'pipe', 'inherit'], env });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('wardgate did not start within 180 s')), 180_000);
    child.once('exit', (code) => reject(new Error(`wardgate exited with ${code} before listening`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const record = JSON.parse(line) as { msg?: string; address?: { port: number } };
        if (record.msg === 'wardgate listening' && record.address !== undefined) {
          clearTimeout(timer);
          resolve(record.address.port);
        }
      } catch {
        // not a log line
      }
    });
  });
  const pid = child.pid!;
  return {
    port,
    pid,
    rss: () => [pid, ...childrenOf(pid)].reduce((sum, p) => sum + rssOf(p), 0),
    cpuSeconds: () => [pid, ...childrenOf(pid)].reduce((sum, p) => sum + cpuOf(p), 0),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Waits until the proxy has gone quiet (under 5 % of a CPU over half a second, at most `maxMs`):
 * right after start it may still be compiling stale lists in its worker thread, which once took
 * 8 s of a busy machine and made the first scenario measure start-up instead of serving.
 */
export async function waitQuiet(proxy: RunningProxy, maxMs = 60_000): Promise<void> {
  const until = Date.now() + maxMs;
  let last = proxy.cpuSeconds();
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 500));
    const now = proxy.cpuSeconds();
    if (now - last < 0.025) return;
    last = now;
  }
}

/** Samples `read()` every 50 ms until stopped; returns the peak. */
export function sampleRss(read: () => number): { stop(): number } {
  let peak = read();
  const timer = setInterval(() => (peak = Math.max(peak, read())), 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, read());
    },
  };
}
