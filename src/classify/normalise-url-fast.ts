/**
 * normalise-url-fast: the charCode-scanning fast path for the canonical-target
 * functions in normalise-url.ts.
 *
 * It accepts only spellings whose canonical form is a plain re-slicing of the
 * input: printable ASCII, host labels of `[A-Za-z0-9_-]` (lower-cased), an
 * optional decimal port, a path and query with no character WHATWG would
 * percent-encode and no dot segment. For every other input it returns "not
 * handled" (null / undefined) and the caller runs the WHATWG reference
 * (normalise-url-reference.ts), which also owns every error: the fast path never
 * throws and never accepts an input the reference rejects.
 *
 * Handed to the reference: non-ASCII, whitespace and control characters (before
 * any `#`), `%` or any other punctuation in the host, `xn--` labels (punycode is
 * validated by UTS #46), a last label starting with a digit unless the host is a
 * canonical dotted quad (every other IPv4 spelling: `2130706433`, `0x7f.1`,
 * `0177.0.0.1`, `127.1`, and names like `a.0x` that WHATWG rejects), empty
 * labels other than trailing dots, IPv6 brackets, userinfo `@`, backslashes,
 * extra slashes after the scheme, ports 0 or above 65535, `.`/`..`/`%2e`
 * segments, and path or query characters WHATWG encodes (`"<>\`{}` and `'` in
 * the query), plus `^` and `|`: Node 20's parser leaves them alone, but the URL
 * standard has been changing its path encode set, so a newer Node may not.
 *
 * test/classify/normalise-url-invariant.test.ts fuzzes this against the
 * reference (deep-equal, or both reject). Pure and synchronous.
 */
import type { Target, TargetScheme } from './target.ts';
import { DEFAULT_PORTS, MAX_HOST_LENGTH, decodeOnce } from './normalise-url-reference.ts';

const CH_DOT = 46;
const CH_COLON = 58;
const CH_SLASH = 47;
const CH_QUERY = 63;
const CH_HASH = 35;
const CH_PERCENT = 37;

/**
 * Character classes, indexed by char code < 128; 0 = not handled here. The
 * hot loops test `kind === K_PLAIN` first, so an ordinary character costs one
 * load and one branch.
 */
const K_PLAIN = 1;
const K_UPPER = 2;
const K_DOT = 3; // host tables
const K_STOP = 4; // host: `: / ? #` end the host
const K_PERCENT = 3; // path tables
const K_SLASH = 4; // path: segment boundary

/** Host: `[a-z0-9_-]` plain, `[A-Z]` upper, `.`, and the characters that end a host. */
const HOST_CHAR = new Uint8Array(128);
/** Path: printable ASCII WHATWG leaves alone, `/`; `?` and `#` (0) end the loop. */
const PATH_CHAR = new Uint8Array(128);
/** Query: as path, less `'` (WHATWG encodes it in special-scheme queries); `/` and `?` are plain. */
const QUERY_CHAR = new Uint8Array(128);

for (let c = 0; c < 128; c++) {
  const lower = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 /* - */ || c === 95; /* _ */
  const upper = c >= 65 && c <= 90;
  const stop = c === CH_COLON || c === CH_SLASH || c === CH_QUERY || c === CH_HASH;
  HOST_CHAR[c] = lower ? K_PLAIN : upper ? K_UPPER : c === CH_DOT ? K_DOT : stop ? K_STOP : 0;
  const printable = c > 0x20 && c < 0x7f && c !== CH_QUERY && c !== CH_HASH && '"<>\\^`{|}'.indexOf(String.fromCharCode(c)) === -1;
  const pathKind = !printable ? 0 : upper ? K_UPPER : c === CH_PERCENT ? K_PERCENT : K_PLAIN;
  PATH_CHAR[c] = c === CH_SLASH ? K_SLASH : pathKind;
  QUERY_CHAR[c] = c === 39 /* ' */ ? 0 : c === CH_QUERY ? K_PLAIN : pathKind;
}

