/**
 * The proxy listener: a node:http server whose 'request', 'checkContinue',
 * 'connect' and 'upgrade' events go to their handlers. No policy here: it
 * owns sockets, limits and shutdown only.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { once } from 'node:events';
import type { HostPort } from '../config/config.ts';
import { handleConnect } from './connect-handler.ts';
import { handleHttpRequest } from './http-handler.ts';
import type { ProxyContext } from './proxy-context.ts';
import { handleUpgrade } from './upgrade-handler.ts';
import { VIA_TOKEN } from './headers.ts';

export interface ProxyServer {
  readonly server: Server;
  /** Resolves with the bound address (port 0 → the port chosen). */
  listen(address: HostPort): Promise<HostPort>;
  /**
   * Stops accepting, lets in-flight requests and tunnels finish for up to
   * `graceMs`, then closes whatever is left. Resolves when all is closed.
   */
  close(graceMs: number): Promise<void>;
}

/** Bytes buffered per client socket before the relay pauses its upstream (see createServer below). */
const RELAY_HIGH_WATER_MARK = 256 * 1024;

const CLIENT_ERROR_STATUS: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
  HPE_HEADERS_TIMEOUT: 408,
};

export function createProxyServer(ctx: ProxyContext): ProxyServer {
  const { limits } = ctx;
  const server = createServer({
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    // A proxied upload or download may legitimately take hours; idle time is bounded per socket instead.
    requestTimeout: 0,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Absolute-form requests name their host; a missing Host header is no reason to refuse (and would hide the 431 check below).
    requireHostHeader: false,
    // Socket buffer limit before write() reports backpressure (node's default is 16 KiB). Every relayed read is up to 64 KiB,
    // so with 16 KiB each chunk paused the upstream and waited for 'drain'; 256 KiB lets a few chunks queue per socket.
    highWaterMark: RELAY_HIGH_WATER_MARK,
  });
  // One more than allowed, so the handler can see the limit was crossed (node silently drops extras).
  server.maxHeadersCount = limits.maxHeadersCount + 1;
  // A client connection (mid-upload, mid-download) with no bytes either way for this long is closed.
  server.setTimeout(limits.idleTimeoutMs);

  server.on('request', (req, res) => void handleHttpRequest(ctx, req, res, false));
  server.on('checkContinue', (req, res) => void handleHttpRequest(ctx, req, res, true));
  server.on('connect', (req, socket, head) => void handleConnect(ctx, req, socket, head));
  server.on('upgrade', (req, socket, head) => void handleUpgrade(ctx, req, socket, head));
  server.on('connection', (socket: Socket) => {
    socket.setNoDelay(true);
    ctx.metrics.connectionOpened();
    socket.once('close', () => ctx.metrics.connectionClosed());
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const status = CLIENT_ERROR_STATUS[error.code ?? ''] ?? 400;
    ctx.appLog.debug({ code: error.code, status }, 'malformed client request');
    if (socket.writable && !(socket as Socket & { _httpMessage?: unknown })._httpMessage) {
      const reason = status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
      const body = `${reason}\n`;
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nVia: ${VIA_TOKEN}\r\nConnection: close\r\n\r\n${body}`);
      // Give the answer a moment to leave before the socket is torn down.
      setTimeout(() => socket.destroy(), 1_000).unref();
    } else {
      socket.destroy();
    }
  });

  async function listen(address: HostPort): Promise<HostPort> {
    server.listen(address.port, address.host);
    await once(server, 'listening');
    const bound = server.address();
    if (bound === null || typeof bound === 'string') return address;
    return { host: bound.address, port: bound.port };
  }

  async function close(graceMs: number): Promise<void> {
    const closed = once(server, 'close');
    server.close();
    server.closeIdleConnections();
    const deadline = Date.now() + graceMs;
    while (ctx.inFlight.count > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
      server.closeIdleConnections();
    }
    server.closeAllConnections();
    for (const tunnel of ctx.tunnels) tunnel.destroy();
    await closed;
  }

  return { server, listen, close };
}
