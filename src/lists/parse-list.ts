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
 * `#` starts a comment at the start of a line or after whitespace (so a URL's
 * `#fragment` is not a comment); blank lines are ignored. A bad line is never
 * fatal: it becomes a diagnostic and is skipped.
 */
import { canonicalHost, isIpLiteral, normaliseUrl } from '../classify/normalise-url.ts';
import { isWordCode } from '../classify/keyword-matcher.ts';
import type { DomainRule, KeywordRule, UrlRule } from '../classify/list-input.ts';
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

export type ListFileKind = 'domains' | 'urls' | 'keywords';

/** Why a line was skipped (kept apart from values, which may be strings). */
class Invalid {
  constructor(readonly message: string) {}
}

const COMMENT_RE = /(?:^|\s)#/;
const SCHEME_RE = /^[a-z][a-z0-9+.-]*:\/\//i;
const WHITESPACE_RE = /\s/;
/** Labels of a canonical (punycoded) host name; underscores occur in real DNS. */
const HOST_RE = /^[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*$/;

function quoted(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

function parseLines<T>(text: string, file: string, parseEntry: (entry: string, line: number) => T | Invalid): ParsedList<T> {
  const entries: T[] = [];
  const diagnostics: ListDiagnostic[] = [];
  // An indexOf walk rather than split('\n'): imported lists run to millions of lines.
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let line = 1; start <= text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    let entry = text.slice(start, end);
    start = end + 1;
    if (entry.indexOf('#') !== -1) {
      const comment = COMMENT_RE.exec(entry);
      if (comment !== null) entry = entry.slice(0, comment.index);
    }
    entry = entry.trim();
    if (entry.length === 0) continue;
    const parsed = parseEntry(entry, line);
    if (parsed instanceof Invalid) diagnostics.push({ file, line, message: parsed.message });
    else entries.push(parsed);
  }
  return { entries, diagnostics };
}

/** Canonical host for a list entry, or why it is not one. */
function parseHost(raw: string): string | Invalid {
  if (raw.startsWith('*.')) return new Invalid(`${quoted(raw)}: no wildcard needed, an entry already covers its subdomains`);
  if (WHITESPACE_RE.test(raw)) return new Invalid(`${quoted(raw)}: one entry per line`);
  const host = canonicalHost(raw.startsWith('.') ? raw.slice(1) : raw);
  if (host === null || !(isIpLiteral(host) || HOST_RE.test(host))) return new Invalid(`invalid host name ${quoted(raw)}`);
  return host;
}

/** `domains`: one host per line. */
export function parseDomainList(text: string, file: string): ParsedList<DomainRule> {
  return parseLines(text, file, (entry, line) => {
    const host = parseHost(entry);
    return host instanceof Invalid ? host : { host, file, line };
  });
}

/** Splits `host[:port]` (or `[v6]:port`) and drops the port. */
function dropPort(authority: string): string | Invalid {
  const close = authority.startsWith('[') ? authority.indexOf(']') : -1;
  const colon = authority.indexOf(':', close + 1);
  if (colon === -1) return authority;
  if (!/^\d{1,5}$/.test(authority.slice(colon + 1))) return new Invalid(`invalid port in URL entry ${quoted(authority)}`);
  return authority.slice(0, colon);
}

function parseUrlEntry(raw: string, file: string, line: number): UrlRule | Invalid {
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
  return { host: bare, pathPrefix, entry: bare + pathPrefix, file, line };
}

/** `urls`: URL prefixes; entries with no path come back with pathPrefix "". */
export function parseUrlList(text: string, file: string): ParsedList<UrlRule> {
  return parseLines(text, file, (entry, line) => parseUrlEntry(entry, file, line));
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
