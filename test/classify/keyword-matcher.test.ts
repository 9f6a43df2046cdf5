import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RuleMatch } from '../../src/classify/classification.ts';
import { KeywordMatcher, isWordCode, type KeywordPattern } from '../../src/classify/keyword-matcher.ts';
import { normaliseUrl } from '../../src/classify/normalise-url.ts';

function kw(entry: string): KeywordPattern {
  const prefix = entry.endsWith('*');
  const words = (prefix ? entry.slice(0, -1) : entry).split(/[ -]+/);
  const match: RuleMatch = { category: 'profanity', list: 'profanity', kind: 'keyword', entry, file: 'profanity/keywords', line: 1, grantable: true, source: 'local' };
  return { words, prefix, match };
}

const EXCEPTIONS = ['essex', 'sussex', 'middlesex', 'scunthorpe', 'penistone', 'cockermouth', 'clitheroe'];
const KEYWORDS = ['fuck', 'cunt', 'penis', 'sex', 'sexy', 'cock*', 'porn*', 'free porn', 'hard core*', 'xxx', "don't look", 'self-harm', 'cockermouth', 'café', 'секс'];

const matcher = new KeywordMatcher(KEYWORDS.map(kw), EXCEPTIONS);

function scan(text: string, m: KeywordMatcher = matcher): string[] {
  const out: RuleMatch[] = [];
  m.scan(text, out);
  return out.map((r) => r.entry);
}

/** matchPath of a URL, as the classifier scans it. */
function path(raw: string): string {
  return normaliseUrl(raw).matchPath;
}

const CASES: [url: string, expected: string[]][] = [
  ['http://search.test/search?q=fuck+this', ['fuck']],
  ['http://a.test/FUCK', ['fuck']],
  ['http://a.test/what-the-fuck.html', ['fuck']],
  ['http://a.test/fucking', []],
  ['http://a.test/places/scunthorpe', []],
  ['http://a.test/penistone-news', []],
  ['http://a.test/sussex', []],
  ['http://a.test/middlesex', []],
  ['http://a.test/essex/sex', ['sex']],
  ['http://a.test/sex2', []],
  ['http://a.test/news/sex_education', ['sex']],
  ['http://a.test/cockermouth', []],
  ['http://a.test/cockermouths', ['cock*']],
  ['http://a.test/cockpit', ['cock*']],
  ['http://a.test/cock', ['cock*']],
  ['http://a.test/pornstars', ['porn*']],
  ['http://a.test/free/porn', ['free porn', 'porn*']],
  ['http://a.test/free-stuff/porn', ['porn*']],
  ['http://a.test/free%20porn', ['free porn', 'porn*']],
  ['http://a.test/hard/cores', ['hard core*']],
  ['http://a.test/hard/sussex/core', []],
  ['http://a.test/x/don%27t/look', ["don't look"]],
  ['http://a.test/dont/look', []],
  ['http://a.test/self-harm', ['self-harm']],
  ['http://a.test/self_harm', ['self-harm']],
  ['http://a.test/CAF%C3%89', ['café']],
  ['http://a.test/caf%C3%A9s', []],
  ['http://a.test/%D0%A1%D0%B5%D0%BA%D1%81', ['секс']],
  ['http://a.test/sex/sex/sex', ['sex']],
  ['http://a.test/sexy/sex', ['sexy', 'sex']],
  ['http://a.test/xxx%F0%9F%98%80sex', ['xxx', 'sex']],
];

for (const [raw, expected] of CASES) {
  test(`scan ${raw} → ${JSON.stringify(expected)}`, () => {
    assert.deepEqual(scan(path(raw)), expected);
  });
}

test('the host is never scanned: keywords only see matchPath', () => {
  const target = normaliseUrl('http://sexy.example/');
  assert.deepEqual(scan(target.matchPath), []);
  assert.deepEqual(scan(normaliseUrl('http://essex.gov.uk/').matchPath), []);
});

test('an exception word that is also a keyword never matches', () => {
  assert.deepEqual(scan('/cockermouth/'), []);
});

test('apostrophes only join word characters', () => {
  const m = new KeywordMatcher([kw('sex')], []);
  assert.deepEqual(scan("/'sex'", m), ['sex']);
  assert.deepEqual(scan("/sex's", m), []);
  assert.deepEqual(scan("/sex''s", m), ['sex']);
});

test('phrases restart correctly after a partial match (a a b)', () => {
  const m = new KeywordMatcher([kw('a a b'), kw('a b')], []);
  assert.deepEqual(scan('/a/a/a/b', m), ['a a b', 'a b']);
  assert.deepEqual(scan('/a/a/c/b', m), []);
});

