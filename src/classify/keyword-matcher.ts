/**
 * keyword-matcher: whole words, phrases and word prefixes in a URL's path and
 * query (`Target.matchPath`). It is never given the host, so `essex.gov.uk`
 * or `sexy.example` cannot match by their letters.
 *
 * Words are maximal runs of Unicode letters, marks and digits; an apostrophe
 * between two word characters is part of the word (`don't`); everything else
 * separates. A keyword matches a URL word only when the two are equal, or,
 * for a prefix keyword (`porn*`), when the URL word starts with it; a phrase
 * matches consecutive URL words. So `sex` misses `/middlesex` and `cunt` misses
 * `/scunthorpe`. A URL word equal to an exception word (a place name) matches
 * nothing at all, not even `cock*` against `cockermouth`, and still counts as
 * a word, so it breaks a phrase.
 *
 * Compiled once per snapshot into a character trie over every keyword and
 * exception word, its edges in flat typed arrays (EdgeTable). A scan walks
 * each URL word through the trie once, keeps the partial phrase matches in
 * preallocated typed arrays, and pushes each matching rule once: linear in
 * the text length, no allocation per character or per word. Code points outside the Basic Multilingual Plane (emoji)
 * separate words; the list loader refuses keywords containing them.
 */
import type { RuleMatch } from './classification.ts';

export interface KeywordPattern {
  /** Lower-case words, each a valid word (see isWordCode). */
  readonly words: readonly string[];
  /** The last word matches any URL word starting with it. */
  readonly prefix: boolean;
  readonly match: RuleMatch;
}

const APOSTROPHE = 39;
const UNKNOWN = 2;
const WORD_CHAR_RE = /^[\p{L}\p{M}\p{N}]$/u;

/**
 * 1 = word character, 0 = separator, 2 = not yet classified. ASCII is filled
 * now; other code units are classified the first time they are seen (a
 * regex test per code unit ever met, at most 63K per process) because
 * classifying all of them up front measured ~12 ms at start-up.
 */
const WORD_CLASS = new Uint8Array(65536).fill(UNKNOWN);
for (let c = 0; c < 128; c++) {
  WORD_CLASS[c] = (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) ? 1 : 0;
}
for (let c = 0xd800; c <= 0xdfff; c++) WORD_CLASS[c] = 0;

/** Whether a UTF-16 code unit is part of a word (letter, mark or digit). */
export function isWordCode(code: number): boolean {
  let k = WORD_CLASS[code];
  if (k === UNKNOWN) {
    k = WORD_CHAR_RE.test(String.fromCharCode(code)) ? 1 : 0;
    WORD_CLASS[code] = k;
  }
  return k === 1;
}

/**
 * Index just past the word that continues at `j`: word characters, and an
 * apostrophe with a word character on each side (`don't`).
 */
function wordEnd(text: string, j: number): number {
  const n = text.length;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (!isWordCode(c) && !(c === APOSTROPHE && j + 1 < n && isWordCode(text.charCodeAt(j + 1)))) break;
    j++;
  }
  return j;
}

/** Trie under construction; frozen into typed arrays by the matcher. */
class TrieBuilder {
  readonly children: Map<number, number>[] = [new Map()];
  readonly exactToken: number[] = [-1];
  readonly prefixToken: number[] = [-1];
  readonly exception: number[] = [0];
  depth = 0;

  /** Node for `word`, created as needed. */
  insert(word: string): number {
    let node = 0;
    for (let i = 0; i < word.length; i++) {
      const c = word.charCodeAt(i);
      let next = this.children[node]!.get(c);
      if (next === undefined) {
        next = this.children.length;
        this.children.push(new Map());
        this.exactToken.push(-1);
        this.prefixToken.push(-1);
        this.exception.push(0);
        this.children[node]!.set(c, next);
      }
      node = next;
    }
    if (word.length > this.depth) this.depth = word.length;
    return node;
  }
}

