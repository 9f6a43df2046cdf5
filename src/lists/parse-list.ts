/**
 * parse-list: the text of one category list file → entries the classifier is
 * built from, plus a `file:line` diagnostic for every line it had to skip.
 * Pure (text in, data out); src/lists/load-categories.ts does the reading.
 *
 * Formats (categories/README.md has the full description):
 * - `domains`: one host per line; covers the host and its subdomains. A
 *   squidGuard-style leading `.` is accepted and dropped.
 * - `urls`: `host/path` prefixes; a scheme, a port and a leading `www.` are
 *   dropped, the path is normalised and decoded exactly as a request's
 *   matchPath is (via normaliseUrl), and an entry with no path is a domain
 *   entry (pathPrefix "").
 * - `keywords`: a word, or a phrase of words separated by spaces or hyphens,
 *   optionally ending in `*` (word prefix). Letters, digits, spaces, hyphens
 *   and apostrophes only.
 * - `hosts` (imports only): hosts-file lines, `0.0.0.0 name…` or
 *   `127.0.0.1 name…`; every name after the address is a domain entry, and
 *   the hosts file's own names (localhost, broadcasthost, …) are ignored.
 * - `plain` (imports only): one host a line, or a `host/path` prefix.
 * `#` starts a comment at the start of a line or after whitespace (so a URL's
 * `#fragment` is not a comment); blank lines are ignored. A bad line is never
 * fatal: it becomes a diagnostic and is skipped.
 *
 * The line-level functions (stripListComment, parseHostEntry, parseUrlEntry,
 * parseHostsEntry) are exported for the importer, which streams millions of
 * lines through them without holding a file in memory. Host names that are
 * already plain lower-case ASCII skip the WHATWG URL parser (fastCanonicalHost):
 * UT1's adult list is 4.6 million of them. The loader parses `domains` files
 * with parseDomainColumns, which leaves such hosts in the file's text
 * (DomainColumns) instead of making an object and a string of each.
 */
import { canonicalHost, isIpLiteral, normaliseUrl } from '../classify/normalise-url.ts';
import { isWordCode } from '../classify/keyword-matcher.ts';
import { DomainColumns, HOST_NOT_IN_TEXT, type DomainRule, type KeywordRule, type UrlRule } from '../classify/list-input.ts';
import { stripWww } from '../classify/url-index.ts';

export interface ListDiagnostic {
  /** File relative to the categories root, e.g. `pornography/domains`. */
  readonly file: string;
  /** 1-based line number; 0 when the problem is with the whole file or folder. */
  readonly line: number;
  readonly message: string;
}

export interface ParsedList<T> {
  readonly entries: T[];
  readonly diagnostics: ListDiagnostic[];
}

export interface ParsedDomainColumns {
  readonly entries: DomainColumns;
  readonly diagnostics: ListDiagnostic[];
}

export type ListFileKind = 'domains' | 'urls' | 'keywords';

/** Why a line was skipped (a class, so it is told apart from values that are strings). */
export class InvalidEntry {
  constructor(readonly message: string) {}
}
/** Short local name: most of this file returns "a value or why not". */
const Invalid = InvalidEntry;
type Invalid = InvalidEntry;

