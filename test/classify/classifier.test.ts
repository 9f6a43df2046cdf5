import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UNCATEGORISED, type ClassifyTrace } from '../../src/classify/classification.ts';
import { createClassifier } from '../../src/classify/classifier.ts';
import { compileIndex } from '../../src/classify/compiled-index.ts';
import type { ClassifierInput, ListInput } from '../../src/classify/list-input.ts';
import { normaliseAuthority, normaliseUrl } from '../../src/classify/normalise-url.ts';
import { isWfError } from '../../src/errors.ts';

function list(id: string, parts: { domains?: string[]; urls?: [string, string][]; keywords?: string[]; grantable?: boolean; source?: 'local' | 'imported' }): ListInput {
  const category = id.split('/')[0]!;
  return {
    id,
    category,
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
    list('pornography', { domains: ['example-porn.test', '127.0.0.1'], urls: [['mixed.test', '/adult/'], ['whole.test', '']], keywords: ['porn*', 'free porn'] }),
    list('sex', { domains: ['sub.example-porn.test'], keywords: ['sex', 'sexy'] }),
    list('profanity', { keywords: ['fuck', 'cunt', 'penis', 'cock*'] }),
    list('illegal/child-abuse', { domains: ['abuse.test'], grantable: false }),
    list('drugs', { domains: ['new.devon.gov.uk', 'drugs-imported.test'], source: 'imported' }),
    list('chat', { domains: ['chat.nhs.uk'], urls: [['gov.uk', '/chatroom']] }),
  ],
  trustedHosts: ['gov.uk', 'nhs.uk'],
  exceptionWords: ['essex', 'sussex', 'scunthorpe', 'penistone', 'cockermouth'],
};

const classifier = createClassifier(INPUT, { cacheSize: 100 });
const classify = (raw: string) => classifier.classify(normaliseUrl(raw));

test('stats count the compiled rules and lists', () => {
  assert.deepEqual(classifier.stats, { domains: 8, urls: 2, keywords: 8, lists: 6 });
  assert.ok(Object.isFrozen(classifier.stats));
});

test('nothing matched → the shared UNCATEGORISED object', () => {
  assert.equal(classify('http://harmless.test/hello'), UNCATEGORISED);
  assert.equal(classify('http://notexample-porn.test/'), UNCATEGORISED);
});

test('domain matches come first, most specific host first, then URL, then keyword', () => {
  const result = classify('http://a.sub.example-porn.test/free/porn?q=sexy');
  assert.deepEqual(result.matches.map((m) => [m.kind, m.entry, m.list]), [
    ['domain', 'sub.example-porn.test', 'sex'],
    ['domain', 'example-porn.test', 'pornography'],
    ['keyword', 'free porn', 'pornography'],
    ['keyword', 'porn*', 'pornography'],
    ['keyword', 'sexy', 'sex'],
  ]);
  assert.deepEqual(result.categories, ['sex', 'pornography']);
  assert.equal(result.trusted, false);
});

test('RuleMatch carries the file, line, grantable flag and source', () => {
  const [match] = classify('https://x.abuse.test/').matches;
  assert.deepEqual(match, { category: 'illegal', list: 'illegal/child-abuse', kind: 'domain', entry: 'abuse.test', file: 'illegal/child-abuse/domains', line: 1, grantable: false, source: 'local' });
});

test('URL entries without a path behave as domain entries (CONNECT included)', () => {
  const result = classifier.classify(normaliseAuthority('www.whole.test:443'));
  assert.deepEqual(result.matches.map((m) => [m.kind, m.entry, m.file]), [['domain', 'whole.test', 'pornography/urls']]);
  assert.deepEqual(classify('http://www.mixed.test/adult/x').matches.map((m) => m.entry), ['mixed.test/adult/']);
  assert.equal(classifier.classify(normaliseAuthority('mixed.test:443')), UNCATEGORISED);
});