/** Columns of EdgeTable's dense child table: `a`–`z` then `0`–`9`; -1 for every other code unit. */
const DENSE_WIDTH = 36;
const DENSE_COLUMN = new Int8Array(128).fill(-1);
for (let c = 97; c <= 122; c++) DENSE_COLUMN[c] = c - 97;
for (let c = 48; c <= 57; c++) DENSE_COLUMN[c] = 26 + c - 48;
/** Largest trie given a dense table (≈4.7 MB of Int32 at the limit). */
const DENSE_MAX_NODES = 32_768;

/**
 * The trie's edges, (node, UTF-16 code unit) → child, in one open-addressing
 * table of typed arrays (linear probing, load ≤ 0.5), with the root's ASCII
 * edges in a direct 128-entry array (every URL word starts at the root).
 * Replaces a `Map<number, number>` per trie node: on random words with
 * 10,000–100,000 patterns (a trie of up to ~500k nodes, one Map object each)
 * scans measured 2.5–3× faster, the walk touching a few typed-array cache
 * lines instead of a Map per character; with the shipped few hundred
 * keywords (a trie that stays in cache) the two were within noise.
 */
class EdgeTable {
  /** The root's child by each ASCII code unit, or -1 (read directly by the scan loop). */
  readonly rootAscii = new Int32Array(128).fill(-1);
  /**
   * For a trie of at most DENSE_MAX_NODES nodes: every node's children by
   * lower-case ASCII letter or digit (DENSE_COLUMN), -1 for none, so the
   * characters URL words are made of cost one array read instead of a hash
   * probe (the probe was a quarter of a scan with the shipped ~400 keywords).
   * Other code units, and larger tries, use the hash table.
   */
  readonly #dense: Int32Array | null;
  /** Parent node + 1 (0 marks an empty slot). */
  readonly #from: Int32Array;
  readonly #code: Uint16Array;
  readonly #to: Int32Array;
  readonly #shift: number;
  readonly #mask: number;

