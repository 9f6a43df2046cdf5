/**
 * Upstream connections: where allowed traffic goes. Either straight to the
 * origin (with `--resolve` overrides applied to every lookup), or through a
 * parent proxy: HTTP requests in absolute form, tunnels with CONNECT.
 *
 *   HTTP:    client → wardgate → origin            | client → wardgate → parent (absolute-form) → origin
 *   tunnel:  client → wardgate ⇄ net.connect(origin) | client → wardgate ⇄ parent CONNECT ⇄ origin
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOneOptions, type LookupAllOptions } from 'node:dns';
import { connect as netConnect, isIP, type Socket, type LookupFunction } from 'node:net';
import { once } from 'node:events';
import type { Dispatcher } from 'undici';
import { Agent, Pool } from './undici-dispatchers.ts';
import type { HostPort, ResolveOverride } from '../config/config.ts';
import { WfError } from '../errors.ts';
import type { Target } from '../classify/target.ts';
import { connectPooled } from './pooled-read-socket.ts';
import { pooledHttpConnector } from './pooled-http-socket.ts';

export interface UpstreamOptions {
  readonly parentProxy: HostPort | null;
  readonly resolve: readonly ResolveOverride[];
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs: number;
  readonly idleTimeoutMs: number;
}

/** `host` as written in a URL or request line: IPv6 literals in brackets. */
export function formatHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** dns.lookup with `--resolve` overrides in front of it, for undici and net.connect alike. */
export function createLookup(overrides: readonly ResolveOverride[]): LookupFunction {
  const table = new Map(overrides.map((o) => [o.host, o.address]));
  if (table.size === 0) return dnsLookup as unknown as LookupFunction;
  return ((hostname: string, options: LookupOneOptions | LookupAllOptions, callback: (...args: unknown[]) => void) => {
    const address = table.get(hostname.toLowerCase().replace(/\.$/, ''));
    if (address === undefined) return dnsLookup(hostname, options as LookupAllOptions, callback as never);
    const family = isIP(address);
    if ((options as LookupAllOptions).all) callback(null, [{ address, family } satisfies LookupAddress]);
    else callback(null, address, family);
  }) as LookupFunction;
}

export class Upstream {
  readonly #options: UpstreamOptions;
  readonly #lookup: LookupFunction;
  readonly #dispatcher: Dispatcher;
  readonly #parentOrigin: string | null;

