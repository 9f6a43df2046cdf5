import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { createClassifier } from '../../src/classify/classifier.ts';
import { compileIndex } from '../../src/classify/compiled-index.ts';
import { FORMAT_VERSION, checksum, loadIndex, readIndexHeader, serialiseIndex } from '../../src/classify/index-file.ts';
import { DomainColumns, HOST_NOT_IN_TEXT, domainRules, type ClassifierInput, type ListInput } from '../../src/classify/list-input.ts';
import { normaliseAuthority, normaliseUrl } from '../../src/classify/normalise-url.ts';
import { isWfError } from '../../src/errors.ts';
import { parseDomainColumns, parseDomainList, parseUrlList } from '../../src/lists/parse-list.ts';

function list(id: string, parts: { domains?: string[]; urls?: [string, string][]; keywords?: string[]; grantable?: boolean; source?: 'local' | 'imported' }): ListInput {
  return {
    id,
    category: id.split('/')[0]!,
    grantable: parts.grantable ?? true,
    source: parts.source ?? 'local',
    domains: (parts.domains ?? []).map((host, i) => ({ host, file: `${id}/domains`, line: i + 1 })),
    urls: (parts.urls ?? []).map(([host, pathPrefix], i) => ({ host, pathPrefix, entry: host + pathPrefix, file: `${id}/urls`, line: i + 1 })),
    keywords: (parts.keywords ?? []).map((entry, i) => {
      const prefix = entry.endsWith('*');
      return { words: (prefix ? entry.slice(0, -1) : entry).split(' '), prefix, entry, file: `${id}/keywords`, line: i + 1 };
    }),
  };
}

const INPUT: ClassifierInput = {
  lists: [
    list('pornography', { domains: ['example-porn.test', '127.0.0.1', '[::1]', 'dup.test', 'dup.test'], urls: [['mixed.test', '/adult/'], ['whole.test', ''], ['dup.test', '']], keywords: ['porn*', 'free porn'] }),
    list('sex', { domains: ['sub.example-porn.test', 'dup.test'], keywords: ['sex', 'sexy'] }),
    list('profanity', { keywords: ['fuck', 'cock*'] }),
    list('illegal/child-abuse', { domains: ['abuse.test'], urls: [['abuse-urls.test', '/x?y=1']], grantable: false }),
    list('drugs', { domains: ['new.devon.gov.uk', 'drugs-imported.test'], source: 'imported' }),
    list('chat', { domains: ['chat.nhs.uk'], urls: [['gov.uk', '/chatroom']] }),
  ],
  trustedHosts: ['gov.uk', 'nhs.uk'],
  exceptionWords: ['essex', 'scunthorpe', 'cockermouth'],
};

const URLS = [
  'http://harmless.test/hello', 'http://a.sub.example-porn.test/free/porn?q=sexy', 'https://x.abuse.test/', 'http://abuse-urls.test/x?y=1&z',
  'http://0x7f.1/', 'http://[::1]/', 'http://127.0.0.2/', 'http://www.dup.test/', 'http://www.whole.test/', 'http://www.mixed.test/adult/x',
  'https://new.devon.gov.uk/', 'https://www.gov.uk/chatroom/1', 'https://chat.nhs.uk/sex', 'http://a.test/scunthorpe', 'http://a.test/cock',
  'http://notexample-porn.test/', 'http://drugs-imported.test/fuck',
];

const FINGERPRINT = JSON.stringify([['pornography/domains', 1234, 1700000000000], ['sex/domains', 99, 1700000000001]]);

function reload(input: ClassifierInput = INPUT): ReturnType<typeof loadIndex> {
  return loadIndex(serialiseIndex(compileIndex(input), FINGERPRINT));
}

const rejects = (bytes: Uint8Array, why: string, message = /./): void => {
  assert.throws(() => loadIndex(bytes), (err) => isWfError(err, 'WF_ERR_LIST_INVALID') && message.test(err.message), why);
};