const COMMENT_RE = /(?:^|\s)#/;
const SCHEME_RE = /^[a-z][a-z0-9+.-]*:\/\//i;
const WHITESPACE_RE = /\s/;
/** Labels of a canonical (punycoded) host name; underscores occur in real DNS. */
const HOST_RE = /^[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*$/;

function quoted(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

/** A line without its comment and surrounding white space ("" for a blank or comment line). */
export function stripListComment(line: string): string {
  let entry = line;
  if (entry.indexOf('#') !== -1) {
    const comment = COMMENT_RE.exec(entry);
    if (comment !== null) entry = entry.slice(0, comment.index);
  }
  return entry.trim();
}

/** Calls `onEntry` for each entry (comments and blanks skipped); what it returns as invalid becomes a diagnostic. */
function walkLines(text: string, file: string, onEntry: (entry: string, line: number) => Invalid | undefined): ListDiagnostic[] {
  const diagnostics: ListDiagnostic[] = [];
  // An indexOf walk rather than split('\n'): imported lists run to millions of lines.
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let line = 1; start <= text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const entry = stripListComment(text.slice(start, end));
    start = end + 1;
    if (entry.length === 0) continue;
    const invalid = onEntry(entry, line);
    if (invalid !== undefined) diagnostics.push({ file, line, message: invalid.message });
  }
  return diagnostics;
}

function parseLines<T>(text: string, file: string, parseEntry: (entry: string, line: number) => T | Invalid): ParsedList<T> {
  const entries: T[] = [];
  const diagnostics = walkLines(text, file, (entry, line) => {
    const parsed = parseEntry(entry, line);
    if (parsed instanceof Invalid) return parsed;
    entries.push(parsed);
    return undefined;
  });
  return { entries, diagnostics };
}

const MAX_HOST_LENGTH = 253;

/**
 * The canonical form of `raw` when it is a plain ASCII host name whose
 * canonical form needs no URL parser: letters, digits, `-` and `_` in labels
 * of 1 to 63 characters, not ending in a number (a URL parser reads
 * `1.2.3.4` and `a.0x1f` as IPv4) and with no `xn--` label (punycode is
 * validated by the slow path). Anything else returns null and goes the slow
 * way. Must agree with canonicalHost wherever it answers: a seeded invariant
 * test (test/lists/parse-list.test.ts) compares the two. About 15x faster
 * than `new URL` on UT1's adult list.
 */
export function fastCanonicalHost(raw: string): string | null {
  const plain = plainHost(raw, 0, raw.length);
  return plain === NOT_PLAIN ? null : plain === PLAIN_UPPER ? raw.toLowerCase() : raw;
}

const NOT_PLAIN = 0;
/** Canonical as written. */
const PLAIN = 1;
/** Canonical once lower-cased. */
const PLAIN_UPPER = 2;

/** fastCanonicalHost's test on text[start, end), without cutting it out. */
function plainHost(text: string, start: number, end: number): typeof NOT_PLAIN | typeof PLAIN | typeof PLAIN_UPPER {
  const length = end - start;
  if (length === 0 || length > MAX_HOST_LENGTH) return NOT_PLAIN;
  let labelStart = start;
  let upper = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      if (i === labelStart || i - labelStart > 63) return NOT_PLAIN;
      if (isPunycodeLabel(text, labelStart, i)) return NOT_PLAIN;
      labelStart = i + 1;
    } else if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 95) {
      // a-z 0-9 - _
    } else if (c >= 65 && c <= 90) {
      upper = true;
    } else {
      return NOT_PLAIN;
    }
  }
  if (labelStart === end || end - labelStart > 63) return NOT_PLAIN;
  if (isPunycodeLabel(text, labelStart, end) || endsInNumber(text, labelStart, end)) return NOT_PLAIN;
  return upper ? PLAIN_UPPER : PLAIN;
}

function isPunycodeLabel(raw: string, start: number, end: number): boolean {
  return end - start >= 4 && (raw.charCodeAt(start) | 32) === 120 /* x */ && (raw.charCodeAt(start + 1) | 32) === 110 /* n */
    && raw.charCodeAt(start + 2) === 45 && raw.charCodeAt(start + 3) === 45;
}