test('IPv4 spellings reach the dotted-quad entry', () => {
  for (const raw of ['http://0x7f.1/', 'http://2130706433/', 'http://0177.0.0.1/', 'http://[::ffff:7f00:1]/']) {
    assert.deepEqual(classify(raw).categories, ['pornography'], raw);
  }
});

test('keywords match whole words in the path only, never the host', () => {
  assert.deepEqual(classify('http://search.test/search?q=fuck+this').categories, ['profanity']);
  for (const raw of ['http://essex.gov.uk/', 'http://places.test/places/scunthorpe', 'http://news.test/penistone-news', 'http://a.test/sussex', 'http://a.test/middlesex', 'http://sexy.example/', 'http://a.test/cockermouth']) {
    assert.equal(classify(raw).matches.length, 0, raw);
  }
});

test('trusted hosts: keywords and imported lists are suppressed, local lists still apply', () => {
  const keyword = classify('https://www.gov.uk/search?q=sex');
  assert.deepEqual(keyword, { categories: [], matches: [], trusted: true });
  const imported = classify('https://new.devon.gov.uk/');
  assert.equal(imported.matches.length, 0);
  assert.equal(imported.trusted, true);
  const local = classify('https://chat.nhs.uk/sex');
  assert.deepEqual(local.matches.map((m) => m.entry), ['chat.nhs.uk']);
  assert.equal(local.trusted, true);
  assert.deepEqual(classify('https://www.gov.uk/chatroom/1').categories, ['chat']);
  assert.deepEqual(classify('https://drugs-imported.test/').categories, ['drugs']);
});

test('the same imported entry applies when the host is not trusted', () => {
  const untrusted = createClassifier({ ...INPUT, trustedHosts: [] }, { cacheSize: 0 });
  assert.deepEqual(untrusted.classify(normaliseUrl('https://new.devon.gov.uk/')).categories, ['drugs']);
});

test('results are frozen and shared', () => {
  const result = classify('http://example-porn.test/');
  assert.ok(Object.isFrozen(result) && Object.isFrozen(result.matches) && Object.isFrozen(result.categories));
  assert.ok(result.matches.every((m) => Object.isFrozen(m)));
  assert.equal(classify('http://example-porn.test/'), result);
  // Domain RuleMatches are built on a hit (no object per domain at 5M domains):
  // two hosts under one entry get equal, separately frozen matches.
  const other = classify('http://other.example-porn.test/x').matches[0];
  assert.deepEqual(other, result.matches[0]);
  assert.ok(Object.isFrozen(other));
});

test('cache: per host (not port, not path); the path rules still run on every request', () => {
  const c = createClassifier(INPUT, { cacheSize: 10 });
  const trace: ClassifyTrace = {};
  const first = c.classify(normaliseUrl('http://example-porn.test/a'), trace);
  assert.equal(trace.cache, 'miss');
  assert.equal(c.classify(normaliseUrl('http://example-porn.test/a'), trace), first);
  assert.equal(trace.cache, 'hit');
  assert.equal(c.classify(normaliseUrl('https://EXAMPLE-porn.test:8443/b'), trace), first, 'same host, any port or path: the shared answer');
  assert.equal(trace.cache, 'hit');
  // A cached host still gets its keyword and URL-prefix rules checked on each path.
  assert.deepEqual(c.classify(normaliseUrl('http://example-porn.test/search?q=fuck'), trace).categories, ['pornography', 'profanity']);
  assert.equal(trace.cache, 'hit');
  c.classify(normaliseAuthority('other-host.test:443'), trace);
  assert.equal(trace.cache, 'miss');
});