test('a loaded index classifies exactly as the input it was compiled from', () => {
  const direct = createClassifier(INPUT, { cacheSize: 0 });
  const loaded = createClassifier(reload().index, { cacheSize: 0 });
  assert.deepEqual(loaded.stats, direct.stats);
  for (const url of URLS) assert.deepEqual(loaded.classify(normaliseUrl(url)), direct.classify(normaliseUrl(url)), url);
  const connect = normaliseAuthority('www.whole.test:443');
  assert.deepEqual(loaded.classify(connect), direct.classify(connect));
  // The round trip is exact: serialising the loaded index gives the same bytes.
  const bytes = serialiseIndex(compileIndex(INPUT), FINGERPRINT);
  assert.deepEqual(serialiseIndex(loadIndex(bytes).index, FINGERPRINT), bytes);
});

test('the fingerprint and version are stored and readable from the header alone', () => {
  const bytes = serialiseIndex(compileIndex(INPUT), FINGERPRINT);
  const prefix = bytes.subarray(0, 64 + Buffer.byteLength(FINGERPRINT));
  assert.deepEqual(readIndexHeader(prefix), { version: FORMAT_VERSION, byteLength: bytes.length, fingerprint: FINGERPRINT });
  const loaded = loadIndex(bytes);
  assert.equal(loaded.fingerprint, FINGERPRINT);
  assert.equal(loaded.version, FORMAT_VERSION);
  assert.equal(readIndexHeader(serialiseIndex(compileIndex(INPUT), '')).fingerprint, '');
});

test('every single corrupted byte is rejected with WF_ERR_LIST_INVALID', () => {
  const bytes = serialiseIndex(compileIndex(INPUT), FINGERPRINT);
  for (let i = 0; i < bytes.length; i++) {
    const bad = Buffer.from(bytes);
    bad[i] = bad[i]! ^ (1 << (i % 8));
    rejects(bad, `byte ${i}`, /magic|version|truncated|trailing|fingerprint|checksum/);
  }
});

test('a truncated file, trailing data or an empty buffer is rejected', () => {
  const bytes = serialiseIndex(compileIndex(INPUT), FINGERPRINT);
  for (const length of [0, 1, 8, 63, 64, 100, bytes.length >> 1, bytes.length - 8, bytes.length - 1]) rejects(bytes.subarray(0, length), `length ${length}`);
  rejects(Buffer.concat([bytes, Buffer.alloc(8)]), 'trailing bytes');
  assert.throws(() => readIndexHeader(bytes.subarray(0, 64)), (err) => isWfError(err, 'WF_ERR_LIST_INVALID'));
});

test('wrong magic and another format version are rejected, and say so', () => {
  const bytes = serialiseIndex(compileIndex(INPUT), FINGERPRINT);
  const magic = Buffer.from(bytes);
  magic.write('PK', 0, 'latin1');
  assert.throws(() => loadIndex(magic), (err) => isWfError(err, 'WF_ERR_LIST_INVALID') && /magic/.test(err.message));
  const version = Buffer.from(bytes);
  version.writeUInt32LE(FORMAT_VERSION + 1, 8);
  assert.throws(() => loadIndex(version), (err) => isWfError(err, 'WF_ERR_LIST_INVALID') && /version/.test(err.message));
  assert.throws(() => readIndexHeader(version), (err) => isWfError(err, 'WF_ERR_LIST_INVALID'));
});

