/**
 * Reading in several worker threads gives the same report as reading in one:
 * a seeded log over many files and two chains, with a missing file, lines
 * cut out, bad lines and staff lines, split at every kind of boundary.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildReport } from '../../src/report/build-report.ts';
import { splitIntoShares } from '../../src/report/report-in-workers.ts';
import { buildReportFilter, NO_FILTER } from '../../src/report/report-filter.ts';
import { HeavyHitters } from '../../src/report/heavy-hitters.ts';
import { mulberry32 } from '../helpers/prng.ts';
import { DAY, decisionJson, seal, staffJson, T0 } from './log-lines.ts';

function writeLogs(dir: string): void {
  const random = mulberry32(3);
  for (const worker of ['', '.w1']) {
    let head;
    for (let d = 0; d < 8; d += 1) {
      const jsons: string[] = [];
      for (let i = 0; i < 150; i += 1) {
        const time = T0 + d * DAY + i * 1000;
        if (random() < 0.03) {
          jsons.push(staffJson({ time, grant: `g_${Math.floor(random() * 4)}`, scope: `domain:h${Math.floor(random() * 4)}.test` }));
          continue;
        }
        const decision = (['allow', 'block', 'allow-by-grant', 'refuse'] as const)[Math.floor(random() * 4)]!;
        jsons.push(decisionJson({
          time,
          decision,
          member: decision === 'refuse' ? null : `m${Math.floor(random() * 6)}`,
          group: decision === 'refuse' ? null : `g${Math.floor(random() * 3)}`,
          host: `h${Math.floor(random() * 40)}.test`,
          categories: decision === 'block' ? [`c${Math.floor(random() * 5)}`] : [],
          grants: decision === 'allow-by-grant' ? [`g_${Math.floor(random() * 4)}`] : [],
          bytesOut: Math.floor(random() * 5000),
        }));
      }
      const sealed = seal(jsons, head);
      head = sealed.head;
      const name = `decisions-2026-11-${20 + d}${worker}.1.log`;
      if (worker === '' && d === 5) continue; // a whole file missing: a gap at the next file's first line
      let lines = sealed.lines;
      if (d === 2 && worker === '') lines = [...lines.slice(0, 40), ...lines.slice(43), 'not json at all'];
      const text = lines.map((l) => `${l}\n`).join('');
      if (d % 2 === 0) writeFileSync(join(dir, `${name}.gz`), gzipSync(text));
      else writeFileSync(join(dir, name), text);
    }
  }
}

test('several threads read the same report as one, whatever the filter', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wardgate-report-workers-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeLogs(dir);
  const now = () => new Date(T0);
  for (const filter of [NO_FILTER, buildReportFilter({ from: '2026-11-22', to: '2026-11-25', members: ['m1', 'm2'] })]) {
    const one = await buildReport({ logDir: dir, filter, jobs: 1, now });
    const many = await buildReport({ logDir: dir, filter, jobs: 3, now });
    assert.deepEqual(many, one);
    assert.ok(one.summary.decisions > 0);
  }
  const whole = await buildReport({ logDir: dir, filter: NO_FILTER, jobs: 4, now });
  const main = whole.chains.find((c) => c.chain === 'main')!;
  assert.deepEqual(main.gaps.map((g) => [g.file.slice(dir.length + 1), g.missing]), [['decisions-2026-11-22.1.log.gz', 3], ['decisions-2026-11-26.1.log.gz', 150]], 'cut lines and the missing file are found');
  assert.equal(whole.chains.find((c) => c.chain === 'w1')!.complete, true);
  assert.equal(whole.input.badLines, 1);
});

test('shares are consecutive, cover every file once, and weigh gzip files by what they hold', () => {
  const files = [10, 10, 10, 10, 2, 2, 2, 2].map((bytes, i) => ({ chain: 'main', path: `f${i}${i >= 4 ? '.gz' : ''}`, bytes }));
  const shares = splitIntoShares(files, 2);
  assert.deepEqual(shares.flat(), files);
  assert.deepEqual(shares.map((s) => s.length), [4, 4]);
  assert.equal(splitIntoShares(files, 20).length, 8);
  assert.deepEqual(splitIntoShares(files, 1), [files]);
});

test('merged top-N counts stay upper bounds within their overcount', () => {
  const random = mulberry32(9);
  const truth = new Map<string, number>();
  const parts = [new HeavyHitters(50), new HeavyHitters(50), new HeavyHitters(50)];
  for (let i = 0; i < 30_000; i += 1) {
    const key = random() < 0.4 ? `hot-${Math.floor(random() * 4)}` : `cold-${Math.floor(random() * 5000)}`;
    truth.set(key, (truth.get(key) ?? 0) + 1);
    parts[i % 3]!.add(key);
  }
  const merged = parts[0]!;
  merged.absorb(parts[1]!.state());
  merged.absorb(parts[2]!.state());
  assert.equal(merged.exact, false);
  assert.deepEqual(merged.top(4).map((x) => x.key).sort(), ['hot-0', 'hot-1', 'hot-2', 'hot-3']);
  for (const x of merged.top(100)) {
    const real = truth.get(x.key)!;
    assert.ok(x.count >= real && x.count - x.overcount <= real, `${x.key}: ${x.count} ±${x.overcount}, true ${real}`);
  }
});