test('each keyword is reported once and scans are independent', () => {
  const out: RuleMatch[] = [];
  assert.equal(matcher.scan('/fuck/fuck/fuck', out), 1);
  assert.equal(matcher.scan('/fuck', out), 1);
  assert.equal(out.length, 2);
  assert.equal(matcher.scan('/nothing/here', out), 0);
});

test('an empty matcher and an empty text scan to nothing', () => {
  const empty = new KeywordMatcher([], EXCEPTIONS);
  assert.deepEqual(scan('/fuck', empty), []);
  assert.deepEqual(scan(''), []);
  assert.equal(matcher.size, KEYWORDS.length);
});

test('isWordCode: letters, marks and digits only; surrogates separate', () => {
  for (const ch of ['a', 'Z', '0', 'é', 'ж', '中', '\u0301']) assert.equal(isWordCode(ch.charCodeAt(0)), true, ch);
  for (const ch of ['-', '_', "'", ' ', '/', '?', '+', '%', '\ud83d', '\u00a0']) assert.equal(isWordCode(ch.charCodeAt(0)), false, ch);
});

test('long hostile paths are scanned in one pass without throwing', () => {
  const m = new KeywordMatcher([kw('a a a a a a a a b'), kw('a*'), kw('aaaa')], []);
  const text = '/' + 'a/'.repeat(20000) + 'a'.repeat(20000) + "'".repeat(1000) + '\ud800'.repeat(100);
  assert.deepEqual(scan(text, m), ['a*']);
  assert.deepEqual(scan(`${'/a'.repeat(50)}/b`, m), ['a*', 'a a a a a a a a b']);
});

/** The matcher's rules written naively: split into words, compare every pattern at every word. */
function referenceScan(patterns: readonly KeywordPattern[], exceptions: ReadonlySet<string>, text: string): Set<string> {
  const words: string[] = [];
  let word = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const joins = c === 39 && word !== '' && i + 1 < text.length && isWordCode(text.charCodeAt(i + 1));
    if (isWordCode(c) || joins) word += text[i];
    else if (word !== '') {
      words.push(word);
      word = '';
    }
  }
  if (word !== '') words.push(word);
  const found = new Set<string>();
  for (const p of patterns) {
    for (let start = 0; start + p.words.length <= words.length; start++) {
      const ok = p.words.every((w, k) => {
        const u = words[start + k]!;
        if (exceptions.has(u)) return false;
        return p.prefix && k === p.words.length - 1 ? u.startsWith(w) : u === w;
      });
      if (ok) found.add(p.match.entry);
    }
  }
  return found;
}

test('seeded fuzz: the trie matcher finds exactly what the naive reference finds (few and many patterns, dense and hashed edges)', async () => {
  const { mulberry32 } = await import('../helpers/prng.ts');
  const rand = mulberry32(3);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const syllables = ['a', 'b', 'ab', 'ba', 'aab', 'é', 'жa', "b'a", '1', 'z', '0', '9'];
  const makeWord = (): string => {
    let w = '';
    for (let i = 1 + Math.floor(rand() * 3); i > 0; i--) w += pick(syllables);
    return w.replace(/^'|'$/g, '');
  };
  for (const [rounds, count] of [[30, 8], [3, 3000]] as const) {
    for (let round = 0; round < rounds; round++) {
      const entries = new Map<string, KeywordPattern>();
      while (entries.size < count) {
        const words = Array.from({ length: rand() < 0.7 ? 1 : 2 + Math.floor(rand() * 2) }, makeWord).filter((w) => w !== '');
        if (words.length === 0) continue;
        const prefix = rand() < 0.2;
        const entry = `${words.join(' ')}${prefix ? '*' : ''}`;
        entries.set(entry, { words, prefix, match: { ...kw('x').match, entry } });
      }
      const patterns = [...entries.values()];
      const exceptions = new Set(Array.from({ length: 3 }, makeWord).filter((w) => w !== ''));
      // Odd rounds use the trie's hash table alone (what a trie too big for the dense table uses).
      const m = new KeywordMatcher(patterns, exceptions, round % 2 === 1 ? { denseMaxNodes: 0 } : {});
      for (let t = 0; t < 200; t++) {
        let text = '';
        for (let i = Math.floor(rand() * 8); i > 0; i--) text += pick(['/', '-', '+', "'", '?', '&', '=', '\ud83d\ude00']) + (rand() < 0.3 ? pick([...exceptions]) ?? '' : makeWord());
        const got = scan(text, m);
        assert.equal(new Set(got).size, got.length, `reported once: ${text}`);
        assert.deepEqual(new Set(got), referenceScan(patterns, exceptions, text), `${text} (${count} patterns, round ${round})`);
      }
    }
  }
});