  constructor(options: UpstreamOptions) {
    this.#options = options;
    this.#lookup = createLookup(options.resolve);
    const parent = options.parentProxy;
    this.#parentOrigin = parent === null ? null : `http://${formatHost(parent.host)}:${parent.port}`;
    const common = {
      // Plain-HTTP upstream reads go into pooled buffers (pooled-http-socket.ts); TLS ones use undici's connector as before.
      connect: pooledHttpConnector({ timeout: options.connectTimeoutMs, lookup: this.#lookup }),
      headersTimeout: options.responseTimeoutMs,
      bodyTimeout: options.idleTimeoutMs,
      keepAliveTimeout: 4_000, // ms idle before a pooled upstream socket is dropped
      // Pipelining upstream would let one slow response stall another member's request.
      pipelining: 1,
    };
    this.#dispatcher = this.#parentOrigin === null ? new Agent(common) : new Pool(this.#parentOrigin, common);
  }

  /**
   * Dispatch route for an HTTP request: straight to the origin (TLS where a
   * client asked for an `https://` URL in absolute form), or to the parent
   * with the absolute URL as the request target.
   */
  httpRoute(target: Target): { dispatcher: Dispatcher; origin: string; path: string } {
    const scheme = target.scheme === 'https' || target.scheme === 'wss' ? 'https' : 'http';
    if (this.#parentOrigin !== null) {
      return { dispatcher: this.#dispatcher, origin: this.#parentOrigin, path: `${scheme}://${target.authority}${target.path}` };
    }
    return { dispatcher: this.#dispatcher, origin: `${scheme}://${target.authority}`, path: target.path };
  }

  /**
   * A raw TCP stream to `target`'s host and port: a direct connection, or a
   * CONNECT tunnel through the parent. Resolves once bytes can flow; rejects
   * with a WfError naming the host (DNS failure, refused, timeout, parent said no).
   */
  async openTunnel(target: Target): Promise<Socket> {
    const parent = this.#options.parentProxy;
    const host = parent?.host ?? target.host.replace(/^\[|\]$/g, '');
    const port = parent?.port ?? target.port;
    // Direct tunnels read into pooled buffers (see pooled-read-socket.ts); through a parent the CONNECT answer is read as a stream first.
    const socket = parent === null ? connectPooled({ host, port, lookup: this.#lookup, noDelay: true }) : netConnect({ host, port, lookup: this.#lookup, noDelay: true });
    socket.setTimeout(this.#options.connectTimeoutMs);
    try {
      await Promise.race([
        once(socket, 'connect'),
        once(socket, 'timeout').then(() => {
          throw Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' });
        }),
      ]);
      if (parent !== null) await connectThroughParent(socket, target, this.#options.responseTimeoutMs);
    } catch (error) {
      socket.destroy();
      throw toUpstreamError(error, parent === null ? target.host : `${target.host} (via parent proxy ${parent.host}:${parent.port})`);
    }
    socket.setTimeout(0);
    return socket;
  }

  async close(): Promise<void> {
    await this.#dispatcher.close();
  }

  destroy(): void {
    void this.#dispatcher.destroy().catch(() => undefined);
  }
}

const MAX_PARENT_HEAD = 16 * 1024; // bytes of a parent proxy's CONNECT answer we will read

async function connectThroughParent(socket: Socket, target: Target, timeoutMs: number): Promise<void> {
  const authority = `${target.host}:${target.port}`;
  socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
  socket.setTimeout(timeoutMs);
  let head = Buffer.alloc(0);
  for (;;) {
    const [chunk] = (await Promise.race([
      once(socket, 'data'),
      once(socket, 'end').then(() => [null]),
      once(socket, 'timeout').then(() => {
        throw Object.assign(new Error('parent proxy did not answer CONNECT'), { code: 'ETIMEDOUT' });
      }),
    ])) as [Buffer | null];
    if (chunk === null) throw Object.assign(new Error('parent proxy closed the connection'), { code: 'ECONNRESET' });
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end !== -1) {
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head.subarray(0, end).toString('latin1'));
      if (status?.[1] !== '200') {
        throw new WfError('WF_ERR_UPSTREAM_REFUSED', `parent proxy refused CONNECT ${authority} (${status?.[1] ?? 'bad answer'})`, { httpStatus: 502 });
      }
      // Anything after the head already belongs to the tunnel.
      if (end + 4 < head.length) socket.unshift(head.subarray(end + 4));
      return;
    }
    if (head.length > MAX_PARENT_HEAD) throw Object.assign(new Error('parent proxy answer too long'), { code: 'EPROTO' });
  }
}

/** Maps a socket/undici failure to a coded WfError with the status the client gets. */
export function toUpstreamError(error: unknown, host: string): WfError {
  if (error instanceof WfError) return error;
  const code = (error as { code?: string } | null)?.code ?? '';
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NODATA':
    case 'EAI_NONAME':
      return new WfError('WF_ERR_UPSTREAM_DNS', `the name ${host} could not be resolved`, { httpStatus: 502, cause: error });
    case 'ECONNREFUSED':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new WfError('WF_ERR_UPSTREAM_REFUSED', `${host} refused the connection`, { httpStatus: 502, cause: error });
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return new WfError('WF_ERR_UPSTREAM_TIMEOUT', `${host} did not answer in time`, { httpStatus: 504, cause: error });
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return new WfError('WF_ERR_UPSTREAM_RESET', `${host} closed the connection`, { httpStatus: 502, cause: error });
    default:
      return new WfError('WF_ERR_UPSTREAM_PROTOCOL', `${host} could not be reached (${code || (error as Error)?.message || 'unknown error'})`, {
        httpStatus: 502,
        cause: error,
      });
  }
}
