/**
 * The report's pure modules (counting, filtering, rendering) do no I/O: they
 * import no node: module and nothing that does. Only the reader, the worker
 * plumbing and the progress bar touch files, threads or streams.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../../src/report/', import.meta.url));
const DOES_IO = new Set(['read-log-text.ts', 'collect-files.ts', 'build-report.ts', 'report-in-workers.ts', 'report-worker.ts', 'progress-bar.ts', 'index.ts']);

test('src/report: counting, filtering and rendering modules import no I/O', () => {
  const pure = readdirSync(DIR).filter((f) => f.endsWith('.ts') && !DOES_IO.has(f));
  assert.ok(pure.includes('aggregate.ts') && pure.includes('render-html.ts') && pure.length >= 12);
  const violations: string[] = [];
  for (const file of pure) {
    for (const [, spec] of readFileSync(DIR + file, 'utf8').matchAll(/^\s*import\s+[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
      const target = spec!.replace(/^\.\//, '');
      if (spec!.startsWith('node:') || (spec!.startsWith('./') && DOES_IO.has(target)) || (spec!.startsWith('../') && spec !== '../errors.ts')) {
        violations.push(`${file} imports ${spec}`);
      }
    }
  }
  assert.deepEqual(violations, []);
});