test('cache off, or a host too long to cache, always reports a miss and still classifies', () => {
  const off = createClassifier(INPUT, { cacheSize: 0 });
  const trace: ClassifyTrace = {};
  off.classify(normaliseUrl('http://a.test/'), trace);
  off.classify(normaliseUrl('http://a.test/'), trace);
  assert.equal(trace.cache, 'miss');
  const short = createClassifier(INPUT, { cacheSize: 10, maxCachedKeyLength: 20 });
  const long = normaliseUrl(`http://${'x'.repeat(30)}.test/fuck`);
  short.classify(long, trace);
  assert.deepEqual(short.classify(long, trace).categories, ['profanity']);
  assert.equal(trace.cache, 'miss');
});

test('bad options throw WF_ERR_CONFIG_INVALID', () => {
  for (const options of [{ cacheSize: -1 }, { cacheSize: 1.5 }, { cacheSize: Number.NaN }, { cacheSize: 1, maxCachedKeyLength: 0 }]) {
    assert.throws(() => createClassifier(INPUT, options), (err) => isWfError(err, 'WF_ERR_CONFIG_INVALID'));
  }
});

test('repeated entries within a list are compiled once', () => {
  const c = createClassifier({ lists: [list('sex', { domains: ['a.test', 'a.test'], urls: [['a.test', '']], keywords: ['sex', 'sex'] })], trustedHosts: [], exceptionWords: [] }, { cacheSize: 0 });
  assert.deepEqual(c.stats, { domains: 1, urls: 0, keywords: 1, lists: 1 });
  assert.deepEqual(c.classify(normaliseUrl('http://a.test/sex')).matches.map((m) => [m.kind, m.line]), [['domain', 1], ['keyword', 1]]);
});

test('an empty input classifies everything as UNCATEGORISED', () => {
  const c = createClassifier({ lists: [], trustedHosts: [], exceptionWords: [] }, { cacheSize: 5 });
  assert.equal(c.classify(normaliseUrl('http://anything.test/fuck')), UNCATEGORISED);
});

test('never throws on odd targets', () => {
  const raws = ['http://a..b/', 'http://.a.test/', 'http://[::1]/x', 'http://x.test/%ZZ%E0%A4%A/?\u0000', `http://x.test/${'\ud83d'.repeat(10)}`, 'ws://example-porn.test:80/', 'http://a.test/' + "'".repeat(100)];
  for (const raw of raws) assert.doesNotThrow(() => classify(raw), raw);
  assert.doesNotThrow(() => classifier.classify(normaliseAuthority('[::1]:443')));
});

test('a CompiledIndex gives the same classifier as the input it was compiled from', () => {
  const compiled = createClassifier(compileIndex(INPUT), { cacheSize: 0 });
  assert.deepEqual(compiled.stats, classifier.stats);
  for (const raw of ['http://a.sub.example-porn.test/free/porn?q=sexy', 'https://x.abuse.test/', 'http://0x7f.1/', 'https://new.devon.gov.uk/', 'https://www.gov.uk/chatroom/1', 'http://harmless.test/']) {
    assert.deepEqual(compiled.classify(normaliseUrl(raw)), classify(raw), raw);
  }
});

test('an IP literal entry never matches as a parent domain, nor a name as part of an address', () => {
  const c = createClassifier({ lists: [list('chat', { domains: ['10.0.0.1', '0.1'] })], trustedHosts: [], exceptionWords: [] }, { cacheSize: 0 });
  assert.deepEqual(c.classify(normaliseUrl('http://10.0.0.1/')).categories, ['chat']);
  assert.equal(c.classify(normaliseUrl('http://10.0.0.2/')).matches.length, 0);
  assert.equal(c.classify(normaliseUrl('http://10.0.0.1.example/')).matches.length, 0);
});

test('an input that cannot be indexed throws WF_ERR_LIST_INVALID', () => {
  const input: ClassifierInput = { lists: [list('chat', { domains: [`${'a'.repeat(300)}.test`] })], trustedHosts: [], exceptionWords: [] };
  assert.throws(() => createClassifier(input, { cacheSize: 0 }), (err) => isWfError(err, 'WF_ERR_LIST_INVALID'));
});