// Results of the last scanHost / scanPath, kept in module scope so a scan can
// return its end index without allocating a result object. Safe because the
// scans are synchronous and their callers read these right after.
let hostEnd = 0; // end of the host without its trailing dots
let hostUpper = false;
let hostIsIp = false;
let pathEnd = 0; // end of path + query, without an empty `?` and the fragment
let pathUpper = false;
let pathPercent = false;
let portValue = 0; // from scanPort: 0 when none was given

/**
 * Scans a host from `start` to the first `: / ? #` or the end of `text`.
 * Returns that index, or -1 when the host is not one the fast path handles.
 */
function scanHost(text: string, start: number): number {
  const len = text.length;
  let upper = false;
  let lastLabelStart = -1; // start of the last non-empty label
  let firstEmpty = -1; // the `.` that closes the first empty label
  let i = start;
  for (;;) {
    const labelStart = i;
    let kind = 0;
    for (; i < len; i++) {
      const c = text.charCodeAt(i);
      kind = c < 128 ? HOST_CHAR[c]! : 0;
      if (kind === K_PLAIN) continue;
      if (kind !== K_UPPER) break;
      upper = true;
    }
    if (i > labelStart) {
      lastLabelStart = labelStart;
      if (isXnLabel(text, labelStart)) return -1;
    } else if (kind === K_DOT && firstEmpty < 0) {
      firstEmpty = i;
    }
    if (i === len || kind === K_STOP) break;
    if (kind !== K_DOT) return -1;
    i++;
  }
  let end = i;
  while (end > start && text.charCodeAt(end - 1) === CH_DOT) end--;
  if (end === start || end - start > MAX_HOST_LENGTH) return -1;
  if (firstEmpty >= 0 && firstEmpty < end) return -1; // `.a`, `a..b`: only trailing dots are dropped here
  const first = text.charCodeAt(lastLabelStart);
  hostIsIp = first >= 48 && first <= 57;
  // A last label starting with a digit makes WHATWG try the host as IPv4 (or
  // reject it, as `a.0x`); only the canonical dotted quad comes out unchanged.
  // With trailing dots WHATWG reads `1.2.3.4.` as IPv4 but `1.2.3.4..` as a
  // name: same Target in the end, but left to the reference rather than relied on.
  if (hostIsIp && (end !== i || !isCanonicalDottedQuad(text, start, end))) return -1;
  hostEnd = end;
  hostUpper = upper;
  return i;
}

/** `xn--` (any case) at `i`: punycode, which UTS #46 validates. */
function isXnLabel(text: string, i: number): boolean {
  return (
    (text.charCodeAt(i) | 0x20) === 120 /* x */ &&
    (text.charCodeAt(i + 1) | 0x20) === 110 /* n */ &&
    text.charCodeAt(i + 2) === 45 &&
    text.charCodeAt(i + 3) === 45
  );
}

/** `a.b.c.d`, each 0–255 in decimal without leading zeros (which WHATWG reads as octal). */
function isCanonicalDottedQuad(text: string, start: number, end: number): boolean {
  let parts = 0;
  let value = 0;
  let digits = 0;
  for (let i = start; i <= end; i++) {
    const c = i === end ? CH_DOT : text.charCodeAt(i);
    if (c === CH_DOT) {
      if (digits === 0 || value > 255) return false;
      parts++;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits === 1 && value === 0) return false;
      value = value * 10 + (c - 48);
      if (++digits > 3) return false;
    } else {
      return false;
    }
  }
  return parts === 4;
}

function isPercent2e(text: string, i: number): boolean {
  return text.charCodeAt(i) === CH_PERCENT && text.charCodeAt(i + 1) === 50 /* 2 */ && (text.charCodeAt(i + 2) | 0x20) === 101; /* e */
}

/** WHATWG's single- and double-dot segments: `.`, `..`, and any spelling with `%2e`. */
function isDotSegment(text: string, start: number, end: number): boolean {
  switch (end - start) {
    case 1:
      return text.charCodeAt(start) === CH_DOT;
    case 2:
      return text.charCodeAt(start) === CH_DOT && text.charCodeAt(start + 1) === CH_DOT;
    case 3:
      return isPercent2e(text, start);
    case 4:
      return (
        (text.charCodeAt(start) === CH_DOT && isPercent2e(text, start + 1)) ||
        (isPercent2e(text, start) && text.charCodeAt(start + 3) === CH_DOT)
      );
    case 6:
      return isPercent2e(text, start) && isPercent2e(text, start + 3);
    default:
      return false;
  }
}