test('a file with a valid checksum but a broken table is still rejected', () => {
  const bytes = serialiseIndex(compileIndex(INPUT), FINGERPRINT);
  const meta = JSON.parse(bytes.subarray(bytes.readUInt32LE(28), bytes.readUInt32LE(28) + bytes.readUInt32LE(32)).toString('utf8'));
  const [metaOffset, slots] = meta.sections.meta as [number, number];
  const resign = (b: Buffer): Buffer => {
    b.writeUInt32LE(checksum(b, 16), 12);
    return b;
  };
  // No empty slot left: a probe for an absent host would never end.
  const full = Buffer.from(bytes);
  for (let s = 0; s < slots; s++) if (full.readUInt32LE(metaOffset + 4 * s) === 0) full.writeUInt32LE((1 << 16) | 0xffff, metaOffset + 4 * s);
  rejects(resign(full), 'no empty slot', /table holds/);
  // A rule tag beyond the sources table.
  const tag = Buffer.from(bytes);
  for (let s = 0; s < slots; s++) {
    const m = tag.readUInt32LE(metaOffset + 4 * s);
    if (m !== 0 && (m & 0xffff) < 0xfffe) {
      tag.writeUInt32LE(((m & 0xffff0000) | 0x7777) >>> 0, metaOffset + 4 * s);
      break;
    }
  }
  rejects(resign(tag), 'tag out of range', /tag out of range/);
  // Meta that is JSON but not an index's.
  const metaStart = bytes.readUInt32LE(28);
  const broken = Buffer.from(bytes);
  broken.write('[', metaStart, 'latin1');
  rejects(resign(broken), 'meta is not an object', /meta/);
});

/** Many URL rules under one host (a bucket the table sorts), with repeats across lists and a subdomain's own. */
const BIG_BUCKET: ClassifierInput = {
  lists: [
    list('a', { urls: Array.from({ length: 30 }, (_, i): [string, string] => ['big.test', `/p${i % 7}/${'x'.repeat(i % 4)}`]).concat([['sub.big.test', '/p1']]) }),
    list('b', { urls: [['big.test', '/p1/'], ['big.test', '/p1'], ['big.test', '/q']] }),
  ],
  trustedHosts: [],
  exceptionWords: [],
};

test('a host with many URL rules classifies the same from a loaded index as from its input', () => {
  const direct = createClassifier(BIG_BUCKET, { cacheSize: 0 });
  const loaded = createClassifier(reload(BIG_BUCKET).index, { cacheSize: 16 });
  assert.deepEqual(loaded.stats, direct.stats);
  const paths = ['/', '/p1', '/p1/', '/p1/x', '/p1/xx', '/p3/xxx/y', '/p6/', '/q', '/qq', '/r'];
  for (const host of ['big.test', 'www.big.test', 'sub.big.test', 'a.sub.big.test', 'other.test']) {
    for (const p of paths) {
      const target = normaliseUrl(`http://${host}${p}`);
      // Twice: the second lookup uses the bucket decoded by the first.
      for (let i = 0; i < 2; i++) assert.deepEqual(loaded.classify(target), direct.classify(target), `${host}${p}`);
    }
  }
  const hit = loaded.classify(normaliseUrl('http://sub.big.test/p1/xx')).matches.map((m) => `${m.list} ${m.entry} ${m.file}:${m.line}`);
  assert.deepEqual(hit, ['a sub.big.test/p1 a/urls:31', 'a big.test/p1/xx a/urls:23', 'a big.test/p1/x a/urls:2', 'a big.test/p1/ a/urls:9', 'b big.test/p1/ b/urls:1', 'b big.test/p1 b/urls:2']);
});

