/**
 * normalise-url-reference: the WHATWG-based slow path, and the reference the
 * fast path (normalise-url-fast.ts) is fuzzed against.
 *
 * Built on the WHATWG URL parser (node's `URL`), which already does the hard,
 * security-relevant parts the same way browsers do: lower-casing, IDN → punycode
 * (UTS #46), percent-decoding of host names, every IPv4 spelling (decimal
 * `2130706433`, hex `0x7f.1`, octal `0177.0.0.1`, short forms) → dotted quad,
 * and dot-segment removal in paths. On top of it we add what a filter needs and
 * a browser does not: trailing dots dropped, IPv4-mapped IPv6 → dotted quad,
 * default ports dropped, userinfo ignored, and a once-decoded, lower-cased
 * `matchPath` for list and keyword matching.
 *
 * Every input the fast path does not recognise as plain comes here, so this is
 * production code, not only a test oracle: it owns every error message.
 * Pure: no I/O, no DNS.
 */
import { WfError } from '../errors.ts';
import type { Target, TargetScheme } from './target.ts';

export const DEFAULT_PORTS: Readonly<Record<TargetScheme, number>> = { http: 80, https: 443, ws: 80, wss: 443 };

const SCHEME_RE = /^(https?|wss?):\/\//i;
const MAPPED_V4_HEX_RE = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/;
const DOTTED_QUAD_RE = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** Longest host name DNS allows (RFC 1035), after punycode. */
export const MAX_HOST_LENGTH = 253;

function badTarget(raw: string, why: string): WfError {
  const shown = raw.length > 200 ? `${raw.slice(0, 200)}…` : raw;
  return new WfError('WF_ERR_BAD_TARGET', `invalid request target "${shown}": ${why}`, { httpStatus: 400 });
}

/**
 * Canonical host from a WHATWG `hostname`: trailing dots dropped and
 * IPv4-mapped IPv6 turned into the dotted quad it stands for. Returns null
 * for an empty host.
 */
function finishHost(hostname: string): string | null {
  let end = hostname.length;
  while (end > 0 && hostname.charCodeAt(end - 1) === 46 /* . */) end--;
  const host = end === hostname.length ? hostname : hostname.slice(0, end);
  if (host.length === 0 || host.length > MAX_HOST_LENGTH) return null;
  const mapped = MAPPED_V4_HEX_RE.exec(host);
  if (mapped !== null) {
    const hi = parseInt(mapped[1]!, 16);
    const lo = parseInt(mapped[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return host;
}

/** Regex form of `isIpLiteral` (normalise-url.ts has the charCode one). */
export function referenceIsIpLiteral(host: string): boolean {
  return host.charCodeAt(0) === 91 /* [ */ || DOTTED_QUAD_RE.test(host);
}

/**
 * Decodes %XX escapes once, tolerating malformed ones (left as they are) and
 * decoding UTF-8 byte sequences; invalid UTF-8 becomes U+FFFD rather than an
 * exception, so a hostile path can never make classification throw.
 */
export function decodeOnce(text: string): string {
  if (text.indexOf('%') === -1) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    const bytes: number[] = [];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 37 && i + 2 < text.length + 0 && isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2))) {
        bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
        i += 2;
      } else if (c < 128) {
        bytes.push(c);
      } else {
        // Non-ASCII characters pass through as their own UTF-8 bytes.
        const cp = text.codePointAt(i)!;
        if (cp > 0xffff) i++;
        for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) bytes.push(b);
      }
    }
    return Buffer.from(bytes).toString('utf8');
  }
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function buildTarget(scheme: TargetScheme, hostname: string, port: string, path: string, raw: string): Target {
  const host = finishHost(hostname);
  if (host === null) throw badTarget(raw, 'no host name');
  const defaultPort = DEFAULT_PORTS[scheme];
  const effectivePort = port === '' ? defaultPort : Number(port);
  if (!Number.isInteger(effectivePort) || effectivePort < 1 || effectivePort > 65535) throw badTarget(raw, 'port out of range');
  const authority = effectivePort === defaultPort ? host : `${host}:${effectivePort}`;
  return {
    scheme,
    host,
    port: effectivePort,
    authority,
    isIp: referenceIsIpLiteral(host),
    path,
    matchPath: path === '' ? '' : decodeOnce(path).toLowerCase(),
    url: `${scheme}://${authority}${path}`,
  };
}

function parseWhatwg(text: string, raw: string): URL {
  try {
    return new URL(text);
  } catch {
    throw badTarget(raw, 'not a valid URL');
  }
}

/** WHATWG-based `normaliseUrl` (see normalise-url.ts for the contract). */
export function referenceNormaliseUrl(raw: string, options: { assumeHttp?: boolean } = {}): Target {
  let text = raw.trim();
  const scheme = SCHEME_RE.exec(text);
  if (scheme === null) {
    if (!options.assumeHttp || text.includes('://')) throw badTarget(raw, 'scheme must be http, https, ws or wss');
    text = `http://${text}`;
  }
  const url = parseWhatwg(text, raw);
  const schemeName = url.protocol.slice(0, -1) as TargetScheme;
  return buildTarget(schemeName, url.hostname, url.port, url.pathname + url.search, raw);
}

/** WHATWG-based `normaliseAuthority` (see normalise-url.ts for the contract). */
export function referenceNormaliseAuthority(raw: string): Target {
  const text = raw.trim();
  if (text.length === 0 || /[/?#@\s\\]/.test(text)) throw badTarget(raw, 'CONNECT needs host:port');
  const colon = text.lastIndexOf(':');
  if (colon <= 0 || colon === text.length - 1 || text.endsWith(']')) throw badTarget(raw, 'CONNECT needs host:port');
  const portText = text.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText)) throw badTarget(raw, 'port must be a number');
  const url = parseWhatwg(`https://${text.slice(0, colon)}`, raw);
  // WHATWG drops the port when it is the scheme default; we keep the one asked for.
  return buildTarget('https', url.hostname, portText === '443' ? '' : String(Number(portText)), '', raw);
}

/** WHATWG-based `canonicalHost` (see normalise-url.ts for the contract). */
export function referenceCanonicalHost(raw: string): string | null {
  const text = raw.trim();
  if (text.length === 0 || /[/?#@:\s\\%]/.test(text.replace(/^\[[0-9a-f:.]+\]$/i, 'ip6'))) return null;
  try {
    return finishHost(new URL(`http://${text}/`).hostname);
  } catch {
    return null;
  }
}
