/**
 * bench-lists: the lists the classification benchmarks run against, set up
 * the way a deployment sets them up.
 *
 * With ../shared/data present: the full UT1 set imported with the real
 * command (`wardgate lists import …/ut1 --format ut1`, the shipped map) and
 * compiled (`wardgate lists compile`) into a data dir, next to the shipped
 * council lists (categories/: keywords, URL rules, trusted sites,
 * exceptions). The data dir is kept in the system temp folder and reused
 * while its index file is fresh (the import + compile take ≈20 s), so
 * repeated runs measure and do not rebuild. Needs dist/ (npm run build).
 *
 * Without it (`--synthetic`, or the data absent): the shipped council lists
 * plus a seeded synthetic import of 1,000,000 domains and 20,000 URL
 * prefixes, written as an imported tree, so the same code paths run.
 *
 * Either way the caller gets the data dir (for `wardgate classify
 * --data-dir`), the compiled index loaded from the file the proxy loads, and
 * the listed domains and URL entries for mixed-stream.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { CompiledIndex } from '../../src/classify/compiled-index.ts';
import { compiledIndexPath, readFreshCompiledLists, sourcesFor } from '../../src/lists/compiled-lists.ts';
import { mulberry32 } from '../../test/helpers/prng.ts';
import type { StreamLists } from './mixed-stream.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const UT1_DIR = path.resolve(ROOT, '../shared/data/blocklists/ut1');
export const CATEGORIES_DIR = path.join(ROOT, 'categories');
const CLI = path.join(ROOT, 'bin/wardgate.js');

export interface BenchLists {
  readonly kind: 'ut1' | 'synthetic';
  readonly dataDir: string;
  readonly categoriesDir: string;
  readonly index: CompiledIndex;
  readonly stream: StreamLists;
  readonly setupMs: number;
}

function cli(args: readonly string[], dataDir: string): void {
  if (!existsSync(path.join(ROOT, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
  const run = spawnSync(process.execPath, ['--max-old-space-size=8192', CLI, ...args, '--data-dir', dataDir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (run.status !== 0) throw new Error(`wardgate ${args.join(' ')} failed (status ${String(run.status)}): ${run.stderr}${run.stdout}`);
}

function gzLines(file: string): string[] {
  if (!existsSync(file)) return [];
  const text = gunzipSync(readFileSync(file)).toString('utf8');
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim().toLowerCase().replace(/^\.+|\.+$/g, '');
    if (line.length > 0 && !line.startsWith('#')) out.push(line);
  }
  return out;
}

/** UT1's lists as raw entries, adult first (the stream draws it 60% of the time). */
function ut1StreamLists(): StreamLists {
  const names = readdirSync(UT1_DIR).filter((n) => existsSync(path.join(UT1_DIR, n, 'domains.gz'))).sort((a, b) => (a === 'adult' ? -1 : b === 'adult' ? 1 : a < b ? -1 : 1));
  const domains: string[][] = [];
  const urls: string[] = [];
  for (const name of names) {
    domains.push(gzLines(path.join(UT1_DIR, name, 'domains.gz')));
    urls.push(...gzLines(path.join(UT1_DIR, name, 'urls.gz')));
  }
  return { domains, urls };
}

const SYNTH_SYLLABLES = ['ab', 'ce', 'di', 'fo', 'gu', 'ha', 'je', 'ki', 'lo', 'mu', 'na', 'pe', 'qi', 'ro', 'su', 'ta', 've', 'wi', 'xo', 'yu', 'za'];
const SYNTH_TLDS = ['com', 'net', 'org', 'ru', 'de', 'xyz', 'info', 'co.uk', 'top', 'biz'];

/** A seeded synthetic import: `domains` domains in two lists and `urls` URL prefixes. */
function writeSyntheticImport(importRoot: string, domains: number, urls: number): StreamLists {
  const rand = mulberry32(7);
  const int = (n: number): number => Math.floor(rand() * n);
  const name = (): string => {
    let s = '';
    for (let i = 2 + int(4); i > 0; i--) s += SYNTH_SYLLABLES[int(SYNTH_SYLLABLES.length)];
    return `${s}${int(1000)}.${SYNTH_TLDS[int(SYNTH_TLDS.length)]}`;
  };
  const adult: string[] = [];
  const other: string[] = [];
  for (let i = 0; i < domains; i++) (i % 10 < 8 ? adult : other).push(rand() < 0.1 ? `${['www', 'm', 'cdn'][int(3)]}.${name()}` : name());
  const urlEntries: string[] = [];
  for (let i = 0; i < urls; i++) urlEntries.push(`${name()}/${SYNTH_SYLLABLES[int(21)]}${int(100)}/${rand() < 0.5 ? 'page.html' : ''}`);
  const write = (rel: string, lines: readonly string[]): void => {
    const file = path.join(importRoot, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${lines.join('\n')}\n`);
  };
  write('pornography/synthetic-adult/domains', adult);
  write('gambling/synthetic-other/domains', other);
  write('pornography/synthetic-adult/urls', urlEntries);
  return { domains: [adult, other], urls: urlEntries };
}

export async function benchLists(options: { synthetic?: boolean; log: (msg: string) => void }): Promise<BenchLists> {
  const started = Date.now();
  const useUt1 = options.synthetic !== true && existsSync(UT1_DIR);
  if (!useUt1 && options.synthetic !== true) options.log(`${UT1_DIR} is absent: using the synthetic index (1,000,000 domains) instead of UT1`);
  const dataDir = path.join(os.tmpdir(), useUt1 ? 'wardgate-bench-ut1' : 'wardgate-bench-synthetic');
  const sources = sourcesFor({ categoriesDir: CATEGORIES_DIR, dataDir });
  const indexFile = compiledIndexPath(dataDir);
  let stream: StreamLists;
  if (useUt1) {
    if (!existsSync(path.join(dataDir, 'lists/imported/ut1'))) {
      rmSync(dataDir, { recursive: true, force: true });
      options.log(`importing UT1 into ${dataDir} (wardgate lists import)…`);
      cli(['lists', 'import', UT1_DIR, '--format', 'ut1', '--name', 'ut1'], dataDir);
    }
    stream = ut1StreamLists();
  } else {
    rmSync(dataDir, { recursive: true, force: true });
    stream = writeSyntheticImport(path.join(dataDir, 'lists/imported/synthetic'), 1_000_000, 20_000);
  }
  let compiled = await readFreshCompiledLists(indexFile, sources);
  if (compiled === null) {
    options.log(`compiling ${indexFile} (wardgate lists compile)…`);
    cli(['lists', 'compile', '--categories', CATEGORIES_DIR], dataDir);
    compiled = await readFreshCompiledLists(indexFile, sources);
    if (compiled === null) throw new Error(`${indexFile} is still not fresh after \`wardgate lists compile\``);
  }
  return { kind: useUt1 ? 'ut1' : 'synthetic', dataDir, categoriesDir: CATEGORIES_DIR, index: compiled.index, stream, setupMs: Date.now() - started };
}
