/**
 * The pure core: lines in → counts out. Every figure checked against lines
 * written for the purpose, and the fast pre-filter checked against the full
 * parse on a seeded random log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReportCollector } from '../../src/report/report-collector.ts';
import { buildReportFilter, NO_FILTER, type ReportFilter } from '../../src/report/report-filter.ts';
import type { Report } from '../../src/report/report-model.ts';
import { mulberry32 } from '../helpers/prng.ts';
import { DAY, decisionJson, HOUR, seal, staffJson, T0 } from './log-lines.ts';

const SOURCE = { chain: 'main', file: 'decisions-2026-11-20.1.log' };
const FIXED = new Date(Date.UTC(2026, 10, 23));

function collect(lines: readonly string[], filter: ReportFilter = NO_FILTER, options = {}): Report {
  const c = new ReportCollector(filter, options);
  c.startFile(SOURCE);
  lines.forEach((line, i) => c.line(SOURCE, line, i + 1, true));
  return c.finish(FIXED);
}

const MIX = [
  decisionJson({ decision: 'allow', bytesIn: 10, bytesOut: 1000 }),
  decisionJson({ decision: 'allow', member: 'bob', group: 'green', bytesIn: 5, bytesOut: 500, time: T0 + DAY }),
  decisionJson({ decision: 'block', host: 'casino.test', categories: ['gambling'] }),
  decisionJson({ decision: 'block', host: 'casino.test', categories: ['gambling'], time: T0 + DAY }),
  decisionJson({ decision: 'block', host: 'x.test', categories: ['pornography', 'sex'], member: 'bob', group: 'green' }),
  decisionJson({ decision: 'block', host: 'bad-port.test', categories: [] }),
  decisionJson({ decision: 'allow-by-grant', host: 'casino.test', categories: ['gambling'], grants: ['g_1'], bytesIn: 1, bytesOut: 100 }),
  decisionJson({ decision: 'allow-by-grant', host: 'casino.test', categories: ['gambling'], grants: ['g_1'], bytesIn: 2, bytesOut: 200 }),
  decisionJson({ decision: 'refuse', member: null, group: null, host: '' }),
  staffJson({ action: 'approve', grant: 'g_1', scope: 'domain:casino.test', time: T0 - HOUR }),
];

test('summary, blocks by member/group/category/day, domains, grants, volume and staff actions', () => {
  const r = collect(seal(MIX).lines);
  assert.deepEqual(
    { ...r.summary },
    { decisions: 9, allow: 2, block: 4, allowByGrant: 2, refuse: 1, staffActions: 1, members: 2, firstTime: new Date(T0 - HOUR).toISOString(), lastTime: new Date(T0 + DAY).toISOString() },
  );
  assert.deepEqual(r.blocks.byMember, [{ key: 'alice', count: 3 }, { key: 'bob', count: 1 }]);
  assert.deepEqual(r.blocks.byGroup, [{ key: 'labour', count: 3 }, { key: 'green', count: 1 }]);
  assert.deepEqual(r.blocks.byCategory, [{ key: 'gambling', count: 2 }, { key: '(none)', count: 1 }, { key: 'pornography', count: 1 }, { key: 'sex', count: 1 }], 'two categories count once each; none is "(none)"');
  assert.deepEqual(r.blocks.byDay, [{ key: '2026-11-20', count: 3 }, { key: '2026-11-21', count: 1 }]);
  assert.deepEqual(r.blocks.byCategoryDay.filter((c) => c.category === 'gambling'), [{ category: 'gambling', day: '2026-11-20', count: 1 }, { category: 'gambling', day: '2026-11-21', count: 1 }]);
  assert.deepEqual(r.topBlockedDomains, { exact: true, rows: [{ domain: 'casino.test', count: 2, overcount: 0 }, { domain: 'bad-port.test', count: 1, overcount: 0 }, { domain: 'x.test', count: 1, overcount: 0 }] });
  assert.deepEqual(r.grantsUsed, [{ grant: 'g_1', member: 'alice', group: 'labour', scope: 'domain:casino.test', count: 2, bytesIn: 3, bytesOut: 300 }]);
  assert.equal(r.allowedTraffic.requests, 4);
  assert.equal(r.allowedTraffic.bytesIn, 18);
  assert.equal(r.allowedTraffic.bytesOut, 1800);
  assert.deepEqual(r.allowedTraffic.byMember, [{ member: 'alice', requests: 3, bytesIn: 13, bytesOut: 1300 }, { member: 'bob', requests: 1, bytesIn: 5, bytesOut: 500 }]);
  assert.deepEqual(r.staffActions.byAction, [{ key: 'approve', count: 1 }]);
  assert.equal(r.staffActions.rows[0]!.grant, 'g_1');
  assert.equal(r.chains.length, 1);
  assert.equal(r.chains[0]!.complete, true);
  assert.equal(r.chains[0]!.sealedLines, MIX.length);
  assert.equal(r.input.badLines, 0);
});

test('filters: member, group, category, decision and time; staff lines by time, member and group only', () => {
  const lines = seal(MIX).lines;
  const bob = collect(lines, buildReportFilter({ members: ['bob'] }));
  assert.equal(bob.summary.decisions, 2);
  assert.equal(bob.summary.staffActions, 0, "alice's grant is not bob's");
  const green = collect(lines, buildReportFilter({ groups: ['green'] }));
  assert.equal(green.summary.decisions, 2);
  const gambling = collect(lines, buildReportFilter({ categories: ['gambling'] }));
  assert.deepEqual([gambling.summary.block, gambling.summary.allowByGrant, gambling.summary.allow], [2, 2, 0]);
  assert.equal(gambling.summary.staffActions, 1, 'category and decision filters do not apply to staff lines');
  const blocks = collect(lines, buildReportFilter({ decisions: ['block', 'refuse'] }));
  assert.deepEqual([blocks.summary.block, blocks.summary.refuse, blocks.summary.allow], [4, 1, 0]);
  const secondDay = collect(lines, buildReportFilter({ from: '2026-11-21' }));
  assert.equal(secondDay.summary.decisions, 2);
  assert.equal(secondDay.summary.staffActions, 0);
  assert.deepEqual(secondDay.grantsUsed, [], 'no grant used on the 21st');
  const firstDay = collect(lines, buildReportFilter({ to: '2026-11-20' }));
  assert.equal(firstDay.summary.decisions, 7);
  assert.equal(firstDay.grantsUsed[0]!.scope, 'domain:casino.test');
  const grantOnly = collect(lines, buildReportFilter({ from: '2026-11-20T09:00:00Z' }));
  assert.equal(grantOnly.summary.staffActions, 0, 'approval was an hour before the range');
  assert.equal(grantOnly.grantsUsed[0]!.scope, 'domain:casino.test', 'the scope comes from a staff line outside the range');
  const chain = grantOnly.chains[0]!;
  assert.equal(chain.sealedLines, MIX.length, 'completeness covers every line read, not only those in range');
});

test('chain completeness: a removed line is a gap naming where and how many; a moved one is out of order; unsealed lines and lost counts show', () => {
  const { lines } = seal(Array.from({ length: 10 }, (_, i) => decisionJson({ time: T0 + i })));
  const removed = collect([...lines.slice(0, 3), ...lines.slice(6)]);
  assert.equal(removed.chains[0]!.complete, false);
  assert.deepEqual(removed.chains[0]!.gaps, [{ file: SOURCE.file, line: 4, afterSeq: 3, seq: 7, missing: 3 }]);
  assert.equal(removed.chains[0]!.missingLines, 3);

  const swapped = collect([lines[0]!, lines[2]!, lines[1]!, ...lines.slice(3)]);
  assert.deepEqual(swapped.chains[0]!.gaps.map((g) => [g.line, g.afterSeq, g.seq, g.missing]), [[2, 1, 3, 1], [3, 3, 2, 0]]);

  const inserted = collect([...lines.slice(0, 5), decisionJson(), ...lines.slice(5)]);
  assert.equal(inserted.chains[0]!.unsealedLines, 1);
  assert.equal(inserted.chains[0]!.complete, false);
  assert.equal(inserted.summary.decisions, 11, 'an unsealed line is still counted: completeness is reported, not enforced');

  const lost = collect(seal([decisionJson(), JSON.stringify({ type: 'lost', v: 1, time: T0, count: 12, since: T0 })]).lines);
  assert.equal(lost.chains[0]!.lostLines, 12);
  assert.equal(lost.chains[0]!.complete, false);

  const later = collect(lines.slice(4));
  assert.equal(later.chains[0]!.complete, true, 'a chain starting after seq 1 (earlier files gone) is not a gap');
  assert.equal(later.chains[0]!.firstSeq, 5);
});

test('bad lines are counted by reason with examples, never thrown', () => {
  const c = new ReportCollector(NO_FILTER);
  c.startFile(SOURCE);
  const bad = ['not json', '[1,2]', '{"level":"info","time":1,"v":2}', '{"time":1}', '{"level":"info","time":"x","v":1}',
    decisionJson().replace('"decision":"allow"', '"decision":"maybe"'), decisionJson().replace('"bytesIn":0', '"bytesIn":-1'),
    '{"v":1,"time":1,"type":"mystery"}', staffJson().replace('"grant":"g_1",', '')];
  bad.forEach((line, i) => c.line(SOURCE, line, i + 1, true));
  c.line(SOURCE, decisionJson(), bad.length + 1, true);
  c.line(SOURCE, '{"level":"info","ti', bad.length + 2, false);
  const r = c.finish(FIXED);
  assert.equal(r.input.badLines, bad.length + 1);
  assert.equal(r.summary.decisions, 1);
  const reasons = Object.fromEntries(r.input.badByReason.map((b) => [b.key, b.count]));
  assert.deepEqual(reasons, {
    'not JSON': 1,
    'not a JSON object': 1,
    'unsupported schema version 2': 1,
    'no schema version (v)': 1,
    'no numeric time': 1,
    'decision missing or unknown': 1,
    'bytesIn or bytesOut is not a byte count': 1,
    'unknown line type "mystery"': 1,
    'staff line without action, actor, grant or member': 1,
    'incomplete last line (a write cut short)': 1,
  });
  assert.deepEqual(r.input.badSamples[0], { file: SOURCE.file, line: 1, reason: 'not JSON' });
});

test('file headers and text lines are neither counted nor bad', () => {
  const r = collect(seal([JSON.stringify({ type: 'file', v: 1, time: T0, file: 'x', chain: 'main' }), JSON.stringify({ type: 'text', text: 'hello' }), decisionJson()]).lines);
  assert.equal(r.summary.decisions, 1);
  assert.equal(r.input.badLines, 0);
  assert.equal(r.input.linesRead, 3);
});

test('the fast pre-filter gives exactly what parsing every line gives (seeded random log, random filters)', () => {
  const random = mulberry32(7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const members = ['alice', 'bob', 'carol', 'dan'];
  const groups = ['labour', 'green'];
  const jsons: string[] = [];
  for (let i = 0; i < 3000; i += 1) {
    const time = T0 + Math.floor(random() * 5 * DAY);
    if (random() < 0.02) {
      jsons.push(staffJson({ time, member: pick(members), group: pick(groups), grant: `g_${Math.floor(random() * 5)}`, action: pick(['request', 'approve', 'revoke']) }));
      continue;
    }
    const decision = pick(['allow', 'block', 'allow-by-grant', 'refuse'] as const);
    jsons.push(decisionJson({
      time,
      decision,
      member: decision === 'refuse' ? null : pick(members),
      group: decision === 'refuse' ? null : pick(groups),
      host: `h${Math.floor(random() * 50)}.test`,
      categories: decision === 'block' || decision === 'allow-by-grant' ? [pick(['chat', 'gambling', 'hate'])] : [],
      grants: decision === 'allow-by-grant' ? [`g_${Math.floor(random() * 5)}`] : [],
      bytesIn: Math.floor(random() * 100),
      bytesOut: Math.floor(random() * 1000),
    }));
  }
  const { lines } = seal(jsons);
  // The same lines re-serialised with spaces are not in pino's layout, so they always take the full parse.
  const slow = lines.map((l) => JSON.stringify(JSON.parse(l), null, 1).replace(/\n/g, ''));
  for (let i = 0; i < 25; i += 1) {
    const input = {
      ...(random() < 0.5 ? { from: `2026-11-${20 + Math.floor(random() * 3)}` } : {}),
      ...(random() < 0.5 ? { to: `2026-11-${23 + Math.floor(random() * 2)}` } : {}),
      ...(random() < 0.4 ? { members: [pick(members)] } : {}),
      ...(random() < 0.3 ? { groups: [pick(groups)] } : {}),
      ...(random() < 0.3 ? { decisions: [pick(['allow', 'block', 'allow-by-grant', 'refuse'])] } : {}),
      ...(random() < 0.3 ? { categories: [pick(['chat', 'gambling'])] } : {}),
    };
    const filter = buildReportFilter(input);
    const fast = collect(lines, filter);
    const reference = collect(slow, filter);
    assert.deepEqual({ ...fast, chains: [] }, { ...reference, chains: [] }, JSON.stringify(input));
    assert.ok(fast.summary.decisions > 0 || Object.keys(input).length > 0);
  }
});