/** WHATWG "ends in a number": the last label, raw[start, end), is all digits, or 0x followed by hex digits. */
function endsInNumber(raw: string, start: number, end: number): boolean {
  let digits = true;
  for (let i = start; i < end && digits; i++) {
    const c = raw.charCodeAt(i);
    digits = c >= 48 && c <= 57;
  }
  if (digits) return true;
  if (raw.charCodeAt(start) !== 48 || (raw.charCodeAt(start + 1) | 32) !== 120) return false;
  for (let i = start + 2; i < end; i++) {
    const c = raw.charCodeAt(i) | 32;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** Canonical host for a list entry (a `domains` line), or why it is not one. */
export function parseHostEntry(raw: string): string | InvalidEntry {
  const fast = fastCanonicalHost(raw);
  if (fast !== null) return fast;
  if (raw.startsWith('*.')) return new Invalid(`${quoted(raw)}: no wildcard needed, an entry already covers its subdomains`);
  if (WHITESPACE_RE.test(raw)) return new Invalid(`${quoted(raw)}: one entry per line`);
  const host = canonicalHost(raw.startsWith('.') ? raw.slice(1) : raw);
  if (host === null || !(isIpLiteral(host) || HOST_RE.test(host))) return new Invalid(`invalid host name ${quoted(raw)}`);
  return host;
}
const parseHost = parseHostEntry;

/** `domains`: one host per line, as DomainRule objects (tests and small lists; the loader uses parseDomainColumns). */
export function parseDomainList(text: string, file: string): ParsedList<DomainRule> {
  const { entries, diagnostics } = parseDomainColumns(text, file);
  return { entries: entries.toRules(), diagnostics };
}

/** Growable columns for parseDomainColumns. */
class ColumnsWriter {
  length = 0;
  start: Uint32Array;
  end: Uint32Array;
  lines: Uint32Array;
  readonly extra: string[] = [];

  constructor(expected: number) {
    const size = Math.max(16, expected);
    this.start = new Uint32Array(size);
    this.end = new Uint32Array(size);
    this.lines = new Uint32Array(size);
  }

  add(start: number, end: number, line: number): void {
    if (this.length === this.start.length) this.#resize(this.length * 2);
    const i = this.length++;
    this.start[i] = start;
    this.end[i] = end;
    this.lines[i] = line;
  }

  addExtra(host: string, line: number): void {
    this.add(this.extra.length, HOST_NOT_IN_TEXT, line);
    this.extra.push(host);
  }

  finish(text: string, file: string): DomainColumns {
    // Exact size, unless that would copy for a few entries' worth of slack.
    if (this.start.length - this.length > 64 + (this.length >>> 3)) this.#resize(this.length);
    return new DomainColumns({ file, length: this.length, text, start: this.start, end: this.end, lines: this.lines, extra: this.extra });
  }

  #resize(size: number): void {
    const n = this.length;
    const grow = (from: Uint32Array): Uint32Array => {
      const to = new Uint32Array(Math.max(16, size));
      to.set(from.subarray(0, n));
      return to;
    };
    this.start = grow(this.start);
    this.end = grow(this.end);
    this.lines = grow(this.lines);
  }
}

/** Bytes a `domains` line takes on average in UT1's lists (with its newline): sizes the columns once. */
const BYTES_PER_DOMAIN_LINE = 24;

/**
 * `domains`: one host per line, as DomainColumns (no object or string per
 * entry). A line that is nothing but a plain canonical host (fastCanonicalHost
 * would return it unchanged), with or without a CR, is recorded as its place
 * in `text`: for such a line stripListComment and parseHostEntry return
 * exactly that text, so the result is the same as theirs. Every other line
 * (comments, white space, upper case, IP literals, IDN, errors) goes the
 * general way, walkLines' exact steps, one line at a time.
 */
export function parseDomainColumns(text: string, file: string): ParsedDomainColumns {
  const diagnostics: ListDiagnostic[] = [];
  const out = new ColumnsWriter(Math.ceil(text.length / BYTES_PER_DOMAIN_LINE));
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let line = 1; start <= text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const stop = end > start && text.charCodeAt(end - 1) === 13 /* \r */ ? end - 1 : end;
    if (stop > start) {
      if (plainHost(text, start, stop) === PLAIN) {
        out.add(start, stop, line);
      } else {
        const entry = stripListComment(text.slice(start, end));
        if (entry.length > 0) {
          const host = parseHost(entry);
          if (host instanceof Invalid) diagnostics.push({ file, line, message: host.message });
          else out.addExtra(host, line);
        }
      }
    }
    start = end + 1;
  }
  return { entries: out.finish(text, file), diagnostics };
}

/**
 * `domains` line by line, the general way (walkLines, stripListComment,
 * parseHostEntry for every line): calls `visit(host, line)` for each valid
 * entry and returns the diagnostics. parseDomainColumns must agree with it
 * exactly (a seeded test compares them).
 */
export function scanDomainList(text: string, file: string, visit: (host: string, line: number) => void): ListDiagnostic[] {
  return walkLines(text, file, (entry, line) => {
    const host = parseHost(entry);
    if (host instanceof Invalid) return host;
    visit(host, line);
    return undefined;
  });
}

