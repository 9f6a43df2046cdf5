/**
 * Answers written straight onto a socket, for CONNECT and Upgrade requests
 * where node:http has handed us the raw connection and there is no
 * ServerResponse. Always closes the connection afterwards.
 */
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import { VIA_TOKEN } from './headers.ts';

export function writeRawResponse(socket: Duplex, status: number, headers: Record<string, string>, body: string): number {
  if (socket.destroyed || !socket.writable) return 0;
  const payload = Buffer.from(body, 'utf8');
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n`;
  const all: Record<string, string> = {
    'content-type': 'text/html; charset=utf-8',
    'content-length': String(payload.length),
    'cache-control': 'no-store',
    via: VIA_TOKEN,
    connection: 'close',
    ...headers,
  };
  for (const [name, value] of Object.entries(all)) head += `${name}: ${value}\r\n`;
  socket.end(Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), payload]));
  return payload.length;
}
