import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PrivacyMode } from '../../src/config/config.ts';
import { GENESIS, sealedLineMaxBytes, sealLine, sealLineInto, type ChainHead } from '../../src/log/chain.ts';
import { decisionLine } from '../../src/log/decision-line.ts';
import type { DecisionRecord } from '../../src/log/decision-record.ts';
import { createDecisionLogger, createDecisionWriter } from '../../src/log/loggers.ts';
import { PRIVACY_MODES } from '../../src/log/privacy.ts';
import { mulberry32 } from '../helpers/prng.ts';

/** Characters that need escaping in JSON, or more than one UTF-8 byte, among plain ones. */
const ALPHABET = ['a', 'Z', '0', '.', '/', '?', '&', '=', '#', ' ', '"', '\\', '\n', '\t', '\u0001', '\u001f', '\u007f', 'é', '€', '\u2028', '😀', '{', '}', ':', ','];

function recordMaker(seed: number): () => DecisionRecord {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const text = (max: number): string => Array.from({ length: Math.floor(random() * max) }, () => (random() < 0.7 ? pick(['a', 'b', '1', '-', '.']) : pick(ALPHABET))).join('');
  const orNull = (value: string): string | null => (random() < 0.3 ? null : value);
  const number = (): number => pick([0, 1, 200, 407, 1024, 3.25, 1e21, -0, Number.NaN, Number.POSITIVE_INFINITY, Math.floor(random() * 1e9)]);
  const url = (): string => pick(['', `http://${text(12)}/${text(20)}`, `https://${text(8)}:8443/${text(10)}?q=${text(10)}#${text(4)}`, `http://h/${text(150)}?${text(150)}`]);
  return () => ({
    v: 1,
    id: text(40),
    kind: pick(['http', 'connect', 'upgrade'] as const),
    member: orNull(text(20)),
    group: orNull(text(20)),
    via: pick(['password', 'address', null] as const),
    client: text(20),
    method: pick(['GET', 'CONNECT', text(8)]),
    target: url(),
    host: text(30),
    decision: pick(['allow', 'block', 'allow-by-grant', 'refuse'] as const),
    reason: text(60),
    categories: Array.from({ length: Math.floor(random() * 3) }, () => text(12)),
    rule: random() < 0.5 ? null : { list: text(12), kind: pick(['domain', 'url', 'keyword']), entry: text(120), file: text(20), line: number() },
    grants: Array.from({ length: Math.floor(random() * 3) }, () => text(16)),
    status: number(),
    bytesIn: number(),
    bytesOut: number(),
    durationMs: number(),
    cache: pick(['hit', 'miss', null] as const),
    snapshot: number(),
    error: orNull(text(24)),
  });
}

function pinoLine(record: DecisionRecord, time: number, privacy: PrivacyMode): string {
  const lines: string[] = [];
  const logger = createDecisionLogger({ write: (line: string) => lines.push(line) }, { privacy, now: () => time });
  logger.info(record);
  assert.equal(lines.length, 1);
  return lines[0]!;
}

test('decisionLine writes, byte for byte, the line pino writes for the same record, in every privacy mode', () => {
  const next = recordMaker(20261124);
  for (let i = 0; i < 3000; i++) {
    const record = next();
    const privacy = PRIVACY_MODES[i % PRIVACY_MODES.length]!;
    const time = 1_764_000_000_000 + i;
    assert.equal(decisionLine(record, time, privacy), pinoLine(record, time, privacy), `record ${i} (${privacy}): ${JSON.stringify(record)}`);
  }
});

test('decisionLine escapes a lone surrogate as JSON.stringify does, so the line stays valid JSON that keeps it', () => {
  const record = recordMaker(1)();
  const odd = { ...record, reason: 'half \ud83d of a pair', host: 'x\udc00' };
  const line = decisionLine(odd, 1, 'full');
  assert.match(line, /"reason":"half \\ud83d of a pair"/);
  const parsed = JSON.parse(line) as Record<string, unknown>;
  assert.equal(parsed.reason, odd.reason);
  assert.equal(parsed.host, odd.host);
});

test('createDecisionWriter writes each line once to every destination, with the clock and privacy given', () => {
  const a: string[] = [];
  const b: string[] = [];
  const record = { ...recordMaker(2)(), target: 'https://example.org/path?secret=1' };
  const write = createDecisionWriter([{ write: (line: string) => a.push(line) }, { write: (line: string) => b.push(line) }], { privacy: 'no-query', now: () => 42 });
  write(record);
  assert.deepEqual(a, [decisionLine(record, 42, 'no-query')]);
  assert.deepEqual(b, a);
  assert.equal((JSON.parse(a[0]!) as { target: string }).target, 'https://example.org/path');
});

test('sealLineInto writes the bytes of sealLine, and the same chain head, for any line', () => {
  const random = mulberry32(7);
  const next = recordMaker(3);
  const buffer = Buffer.alloc(64 * 1024);
  let stringHead: ChainHead = { seq: 0, hash: GENESIS };
  let bufferHead: ChainHead = stringHead;
  const lines = ['{}', '{}\n', 'not json', 'ends in a brace }', '}', '', '{"a":1}', '{"text":"\ud800 alone"}\n'];
  for (let i = 0; i < 500; i++) lines.push(random() < 0.5 ? decisionLine(next(), i, 'full') : JSON.stringify(next()));
  for (const line of lines) {
    const offset = Math.floor(random() * 100);
    const sealed = sealLine(line, stringHead);
    const into = sealLineInto(line, bufferHead, buffer, offset);
    assert.ok(into.bytes <= sealedLineMaxBytes(line), `within the bytes promised for ${JSON.stringify(line)}`);
    assert.equal(buffer.toString('utf8', offset, offset + into.bytes), Buffer.from(sealed.line).toString('utf8'), JSON.stringify(line));
    assert.deepEqual(buffer.subarray(offset, offset + into.bytes), Buffer.from(sealed.line));
    assert.deepEqual(into.head, sealed.head);
    stringHead = sealed.head;
    bufferHead = into.head;
  }
});

test('sealedLineMaxBytes covers the worst line: every character escaped into six bytes', () => {
  const line = '\u0001'.repeat(1000);
  const buffer = Buffer.alloc(sealedLineMaxBytes(line));
  const into = sealLineInto(line, { seq: 0, hash: GENESIS }, buffer, 0);
  assert.equal(buffer.toString('utf8', 0, into.bytes), sealLine(line, { seq: 0, hash: GENESIS }).line);
});