/** Names every hosts file carries for the machine itself: not blocklist entries. */
const HOSTS_FILE_NAMES = new Set([
  'localhost', 'localhost.localdomain', 'local', 'broadcasthost', 'ip6-localhost', 'ip6-loopback',
  'ip6-localnet', 'ip6-mcastprefix', 'ip6-allnodes', 'ip6-allrouters', 'ip6-allhosts', '0.0.0.0',
]);
const HOSTS_ADDRESS_RE = /^(?:0\.0\.0\.0|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|0|::1?|fe80::1%lo0|ff0[0-2]::[0-3])$/i;

/** Whether an entry (comment stripped) reads as a hosts-file line: a blocking address, white space, a name. */
export function looksLikeHostsEntry(entry: string): boolean {
  const space = entry.search(/\s/);
  return space > 0 && HOSTS_ADDRESS_RE.test(entry.slice(0, space));
}

/**
 * One hosts-file entry (comment already stripped): `ADDRESS name [name…]`.
 * Returns the canonical names (an empty array for a line that only names
 * the machine itself, such as `127.0.0.1 localhost`). A line with a single
 * field is read as a bare host name, as lists that call themselves hosts
 * files often mix the two.
 */
export function parseHostsEntry(entry: string): string[] | InvalidEntry {
  const fields = entry.split(/\s+/);
  if (fields.length === 1) {
    const host = parseHost(fields[0]!);
    return host instanceof Invalid ? host : HOSTS_FILE_NAMES.has(host) ? [] : [host];
  }
  if (!HOSTS_ADDRESS_RE.test(fields[0]!)) {
    return new Invalid(`hosts line ${quoted(entry)}: expected a blocking address (0.0.0.0 or 127.0.0.1) then host names`);
  }
  const hosts: string[] = [];
  for (let i = 1; i < fields.length; i++) {
    const host = parseHost(fields[i]!);
    if (host instanceof Invalid) return host;
    if (!HOSTS_FILE_NAMES.has(host)) hosts.push(host);
  }
  return hosts;
}

/** Splits `host[:port]` (or `[v6]:port`) and drops the port. */
function dropPort(authority: string): string | Invalid {
  const close = authority.startsWith('[') ? authority.indexOf(']') : -1;
  const colon = authority.indexOf(':', close + 1);
  if (colon === -1) return authority;
  if (!/^\d{1,5}$/.test(authority.slice(colon + 1))) return new Invalid(`invalid port in URL entry ${quoted(authority)}`);
  return authority.slice(0, colon);
}

/** A parsed `urls` entry, plus `text`: the form the importer writes back, which parses to the same rule. */
export interface UrlEntry {
  /** Canonical host, leading `www.` dropped. */
  readonly host: string;
  readonly pathPrefix: string;
  /** `host` + `pathPrefix`, as RuleMatch shows it. */
  readonly entry: string;
  /**
   * Canonical host (with any `www.`) + the path and query as written (non-ASCII
   * percent-encoded): unlike `entry`, which is decoded, it reads back as
   * exactly this rule.
   */
  readonly text: string;
}

