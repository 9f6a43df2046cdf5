import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../src/cli.ts';
import { memoryIO } from '../helpers/memory-io.ts';
import { FIXTURE_CATEGORIES } from '../helpers/wardgate-harness.ts';

test('classify --format compact: the verdict and the deciding rule, one JSON line per URL', async () => {
  const io = memoryIO('http://WWW.Blocked-Porn.test./x\nftp://nope/\nhttp://fine.example/a"b\n');
  const code = await runCli(['classify', '--stdin', '--format', 'compact', '--categories', FIXTURE_CATEGORIES], io);
  assert.equal(code, 1);
  const [porn, bad, fine] = io.out().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(porn, {
    input: 'http://WWW.Blocked-Porn.test./x',
    host: 'www.blocked-porn.test',
    decision: 'block',
    reason: 'category',
    categories: ['pornography'],
    rule: { list: 'pornography', kind: 'domain', entry: 'blocked-porn.test' },
    grants: [],
  });
  assert.match(String(bad!.error), /scheme must be http/);
  assert.deepEqual(fine, { input: 'http://fine.example/a"b', host: 'fine.example', decision: 'allow', reason: 'uncategorised', categories: [], rule: null, grants: [] });
});

test('classify --format names the formats when given another', async () => {
  const io = memoryIO();
  assert.equal(await runCli(['classify', '--format', 'xml', 'http://a.example/'], io), 2);
  assert.match(io.err(), /--format is json or compact, got "xml"/);
});

test('each decision prints as JSON.stringify prints it (grants, non-grantable copies, member, repeated objects)', async () => {
  const { classifyLineJson, toClassifyLine } = await import('../../src/cli/classify-command.ts');
  const { UNCATEGORISED } = await import('../../src/classify/classification.ts');
  const target = (await import('../../src/classify/normalise-url.ts')).normaliseUrl('http://a.example/');
  const match = { category: 'gambling', list: 'gambling', kind: 'domain', entry: 'a.example', file: 'gambling/domains', line: 3, grantable: true, source: 'local' } as const;
  const classification = { categories: ['gambling'], matches: [match], trusted: false };
  const block = { action: 'block', reason: 'category', categories: ['gambling'], rule: match, grantIds: [] } as const;
  const grant = { action: 'allow-by-grant', reason: 'grant', categories: ['gambling'], rule: { ...match }, grantIds: ['g1'] } as const;
  const nonGrantable = { ...block, rule: { ...match, grantable: false } };
  for (const decision of [block, grant, nonGrantable, { ...block }, grant]) {
    const result = { input: 'http://a.example/', target, evaluation: { classification, decision, cache: undefined }, member: 'alice' };
    assert.equal(classifyLineJson(result), JSON.stringify(toClassifyLine(result)), decision.action);
  }
  const plain = { input: 'x', target, evaluation: { classification: UNCATEGORISED, decision: block, cache: undefined }, member: undefined };
  assert.equal(classifyLineJson(plain), JSON.stringify(toClassifyLine(plain)));
  // JSON string quoting itself: test/cli/byte-sink.test.ts.
});
