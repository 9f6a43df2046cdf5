/**
 * A minimal parent (upstream) proxy on 127.0.0.1, standing in for a council's
 * upstream proxy: forwards absolute-form requests and opens CONNECT tunnels,
 * sending every connection to 127.0.0.1:`originPort` whatever host was named
 * (so tests never touch the internet), and records what it was asked for.
 */
import { createServer, request, type Server } from 'node:http';
import { connect } from 'node:net';
import { once } from 'node:events';

export interface ParentProxy {
  readonly port: number;
  readonly requests: string[];
  readonly server: Server;
  close(): Promise<void>;
}

export async function startParentProxy(originPort: number): Promise<ParentProxy> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    const upstream = request(
      { host: '127.0.0.1', port: originPort, method: req.method, path: target.pathname + target.search, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req, socket, head) => {
    requests.push(`CONNECT ${req.url}`);
    const upstream = connect(originPort, '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as { port: number }).port,
    requests,
    server,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
