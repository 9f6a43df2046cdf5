/**
 * Header hygiene for a forward proxy (RFC 9110 §7.6.1): hop-by-hop headers,
 * and any header a `Connection` header names, stop at the proxy; a `Via` line
 * is added each way; the member's proxy credentials never travel upstream.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** Always hop-by-hop. `expect` is answered by wardgate itself (100-continue after the decision). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'http2-settings',
]);

export const VIA_TOKEN = '1.1 wardgate';

function connectionTokens(value: string | string[] | undefined): Set<string> | null {
  if (value === undefined) return null;
  const text = Array.isArray(value) ? value.join(',') : value;
  const tokens = new Set<string>();
  for (const part of text.split(',')) {
    const token = part.trim().toLowerCase();
    if (token !== '') tokens.add(token);
  }
  return tokens;
}

function appendVia(existing: string | string[] | number | undefined): string {
  if (existing === undefined) return VIA_TOKEN;
  const text = Array.isArray(existing) ? existing.join(', ') : String(existing);
  return `${text}, ${VIA_TOKEN}`;
}

/**
 * End-to-end headers of a client request for upstream. With `keep` (e.g.
 * `['connection', 'upgrade']` for a WebSocket handshake) those hop-by-hop
 * headers survive, since the upgrade must reach the origin.
 */
export function requestHeadersForUpstream(
  headers: IncomingHttpHeaders,
  keep: readonly string[] = [],
): Record<string, string | string[]> {
  const named = connectionTokens(headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if ((HOP_BY_HOP.has(name) || named?.has(name)) && !keep.includes(name)) continue;
    out[name] = value;
  }
  out.via = appendVia(headers.via);
  return out;
}

/** End-to-end headers of an upstream response for the client. */
export function responseHeadersForClient(headers: Record<string, string | string[] | undefined>): OutgoingHttpHeaders {
  const named = connectionTokens(headers.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || named?.has(name)) continue;
    out[name] = value;
  }
  out.via = appendVia(headers.via);
  return out;
}

/** Serialises a request head for raw sockets (WebSocket handshake, CONNECT to a parent). */
export function serialiseRequestHead(method: string, path: string, headers: Record<string, string | string[]>): string {
  let head = `${method} ${path} HTTP/1.1\r\n`;
  for (const name in headers) {
    const value = headers[name]!;
    if (Array.isArray(value)) for (const v of value) head += `${name}: ${v}\r\n`;
    else head += `${name}: ${value}\r\n`;
  }
  return `${head}\r\n`;
}
