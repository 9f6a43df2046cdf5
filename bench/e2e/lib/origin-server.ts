/**
 * The benchmark origin, run as its own process so the load generator (the
 * bench runner) and the origin do not share one event loop:
 *
 *   node --import tsx bench/e2e/lib/origin-server.ts CERT.pem KEY.pem
 *
 * Listens on 127.0.0.1 (ports chosen by the OS) for HTTP and HTTPS with the
 * same routes, prints one JSON line `{"http":PORT,"https":PORT}` on stdout
 * when ready, and exits on SIGTERM or when stdin closes (so it never outlives
 * the runner). Routes:
 *   /small        1 KiB text
 *   /page         60 KiB HTML
 *   /bytes?n=N    N bytes streamed in 64 KiB chunks (backpressure honoured)
 *   /ws           WebSocket echo (HTTP only)
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

const SMALL = Buffer.alloc(1024, 'a');
const PAGE = (() => {
  const para = '<p>The council meets on the first Tuesday of each month; agendas, minutes and reports are published here.</p>\n';
  let html = '<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Committee papers</title></head><body>\n';
  while (html.length + para.length < 60 * 1024 - 16) html += para;
  html += '</body></html>\n';
  return Buffer.from(html.padEnd(60 * 1024, ' '));
})();
const CHUNK = Buffer.alloc(64 * 1024, 'b');

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  switch (path) {
    case '/small':
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': SMALL.length });
      res.end(SMALL);
      return;
    case '/page':
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': PAGE.length });
      res.end(PAGE);
      return;
    case '/bytes': {
      let left = Number(new URLSearchParams(url.slice(q + 1)).get('n') ?? '0');
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': left });
      // One 'close' listener for the whole body: a fresh once(res, 'close') per chunk would pile up listeners.
      let closed = false;
      res.once('close', () => {
        closed = true;
        res.emit('drain');
      });
      while (left > 0 && !closed) {
        const part = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
        left -= part.length;
        if (!res.write(part)) await new Promise((r) => res.once('drain', r));
      }
      res.end();
      return;
    }
    default:
      res.writeHead(404, { 'content-length': 0 });
      res.end();
  }
}

const [certFile, keyFile] = process.argv.slice(2);
if (certFile === undefined || keyFile === undefined) {
  process.stderr.write('usage: origin-server.ts CERT.pem KEY.pem\n');
  process.exit(2);
}
const onRequest = (req: IncomingMessage, res: ServerResponse) => void handle(req, res);
const http = createHttpServer({ keepAliveTimeout: 60_000 }, onRequest);
const https = createHttpsServer({ cert: readFileSync(certFile), key: readFileSync(keyFile), keepAliveTimeout: 60_000 }, onRequest);
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
http.on('upgrade', (req, socket, head) => {
  if (req.url !== '/ws') return socket.destroy();
  wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
});
http.listen(0, '127.0.0.1');
https.listen(0, '127.0.0.1');
await Promise.all([once(http, 'listening'), once(https, 'listening')]);
process.stdout.write(`${JSON.stringify({ http: (http.address() as AddressInfo).port, https: (https.address() as AddressInfo).port, pid: process.pid })}\n`);

const stop = () => process.exit(0);
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