/**
 * Scans path and query from `start` (just after the authority). Returns false
 * when they are not plain; otherwise sets pathEnd, pathUpper, pathPercent.
 */
function scanPath(text: string, start: number): boolean {
  const len = text.length;
  let upper = false;
  let percent = false;
  let i = start;
  if (i < len && text.charCodeAt(i) === CH_SLASH) {
    let segmentStart = ++i;
    let kind = 0;
    for (; i < len; i++) {
      const c = text.charCodeAt(i);
      kind = c < 128 ? PATH_CHAR[c]! : 0;
      if (kind === K_PLAIN) continue;
      if (kind === K_UPPER) upper = true;
      else if (kind === K_PERCENT) percent = true;
      else if (kind === K_SLASH) {
        if (isDotSegment(text, segmentStart, i)) return false;
        segmentStart = i + 1;
      } else break;
    }
    if (i < len && text.charCodeAt(i) !== CH_QUERY && text.charCodeAt(i) !== CH_HASH) return false;
    if (isDotSegment(text, segmentStart, i)) return false;
  }
  let end = i;
  if (i < len && text.charCodeAt(i) === CH_QUERY) {
    for (i++; i < len; i++) {
      const c = text.charCodeAt(i);
      const kind = c < 128 ? QUERY_CHAR[c]! : 0;
      if (kind === K_PLAIN) continue;
      if (kind === K_UPPER) upper = true;
      else if (kind === K_PERCENT) percent = true;
      else if (c === CH_HASH) break;
      else return false;
    }
    // WHATWG serialises an empty query (`/x?`) as no query at all.
    if (i - end > 1) end = i;
  }
  pathEnd = end;
  pathUpper = upper;
  pathPercent = percent;
  return true;
}

/** Length of a leading `http://`, `https://`, `ws://` or `wss://` (any case), or 0. */
function schemeLength(text: string): number {
  const c0 = text.charCodeAt(0) | 0x20;
  let i: number;
  if (c0 === 104 /* h */) {
    if ((text.charCodeAt(1) | 0x20) !== 116 || (text.charCodeAt(2) | 0x20) !== 116 || (text.charCodeAt(3) | 0x20) !== 112) return 0;
    i = 4;
  } else if (c0 === 119 /* w */) {
    if ((text.charCodeAt(1) | 0x20) !== 115) return 0;
    i = 2;
  } else {
    return 0;
  }
  if ((text.charCodeAt(i) | 0x20) === 115 /* s */) i++; // https, wss
  if (text.charCodeAt(i) !== CH_COLON || text.charCodeAt(i + 1) !== CH_SLASH || text.charCodeAt(i + 2) !== CH_SLASH) return 0;
  return i;
}

const SCHEME_BY_LENGTH: readonly (TargetScheme | undefined)[] = [undefined, undefined, 'ws', 'wss', 'http', 'https'];

function hostText(text: string, start: number): string {
  const host = text.slice(start, hostEnd);
  return hostUpper ? host.toLowerCase() : host;
}

/**
 * Scans an optional `:port` at `start` (where the host stopped). Returns where
 * the path starts, or -1; sets portValue (0 when no digits were given).
 */
function scanPort(text: string, start: number): number {
  portValue = 0;
  if (start >= text.length || text.charCodeAt(start) !== CH_COLON) return start;
  let value = 0;
  let i = start + 1;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === CH_SLASH || c === CH_QUERY || c === CH_HASH) break;
    if (c < 48 || c > 57) return -1;
    value = value * 10 + (c - 48);
    if (value > 65535) return -1;
  }
  // `:` alone means the default port; `:0` is an error, left to the reference.
  if (i > start + 1 && value === 0) return -1;
  portValue = value;
  return i;
}