test('a file with a valid checksum but a broken URL table is still rejected', () => {
  const bytes = serialiseIndex(compileIndex(BIG_BUCKET), FINGERPRINT);
  const metaStart = bytes.readUInt32LE(28);
  const sections = JSON.parse(bytes.subarray(metaStart, metaStart + bytes.readUInt32LE(32)).toString('utf8')).sections as Record<string, [number, number]>;
  const word = (name: string, i: number): number => bytes.readUInt32LE(sections[name]![0] + 4 * i);
  const edited = (name: string, i: number, value: number): Buffer => {
    assert.ok(i < sections[name]![1], `${name} has a word ${i}`);
    const b = Buffer.from(bytes);
    b.writeUInt32LE(value, sections[name]![0] + 4 * i);
    b.writeUInt32LE(checksum(b, 16), 12);
    return b;
  };
  assert.doesNotThrow(() => loadIndex(bytes));
  const rules = sections.urlLine![1];
  const buckets = sections.urlBucketStart![1] - 1;
  assert.equal(buckets, 2);
  rejects(edited('urlSource', 3, 9999), 'source out of range', /source out of range/);
  rejects(edited('urlPrefixStart', 1, 0), 'an empty prefix', /prefixes are out of range/);
  rejects(edited('urlPrefixStart', rules, word('urlPrefixStart', rules) + 1), 'prefixes past their chars', /prefixes are out of range/);
  rejects(edited('urlEntryStart', 2, word('urlEntryStart', 3) + 1), 'entries out of order', /entries are out of range/);
  rejects(edited('urlBucketStart', 1, rules + 1), 'a bucket past the rules', /buckets are out of range/);
  rejects(edited('urlSorted', 0, rules - 1), 'a sorted prefix in another bucket', /sorted prefix out of range/);
  rejects(edited('urlSortedStart', 1, sections.urlSorted![1] + 1), 'sorted ranges out of order', /sorted prefixes are out of range/);
  const hostSlot = Array.from({ length: sections.urlHostMeta![1] }, (_, s) => s).find((s) => word('urlHostMeta', s) !== 0 && (word('urlHostMeta', s) & 0xffff) === 0);
  assert.notEqual(hostSlot, undefined);
  rejects(edited('urlHostNode', hostSlot! * 3 + 2, buckets), 'a host naming no bucket', /names a bucket out of range/);
});

test('a buffer at an odd offset (not 8-aligned) still loads', () => {
  const bytes = serialiseIndex(compileIndex(INPUT), FINGERPRINT);
  const backing = new Uint8Array(bytes.length + 3);
  backing.set(bytes, 3);
  const loaded = loadIndex(backing.subarray(3));
  const c = createClassifier(loaded.index, { cacheSize: 0 });
  assert.deepEqual(c.classify(normaliseUrl('http://x.abuse.test/')).categories, ['illegal']);
});

test('an empty input round-trips', () => {
  const empty: ClassifierInput = { lists: [], trustedHosts: [], exceptionWords: [] };
  const c = createClassifier(reload(empty).index, { cacheSize: 0 });
  assert.deepEqual(c.stats, { domains: 0, urls: 0, keywords: 0, lists: 0 });
  assert.equal(c.classify(normaliseUrl('http://anything.test/fuck')).matches.length, 0);
});

test('domains as columns compile to exactly the bytes of the same domains as rules', () => {
  const lists: ListInput[] = [
    ['pornography', 'porn.test\nUpper.Porn.test\r\n.dotted.test\nporn.test\n127.0.0.1\n[::1]\n# c\nsub.porn.test # x\nbad host\n0x7f.1\n'],
    ['sex', ''],
    ['sex/lingerie', 'porn.test\nlingerie.test'],
    ['chat', '\ufeffchat.test\r\nchat.test\r\nxn--bcher-kva.test\r\nbücher.test'],
  ].map(([id, text]) => ({
    id: id!,
    category: id!.split('/')[0]!,
    grantable: true,
    source: 'local',
    domains: parseDomainColumns(text!, `${id}/domains`).entries,
    urls: [{ host: 'porn.test', pathPrefix: '', entry: 'porn.test', file: `${id}/urls`, line: 1 }],
    keywords: [],
  }));
  const asColumns: ClassifierInput = { lists, trustedHosts: ['gov.uk'], exceptionWords: [] };
  const asRules: ClassifierInput = { ...asColumns, lists: lists.map((l) => ({ ...l, domains: [...domainRules(l.domains)] })) };
  assert.ok(lists[0]!.domains instanceof DomainColumns && lists[0]!.domains.extra.length > 0);
  const columnBytes = serialiseIndex(compileIndex(asColumns), 'f');
  assert.deepEqual(columnBytes, serialiseIndex(compileIndex(asRules), 'f'));
  const c = createClassifier(loadIndex(columnBytes).index, { cacheSize: 0 });
  assert.deepEqual(c.classify(normaliseUrl('http://a.sub.porn.test/')).matches.map((m) => [m.list, m.file, m.line]), [
    ['pornography', 'pornography/domains', 8],
    ['pornography', 'pornography/domains', 1], // its own pathless URL entry for porn.test is a repeat: dropped
    ['sex', 'sex/urls', 1], // no domains, so its tag comes from its URL file
    ['sex/lingerie', 'sex/lingerie/domains', 1],
    ['chat', 'chat/urls', 1],
  ]);
  assert.deepEqual(c.classify(normaliseUrl('http://upper.porn.test/')).matches[0]!.line, 2);
});

