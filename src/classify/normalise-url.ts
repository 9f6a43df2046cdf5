/**
 * normalise-url: every spelling of a destination → one canonical Target.
 *
 * Two layers with one contract. normalise-url-fast.ts scans the common case
 * (plain ASCII host, decimal port, a path WHATWG would leave alone) with
 * charCodeAt and slices; everything else — IDN, percent-escapes or odd
 * punctuation in the host, every non-canonical IPv4 spelling, IPv6, userinfo,
 * dot segments, bytes WHATWG would encode — and every error goes to the
 * WHATWG-based reference in normalise-url-reference.ts, which does the
 * security-relevant parts the same way browsers do. On top of WHATWG both add
 * what a filter needs: trailing dots dropped, IPv4-mapped IPv6 → dotted quad,
 * default ports dropped, userinfo ignored, and a once-decoded, lower-cased
 * `matchPath` for list and keyword matching.
 *
 * The fast path produces exactly the reference's Target for every input it
 * accepts, and accepts nothing the reference rejects: a seeded fuzz test
 * (test/classify/normalise-url-invariant.test.ts) holds the two together.
 * Measured on the project's 2-core machines (bench/classify/normalise-url.bench.ts,
 * median ns/op, Node 20): a plain URL 185 ns against 737 ns for the reference
 * alone (bare `new URL` is 267 ns), a CONNECT authority 87 ns against 725, a
 * list-entry host 65 ns against 536 with no allocation; inputs that fall back
 * (IDN, other IPv4 spellings) pay about 5–10% for the failed scan.
 *
 * Pure: no I/O, no DNS.
 */
import type { Target } from './target.ts';
import { fastCanonicalHost, fastNormaliseAuthority, fastNormaliseUrl } from './normalise-url-fast.ts';
import { referenceCanonicalHost, referenceNormaliseAuthority, referenceNormaliseUrl } from './normalise-url-reference.ts';

export { decodeOnce } from './normalise-url-reference.ts';
export { isIpLiteral } from './normalise-url-fast.ts';

/**
 * Absolute-form request target (`http://host/path`), as sent to a forward
 * proxy, or a WebSocket URL. With `assumeHttp`, a bare `host/path` (as typed
 * on the `classify` command line or found in a URL list) is read as http.
 * Throws WF_ERR_BAD_TARGET (httpStatus 400) for anything else.
 */
export function normaliseUrl(raw: string, options?: { assumeHttp?: boolean }): Target {
  const assumeHttp = options !== undefined && options.assumeHttp === true;
  return fastNormaliseUrl(raw, assumeHttp) ?? referenceNormaliseUrl(raw, { assumeHttp });
}

/**
 * CONNECT target (`host:port`, port required, nothing else). The tunnel's
 * contents are opaque, so the Target has no path. Throws WF_ERR_BAD_TARGET.
 */
export function normaliseAuthority(raw: string): Target {
  return fastNormaliseAuthority(raw) ?? referenceNormaliseAuthority(raw);
}

/**
 * Canonical form of a host name from a list file or the command line, or null
 * when it is not a valid host. Same rules as request targets, so a list entry
 * and a request for the same host always meet.
 */
export function canonicalHost(raw: string): string | null {
  const fast = fastCanonicalHost(raw);
  return fast !== undefined ? fast : referenceCanonicalHost(raw);
}