/** Fast `normaliseUrl`, or null when the input needs the WHATWG reference. */
export function fastNormaliseUrl(raw: string, assumeHttp: boolean): Target | null {
  const nameLength = schemeLength(raw);
  let scheme = SCHEME_BY_LENGTH[nameLength];
  let hostStart = nameLength + 3;
  if (scheme === undefined) {
    // The reference rejects a scheme-less target containing `://` anywhere.
    if (!assumeHttp || raw.indexOf('://') !== -1) return null;
    scheme = 'http';
    hostStart = 0;
  }
  const hostStop = scanHost(raw, hostStart);
  if (hostStop < 0) return null;
  const pathStart = scanPort(raw, hostStop);
  if (pathStart < 0 || !scanPath(raw, pathStart)) return null;
  const host = hostText(raw, hostStart);
  const defaultPort = DEFAULT_PORTS[scheme];
  const port = portValue === 0 ? defaultPort : portValue;
  let path = pathStart === pathEnd ? '/' : raw.slice(pathStart, pathEnd);
  if (path.charCodeAt(0) !== CH_SLASH) path = `/${path}`;
  const matchPath = pathPercent ? decodeOnce(path).toLowerCase() : pathUpper ? path.toLowerCase() : path;
  const authority = port === defaultPort ? host : `${host}:${port}`;
  // Already canonical (lower-case scheme and host, no trailing dot, no port, a
  // path, no empty query or fragment): the input is the url, no concatenation.
  const canonical =
    pathEnd === raw.length && pathStart === hostStop && hostEnd === hostStop && !hostUpper && hostStart !== 0 &&
    raw.charCodeAt(pathStart) === CH_SLASH && isLowerScheme(raw, nameLength);
  return { scheme, host, port, authority, isIp: hostIsIp, path, matchPath, url: canonical ? raw : `${scheme}://${authority}${path}` };
}

/** The scheme letters are lower-case already (`schemeLength` matched them in any case). */
function isLowerScheme(text: string, length: number): boolean {
  for (let i = 0; i < length; i++) if (text.charCodeAt(i) < 97) return false;
  return true;
}

/** Fast `normaliseAuthority`, or null when the input needs the WHATWG reference. */
export function fastNormaliseAuthority(raw: string): Target | null {
  const colon = scanHost(raw, 0);
  if (colon < 0 || raw.charCodeAt(colon) !== CH_COLON) return null;
  const digits = raw.length - colon - 1;
  if (digits < 1 || digits > 5) return null;
  let port = 0;
  for (let i = colon + 1; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c < 48 || c > 57) return null;
    port = port * 10 + (c - 48);
  }
  if (port === 0 || port > 65535) return null;
  const host = hostText(raw, 0);
  const authority = port === 443 ? host : `${host}:${port}`;
  return { scheme: 'https', host, port, authority, isIp: hostIsIp, path: '', matchPath: '', url: `https://${authority}` };
}

/**
 * Fast `canonicalHost`: a plain host → its canonical form (the input itself
 * when already canonical); undefined when the input needs the WHATWG reference.
 * Never returns null: deciding that an entry is invalid is the reference's job.
 */
export function fastCanonicalHost(raw: string): string | undefined {
  const end = scanHost(raw, 0);
  if (end !== raw.length) return undefined;
  if (!hostUpper && hostEnd === end) return raw;
  return hostText(raw, 0);
}

/**
 * True when host is an IPv4 or IPv6 literal: starts with `[`, or is four dot-separated
 * runs of 1–3 ASCII digits (the reference's `/^\d{1,3}(\.\d{1,3}){3}$/`, without a regex).
 */
export function isIpLiteral(host: string): boolean {
  const len = host.length;
  if (len === 0) return false;
  if (host.charCodeAt(0) === 91 /* [ */) return true;
  let parts = 0;
  let digits = 0;
  for (let i = 0; i <= len; i++) {
    const c = i === len ? CH_DOT : host.charCodeAt(i);
    if (c === CH_DOT) {
      if (digits === 0 || ++parts > 4) return false;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (++digits > 3) return false;
    } else {
      return false;
    }
  }
  return parts === 4;
}
