/**
 * A local origin server on 127.0.0.1 for proxy tests. Records every request it
 * receives (so tests can prove a blocked request never reached it) and serves:
 *   /small            1 KiB body
 *   /echo             echoes method, url, headers and body as JSON
 *   /bytes?n=N        N bytes streamed in 64 KiB chunks
 *   /chunked          a chunked body in three parts
 *   /status?code=N    empty response with that status
 *   /slow?ms=N        1 KiB body after N milliseconds
 *   /hang             accepts and never answers
 *   /ws               WebSocket echo (ws library)
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { once } from 'node:events';
import { WebSocketServer } from 'ws';

export interface OriginHit {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
}

export interface Origin {
  readonly port: number;
  readonly hits: OriginHit[];
  readonly server: Server;
  close(): Promise<void>;
}

const SMALL = Buffer.alloc(1024, 'a');
const CHUNK = Buffer.alloc(64 * 1024, 'b');

export async function startOrigin(): Promise<Origin> {
  const hits: OriginHit[] = [];
  const hanging = new Set<IncomingMessage>();
  const server = createServer(async (req, res) => {
    hits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const url = new URL(req.url ?? '/', 'http://origin');
    switch (url.pathname) {
      case '/small':
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': SMALL.length });
        res.end(req.method === 'HEAD' ? undefined : SMALL);
        return;
      case '/echo': {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const body = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'content-type': 'application/json', 'x-origin': 'yes', connection: 'keep-alive, x-drop-me', 'x-drop-me': 'secret' });
        res.end(body);
        return;
      }
      case '/bytes': {
        let left = Number(url.searchParams.get('n') ?? '0');
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': left });
        while (left > 0) {
          const part = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
          left -= part.length;
          if (!res.write(part)) await once(res, 'drain');
        }
        res.end();
        return;
      }
      case '/chunked':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('one,');
        res.write('two,');
        res.end('three');
        return;
      case '/status':
        res.writeHead(Number(url.searchParams.get('code') ?? '204'));
        res.end();
        return;
      case '/slow':
        setTimeout(() => {
          res.writeHead(200, { 'content-length': SMALL.length });
          res.end(SMALL);
        }, Number(url.searchParams.get('ms') ?? '100'));
        return;
      case '/hang':
        hanging.add(req);
        return;
      default:
        res.writeHead(404);
        res.end('not found');
    }
  });
  const wss = new WebSocketServer({ server, path: '/ws' });
  wss.on('connection', (socket, req) => {
    hits.push({ method: 'WS', url: req.url ?? '', headers: req.headers });
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  return {
    port,
    hits,
    server,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
