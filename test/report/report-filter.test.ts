import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWfError } from '../../src/errors.ts';
import { buildReportFilter, inTimeRange, parseReportDate } from '../../src/report/report-filter.ts';

const usageError = (pattern: RegExp) => (error: unknown) => isWfError(error, 'WF_ERR_USAGE') && pattern.test((error as Error).message);

test('a bare day is a whole UTC day: --from its start, --to the start of the next day (exclusive)', () => {
  assert.equal(parseReportDate('2026-11-23', 'from'), Date.UTC(2026, 10, 23));
  assert.equal(parseReportDate('2026-11-23', 'to'), Date.UTC(2026, 10, 24));
  assert.equal(parseReportDate('2024-02-29', 'from'), Date.UTC(2024, 1, 29), 'leap day');
  assert.equal(parseReportDate('2026-12-31', 'to'), Date.UTC(2027, 0, 1));
});

test('an ISO instant with a zone is taken exactly', () => {
  assert.equal(parseReportDate('2026-11-23T14:05:00Z', 'from'), Date.UTC(2026, 10, 23, 14, 5));
  assert.equal(parseReportDate('2026-11-23T14:05:00+01:00', 'to'), Date.UTC(2026, 10, 23, 13, 5));
  assert.equal(parseReportDate('2026-11-23T14:05Z', 'from'), Date.UTC(2026, 10, 23, 14, 5));
  assert.equal(parseReportDate('2026-11-23T14:05:00.250Z', 'from'), Date.UTC(2026, 10, 23, 14, 5, 0, 250));
});

test('dates that are not dates are usage errors naming the flag and the value', () => {
  for (const bad of ['2026-02-30', '2026-13-01', '2026-00-10', '2023-02-29']) {
    assert.throws(() => parseReportDate(bad, 'from'), usageError(new RegExp(`--from "${bad}" is not a calendar date`)));
  }
  for (const bad of ['yesterday', '23/11/2026', '2026-11-23T14:00:00', '2026-11-23 14:00Z', '', '2026-1-3', '2026-11-23T25:00:00Z']) {
    assert.throws(() => parseReportDate(bad, 'to'), usageError(/--to .* is not a (date|calendar date)/), bad);
  }
});

test('--from must be before --to', () => {
  assert.throws(() => buildReportFilter({ from: '2026-11-24', to: '2026-11-23' }), usageError(/--from 2026-11-24 is not before --to 2026-11-23/));
  const sameDay = buildReportFilter({ from: '2026-11-23', to: '2026-11-23' });
  assert.equal(sameDay.toMs! - sameDay.fromMs!, 86_400_000, 'one day from and to the same date covers that day');
});

test('the range is inclusive at the start and exclusive at the end', () => {
  const f = buildReportFilter({ from: '2026-11-23', to: '2026-11-23' });
  assert.equal(inTimeRange(f, Date.UTC(2026, 10, 23)), true);
  assert.equal(inTimeRange(f, Date.UTC(2026, 10, 24) - 1), true);
  assert.equal(inTimeRange(f, Date.UTC(2026, 10, 24)), false);
  assert.equal(inTimeRange(f, Date.UTC(2026, 10, 23) - 1), false);
});

test('decisions and ids: repeated or comma-separated, checked', () => {
  const f = buildReportFilter({ decisions: ['block,allow-by-grant', 'refuse'], members: ['alice', 'bob'], categories: ['adults-only'] });
  assert.deepEqual([...f.decisions].sort(), ['allow-by-grant', 'block', 'refuse']);
  assert.deepEqual([...f.members], ['alice', 'bob']);
  assert.throws(() => buildReportFilter({ decisions: ['blocked'] }), usageError(/--decision "blocked" is not one of allow, block, allow-by-grant, refuse/));
  assert.throws(() => buildReportFilter({ members: ['Alice Smith'] }), usageError(/--member "Alice Smith" is not an id/));
  assert.throws(() => buildReportFilter({ groups: ['<b>'] }), usageError(/--group/));
});