  constructor(children: readonly Map<number, number>[], denseMaxNodes: number) {
    let edges = 0;
    for (const map of children) edges += map.size;
    let bits = 4;
    while (1 << bits < edges * 2) bits++;
    const capacity = 1 << bits;
    this.#shift = 32 - bits;
    this.#mask = capacity - 1;
    this.#from = new Int32Array(capacity);
    this.#code = new Uint16Array(capacity);
    this.#to = new Int32Array(capacity);
    this.#dense = children.length <= denseMaxNodes ? new Int32Array(children.length * DENSE_WIDTH).fill(-1) : null;
    for (let node = 0; node < children.length; node++) {
      for (const [c, child] of children[node]!) {
        if (node === 0 && c < 128) this.rootAscii[c] = child;
        if (this.#dense !== null && c < 128 && DENSE_COLUMN[c]! >= 0) this.#dense[node * DENSE_WIDTH + DENSE_COLUMN[c]!] = child;
        let slot = this.#slot(node, c);
        while (this.#from[slot] !== 0) slot = (slot + 1) & this.#mask;
        this.#from[slot] = node + 1;
        this.#code[slot] = c;
        this.#to[slot] = child;
      }
    }
  }

  /** Home slot: Fibonacci hashing of the (node, code) pair, top bits. */
  #slot(node: number, c: number): number {
    return Math.imul(node ^ Math.imul(c, 0x85ebca6b), 0x9e3779b1) >>> this.#shift;
  }

  /** Child of `node` by code unit `c`, or -1. */
  child(node: number, c: number): number {
    if (c < 128) {
      if (node === 0) return this.rootAscii[c]!;
      const column = DENSE_COLUMN[c]!;
      if (column >= 0 && this.#dense !== null) return this.#dense[node * DENSE_WIDTH + column]!;
    }
    const from = node + 1;
    for (let slot = this.#slot(node, c); ; slot = (slot + 1) & this.#mask) {
      const f = this.#from[slot]!;
      if (f === 0) return -1;
      if (f === from && this.#code[slot] === c) return this.#to[slot]!;
    }
  }
}

export class KeywordMatcher {
  readonly #edges: EdgeTable;
  readonly #exactToken: Int32Array;
  readonly #prefixToken: Int32Array;
  readonly #exception: Uint8Array;
  /** Patterns whose first token is the index, or undefined. */
  readonly #startsBy: (number[] | undefined)[];
  /** Pattern p's tokens are #patTokens[#patStart[p] .. + #patLength[p]]. */
  readonly #patStart: Int32Array;
  readonly #patLength: Int32Array;
  readonly #patTokens: Int32Array;
  readonly #patMatch: RuleMatch[];
  /** #seen[p] === #epoch once pattern p has been reported in this scan. */
  readonly #seen: Uint32Array;
  #epoch = 0;
  /** Partial phrase matches: pattern and how many words already matched. */
  readonly #activePattern: Int32Array;
  readonly #activeProgress: Int32Array;
  /** Prefix tokens satisfied by the current URL word. */
  readonly #wordPrefixes: Int32Array;
  #wordPrefixCount = 0;
  #wordExact = -1;

  /** `options.denseMaxNodes` (tests only) overrides the largest trie given a dense child table. */
  constructor(patterns: Iterable<KeywordPattern>, exceptionWords: Iterable<string>, options: { denseMaxNodes?: number } = {}) {
    const trie = new TrieBuilder();
    const tokenIds = new Map<string, number>();
    const tokenOf = (word: string, prefix: boolean): number => {
      const key = (prefix ? 'p:' : 'e:') + word;
      let id = tokenIds.get(key);
      if (id === undefined) {
        id = tokenIds.size;
        tokenIds.set(key, id);
        const node = trie.insert(word);
        if (prefix) trie.prefixToken[node] = id;
        else trie.exactToken[node] = id;
      }
      return id;
    };
    const starts: (number[] | undefined)[] = [];
    const lengths: number[] = [];
    const tokens: number[] = [];
    const matches: RuleMatch[] = [];
    let phraseCapacity = 0;
    for (const pattern of patterns) {
      const { words } = pattern;
      if (words.length === 0 || words.some((w) => w.length === 0)) continue;
      const p = matches.length;
      matches.push(pattern.match);
      lengths.push(words.length);
      for (let i = 0; i < words.length; i++) tokens.push(tokenOf(words[i]!, pattern.prefix && i === words.length - 1));
      const first = tokens[tokens.length - words.length]!;
      (starts[first] ??= []).push(p);
      phraseCapacity += words.length - 1;
    }
    for (const word of exceptionWords) if (word.length > 0) trie.exception[trie.insert(word)] = 1;

    this.#edges = new EdgeTable(trie.children, options.denseMaxNodes ?? DENSE_MAX_NODES);
    this.#exactToken = Int32Array.from(trie.exactToken);
    this.#prefixToken = Int32Array.from(trie.prefixToken);
    this.#exception = Uint8Array.from(trie.exception);
    this.#startsBy = starts;
    this.#patLength = Int32Array.from(lengths);
    this.#patStart = new Int32Array(lengths.length);
    for (let p = 1; p < lengths.length; p++) this.#patStart[p] = this.#patStart[p - 1]! + lengths[p - 1]!;
    this.#patTokens = Int32Array.from(tokens);
    this.#patMatch = matches;
    this.#seen = new Uint32Array(matches.length);
    // Each phrase can be part-matched at most once per progress step at a time.
    this.#activePattern = new Int32Array(phraseCapacity);
    this.#activeProgress = new Int32Array(phraseCapacity);
    this.#wordPrefixes = new Int32Array(trie.depth + 1);
  }

  /** Number of keyword patterns compiled. */
  get size(): number {
    return this.#patMatch.length;
  }

  /**
   * Appends the match of every keyword found in `text` (a matchPath), once
   * each, in the order their first occurrence ends. Returns how many.
   */
  scan(text: string, out: RuleMatch[]): number {
    const before = out.length;
    if (this.#patMatch.length === 0) return 0;
    this.#nextEpoch();
    // The character loop works on locals and skips words the trie rejects outright: measured
    // ≈10 ns a character with a method call per character and per word (mixed UT1 stream paths).
    const rootAscii = this.#edges.rootAscii;
    let active = 0;
    const n = text.length;
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      let k = WORD_CLASS[c]!;
      if (k === UNKNOWN) k = isWordCode(c) ? 1 : 0;
      if (k === 0) {
        i++;
        continue;
      }
      if (active === 0 && c < 128 && rootAscii[c] === -1) {
        // No keyword or exception word starts with this character and no phrase is under way:
        // the word cannot matter, so step over it.
        i = wordEnd(text, i + 1);
        continue;
      }
      i = this.#readWord(text, i);
      active = this.#advance(active, out);
      active = this.#start(active, out);
    }
    return out.length - before;
  }

  #nextEpoch(): void {
    this.#epoch = (this.#epoch + 1) >>> 0;
    if (this.#epoch === 0) {
      this.#seen.fill(0);
      this.#epoch = 1;
    }
  }

  /**
   * Walks the word starting at `start` through the trie, leaving the tokens
   * it satisfies in #wordExact / #wordPrefixes. Returns the index after it.
   */
  #readWord(text: string, start: number): number {
    const n = text.length;
    let node = 0;
    let prefixCount = 0;
    let j = start;
    let c = text.charCodeAt(j);
    do {
      if (node >= 0) {
        node = this.#edges.child(node, c);
        if (node >= 0 && this.#prefixToken[node]! >= 0) this.#wordPrefixes[prefixCount++] = this.#prefixToken[node]!;
      }
      j++;
      if (j >= n) break;
      c = text.charCodeAt(j);
    } while (isWordCode(c) || (c === APOSTROPHE && j + 1 < n && isWordCode(text.charCodeAt(j + 1))));
    if (node >= 0 && this.#exception[node] === 1) {
      this.#wordExact = -1;
      this.#wordPrefixCount = 0;
    } else {
      this.#wordExact = node >= 0 ? this.#exactToken[node]! : -1;
      this.#wordPrefixCount = prefixCount;
    }
    return j;
  }

  #satisfies(token: number): boolean {
    if (token === this.#wordExact) return true;
    for (let k = 0; k < this.#wordPrefixCount; k++) if (this.#wordPrefixes[k] === token) return true;
    return false;
  }

  /** Moves each partial phrase on by the current word, or drops it. */
  #advance(active: number, out: RuleMatch[]): number {
    let kept = 0;
    for (let r = 0; r < active; r++) {
      const p = this.#activePattern[r]!;
      const progress = this.#activeProgress[r]!;
      if (!this.#satisfies(this.#patTokens[this.#patStart[p]! + progress]!)) continue;
      if (progress + 1 === this.#patLength[p]) {
        this.#emit(p, out);
      } else {
        this.#activePattern[kept] = p;
        this.#activeProgress[kept] = progress + 1;
        kept++;
      }
    }
    return kept;
  }

  /** Starts (or completes, for one-word keywords) the patterns the current word begins. */
  #start(active: number, out: RuleMatch[]): number {
    if (this.#wordExact >= 0) active = this.#startToken(this.#wordExact, active, out);
    for (let k = 0; k < this.#wordPrefixCount; k++) active = this.#startToken(this.#wordPrefixes[k]!, active, out);
    return active;
  }

  #startToken(token: number, active: number, out: RuleMatch[]): number {
    const patterns = this.#startsBy[token];
    if (patterns === undefined) return active;
    for (let i = 0; i < patterns.length; i++) {
      const p = patterns[i]!;
      if (this.#patLength[p] === 1) {
        this.#emit(p, out);
      } else {
        this.#activePattern[active] = p;
        this.#activeProgress[active] = 1;
        active++;
      }
    }
    return active;
  }

  #emit(p: number, out: RuleMatch[]): void {
    if (this.#seen[p] === this.#epoch) return;
    this.#seen[p] = this.#epoch;
    out.push(this.#patMatch[p]!);
  }
}