test('a host in a columns\' text that cannot be indexed is named on its own in the error', () => {
  const long = `${'x'.repeat(300)}.test`;
  const text = `first.test\n${long}\n`;
  const domains = new DomainColumns({
    file: 'sex/domains', length: 2, text, start: Uint32Array.of(0, 11), end: Uint32Array.of(10, 11 + long.length), lines: Uint32Array.of(1, 2), extra: [],
  });
  assert.notEqual(domains.end[1], HOST_NOT_IN_TEXT);
  const input: ClassifierInput = { lists: [{ ...list('sex', {}), domains }], trustedHosts: [], exceptionWords: [] };
  assert.throws(() => compileIndex(input), (err: unknown) => {
    assert.ok(isWfError(err, 'WF_ERR_LIST_INVALID'));
    assert.match(err.message, /"x{80}…" cannot be indexed: a label is longer than 255 characters/);
    assert.doesNotMatch(err.message, /first\.test/);
    return true;
  });
});

const DATA = path.resolve(fileURLToPath(new URL('../..', import.meta.url)), '../shared/data');
const UT1_CHAT = path.join(DATA, 'blocklists/ut1/chat');
const skipData = existsSync(UT1_CHAT) ? false : `shared data pack absent (${UT1_CHAT}): real-list round trip skipped`;

test('real data: UT1 chat (247 domains, 17 URLs) round-trips and every entry classifies as chat', { skip: skipData }, () => {
  const read = (name: string): string => gunzipSync(readFileSync(path.join(UT1_CHAT, name))).toString('utf8');
  const domains = parseDomainList(read('domains.gz'), 'chat/domains');
  const urls = parseUrlList(read('urls.gz'), 'chat/urls');
  assert.equal(domains.entries.length + domains.diagnostics.length, 247);
  const columns: ClassifierInput = {
    lists: [{ id: 'chat', category: 'chat', grantable: true, source: 'imported', domains: parseDomainColumns(read('domains.gz'), 'chat/domains').entries, urls: urls.entries, keywords: [] }],
    trustedHosts: ['gov.uk'],
    exceptionWords: [],
  };
  const input: ClassifierInput = {
    lists: [{ id: 'chat', category: 'chat', grantable: true, source: 'imported', domains: domains.entries, urls: urls.entries, keywords: [] }],
    trustedHosts: ['gov.uk'],
    exceptionWords: [],
  };
  const direct = createClassifier(input, { cacheSize: 0 });
  const loaded = createClassifier(reload(input).index, { cacheSize: 0 });
  assert.deepEqual(serialiseIndex(compileIndex(columns), 'f'), serialiseIndex(compileIndex(input), 'f'));
  assert.deepEqual(loaded.stats, direct.stats);
  const targets = [
    ...domains.entries.flatMap((d) => (d.host.startsWith('[') || /^\d/.test(d.host) ? [`http://${d.host}/`] : [`http://${d.host}/`, `https://www.${d.host}/x`])),
    ...urls.entries.map((u) => `http://${u.entry}`),
    'http://example-chat-not-listed.test/', 'https://www.gov.uk/',
  ];
  for (const raw of targets) {
    const target = normaliseUrl(raw);
    const result = loaded.classify(target);
    assert.deepEqual(result, direct.classify(target), raw);
    if (!raw.includes('not-listed') && !raw.includes('gov.uk')) assert.deepEqual(result.categories, ['chat'], raw);
  }
});