/** One `urls` line (comment already stripped), or why it is not an entry. */
export function parseUrlEntry(raw: string): UrlEntry | InvalidEntry {
  if (WHITESPACE_RE.test(raw)) return new Invalid(`${quoted(raw)}: one entry per line`);
  const text = raw.replace(SCHEME_RE, '');
  let split = text.search(/[/?#]/);
  if (split === -1) split = text.length;
  const authority = text.slice(0, split);
  if (authority.includes('@')) return new Invalid(`URL entry ${quoted(raw)} must not carry a user name`);
  const hostPart = dropPort(authority);
  if (hostPart instanceof Invalid) return hostPart;
  const host = parseHost(hostPart);
  if (host instanceof Invalid) return new Invalid(`invalid host in URL entry ${quoted(raw)}`);
  const bare = isIpLiteral(host) ? host : stripWww(host);
  const fragment = text.indexOf('#', split);
  const rest = text.slice(split, fragment === -1 ? text.length : fragment);
  let pathPrefix = '';
  if (rest.length > 0) {
    try {
      pathPrefix = normaliseUrl(`http://${bare}${rest}`).matchPath;
    } catch {
      return new Invalid(`invalid path in URL entry ${quoted(raw)}`);
    }
    // `/` alone covers every path: the entry is the whole site, CONNECT included.
    if (pathPrefix === '/') pathPrefix = '';
  }
  // Non-ASCII in the path is written percent-encoded (it reads back the same), so imported files stay ASCII.
  const asciiRest = rest.replace(/[^\x00-\x7f]+/g, (run) => encodeURIComponent(run));
  return { host: bare, pathPrefix, entry: bare + pathPrefix, text: pathPrefix === '' ? host : host + asciiRest };
}

/** `urls`: URL prefixes; entries with no path come back with pathPrefix "". */
export function parseUrlList(text: string, file: string): ParsedList<UrlRule> {
  return parseLines(text, file, (entry, line) => {
    const parsed = parseUrlEntry(entry);
    return parsed instanceof Invalid ? parsed : { host: parsed.host, pathPrefix: parsed.pathPrefix, entry: parsed.entry, file, line };
  });
}

const SEPARATOR_RE = /[\s-]+/;

/** Validated words of a keyword line (lower case), or why it is not one. */
function parseKeywordEntry(raw: string): Omit<KeywordRule, 'file' | 'line'> | Invalid {
  let text = raw.toLowerCase();
  const prefix = text.endsWith('*');
  if (prefix) text = text.slice(0, -1);
  for (const ch of text) {
    if (ch === '*') return new Invalid(`keyword ${quoted(raw)}: '*' is allowed only at the end`);
    const ok = ch === ' ' || ch === '\t' || ch === '-' || ch === "'" || (ch.length === 1 && isWordCode(ch.charCodeAt(0)));
    if (!ok) return new Invalid(`keyword ${quoted(raw)}: character ${quoted(ch)} not allowed (letters, digits, spaces, hyphens, apostrophes)`);
  }
  if (prefix && !isWordCode(text.charCodeAt(text.length - 1))) return new Invalid(`keyword ${quoted(raw)}: '*' must end a word`);
  const words = text.split(SEPARATOR_RE).filter((w) => w.length > 0);
  if (words.length === 0) return new Invalid(`keyword ${quoted(raw)} has no word in it`);
  for (const word of words) {
    if (word.startsWith("'") || word.endsWith("'") || word.includes("''")) {
      return new Invalid(`keyword ${quoted(raw)}: an apostrophe must sit inside a word`);
    }
  }
  return { words, prefix, entry: text.trim().replace(/\s+/g, ' ') + (prefix ? '*' : '') };
}

/** `keywords`: whole words, phrases and `word*` prefixes. */
export function parseKeywordList(text: string, file: string): ParsedList<KeywordRule> {
  return parseLines(text, file, (entry, line) => {
    const parsed = parseKeywordEntry(entry);
    return parsed instanceof Invalid ? parsed : { ...parsed, file, line };
  });
}

/** `_exceptions/keywords`: single words (lower-cased) that no keyword may match. */
export function parseExceptionList(text: string, file: string): ParsedList<string> {
  return parseLines(text, file, (entry) => {
    const parsed = parseKeywordEntry(entry);
    if (parsed instanceof Invalid) return parsed;
    if (parsed.prefix || parsed.words.length !== 1) return new Invalid(`exception ${quoted(entry)} must be one word, without '*'`);
    return parsed.words[0]!;
  });
}

/** Parses a `domains`, `urls` or `keywords` file by kind. */
export function parseListFile(kind: 'domains', text: string, file: string): ParsedList<DomainRule>;
export function parseListFile(kind: 'urls', text: string, file: string): ParsedList<UrlRule>;
export function parseListFile(kind: 'keywords', text: string, file: string): ParsedList<KeywordRule>;
export function parseListFile(kind: ListFileKind, text: string, file: string): ParsedList<DomainRule | UrlRule | KeywordRule> {
  switch (kind) {
    case 'domains':
      return parseDomainList(text, file);
    case 'urls':
      return parseUrlList(text, file);
    case 'keywords':
      return parseKeywordList(text, file);
  }
}
