/**
 * Load generators for the end-to-end benchmarks, each bounded in time and
 * count: autocannon for HTTP request rates, and small hand-made clients for
 * what autocannon cannot do — plain downloads, CONNECT tunnels carrying TLS,
 * and WebSocket messages through an upgraded connection.
 *
 * A `via` of null means direct to the origin (the baseline); otherwise the
 * request goes through the proxy at that port, with these proxy headers.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { Pool } from 'undici';

export interface Via {
  readonly port: number;
  readonly headers: Record<string, string>;
}

export interface RateFigures {
  readonly rps: number;
  readonly mbps: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly requests: number;
}

export interface HttpLoad {
  readonly connections: number;
  readonly seconds: number;
  /** Requests as autocannon takes them; `path` is absolute-form through a proxy. */
  readonly requests: autocannon.Request[];
  readonly port: number;
  /** Total requests per second across all connections (fixed-rate runs for latency). */
  readonly overallRate?: number;
}

export async function httpLoad(load: HttpLoad): Promise<RateFigures> {
  const result = await autocannon({
    url: `http://127.0.0.1:${load.port}`,
    connections: load.connections,
    duration: load.seconds,
    requests: load.requests,
    ...(load.overallRate === undefined ? {} : { overallRate: Math.max(1, Math.round(load.overallRate)) }),
  });
  return {
    rps: Math.round(result.requests.average),
    mbps: Number((result.throughput.average / 1e6).toFixed(1)),
    p50: result.latency.p50,
    p99: result.latency.p99,
    p999: result.latency.p99_9,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    requests: result.requests.total,
  };
}

export interface PacedFigures {
  readonly rate: number;
  readonly achieved: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly errors: number;
  /** The unmeasured lead-in at the same rate, reported apart: how the rate's first second went. */
  readonly leadIn?: { readonly seconds: number; readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number };
}

/** The client closedLoad and pacedLoad share: keep-alive connections, one request at a time on each. */
function pacingPool(port: number, connections: number): Pool {
  return new Pool(`http://127.0.0.1:${port}`, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
}

/**
 * The most requests per second pacedLoad's client gets through: the same
 * undici pool, `connections` requests kept in flight back to back for
 * `seconds`. The paced runs take their 50 % and 90 % from this rather than
 * from autocannon's max: on two cores shared with the proxy and the origin,
 * this client costs more CPU a request than autocannon does, and 90 % of
 * autocannon's max was more than it could sustain (p50 0.6–0.7 s, a queue).
 */
export async function closedLoad(port: number, request: { path: string; headers: Record<string, string> }, seconds: number, connections: number): Promise<{ rps: number; errors: number }> {
  const pool = pacingPool(port, connections);
  let done = 0;
  let errors = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      try {
        const res = await pool.request({ method: 'GET', path: request.path, headers: request.headers });
        await res.body.dump();
        if (res.statusCode >= 400) errors++;
        done++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  await pool.destroy();
  return { rps: Math.round(done / elapsed), errors };
}

function quantile(sorted: readonly number[], q: number): number {
  return Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN).toFixed(2));
}

/**
 * Latency at a fixed request rate, open loop: requests are issued evenly
 * spaced (every millisecond, however many are due) over a pool of keep-alive
 * connections, whether or not earlier ones have been answered, and each is
 * timed from when it was issued. autocannon's overallRate sends each
 * connection's whole per-second quota back to back at the start of every
 * second, so its latencies at "50 % load" were those of full-speed bursts.
 *
 * The first `leadInSeconds` run at the same rate but are reported apart
 * (`leadIn`): the figures are the steady state at that rate. Why: right after
 * a saturating run on the shared two cores, the first ≈0.2–0.7 s through the
 * proxy built a backlog (up to 170–270 ms, draining linearly) in most trials,
 * its size varying widely, whether the client's connections were new or kept;
 * the proxy's event loop showed no stall (bench/README.md, "Latency at a
 * paced rate"). Left in, that transient alone set p99 for the whole 5 s.
 */
export async function pacedLoad(
  port: number,
  request: { path: string; headers: Record<string, string> },
  rate: number,
  seconds: number,
  connections: number,
  leadInSeconds = 0,
): Promise<PacedFigures> {
  const pool = pacingPool(port, connections);
  const latencies: number[] = [];
  const leadIn: number[] = [];
  let errors = 0;
  let issued = 0;
  const leadInCount = Math.round(rate * leadInSeconds);
  const total = leadInCount + Math.round(rate * seconds);
  const inFlight = new Set<Promise<void>>();
  const one = async (into: number[]) => {
    const t = performance.now();
    try {
      const res = await pool.request({ method: 'GET', path: request.path, headers: request.headers });
      await res.body.dump();
      if (res.statusCode >= 400) errors++;
      into.push(performance.now() - t);
    } catch {
      errors++;
    }
  };
  const t0 = performance.now();
  let measuredFrom = t0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
      while (issued < due) {
        if (issued === leadInCount) measuredFrom = performance.now();
        const p = one(issued < leadInCount ? leadIn : latencies).finally(() => inFlight.delete(p));
        issued++;
        inFlight.add(p);
      }
      if (issued >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  await Promise.race([Promise.all(inFlight), new Promise((r) => setTimeout(r, 10_000))]);
  const elapsed = (performance.now() - measuredFrom) / 1000;
  await pool.destroy();
  latencies.sort((a, b) => a - b);
  leadIn.sort((a, b) => a - b);
  const figures = { rate, achieved: Math.round(latencies.length / elapsed), p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99), p999Ms: quantile(latencies, 0.999), errors };
  if (leadInCount === 0) return figures;
  return { ...figures, leadIn: { seconds: leadInSeconds, p50Ms: quantile(leadIn, 0.5), p99Ms: quantile(leadIn, 0.99), maxMs: Number((leadIn.at(-1) ?? NaN).toFixed(2)) } };
}

function bounded<T>(ms: number, what: string, work: (onAbort: (cleanup: () => void) => void) => Promise<T>): Promise<T> {
  let cleanup = () => undefined as void;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what} did not finish within ${ms / 1000} s`));
    }, ms);
    work((c) => (cleanup = c)).then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Reads a response to the end, counting body bytes. */
function drain(res: IncomingMessage): Promise<number> {
  return new Promise((resolve, reject) => {
    let n = 0;
    res.on('data', (c: Buffer) => (n += c.length));
    res.on('end', () => resolve(n));
    res.on('error', reject);
  });
}

/** Plain HTTP download of `path` on the origin: MB/s (10⁶ bytes/s). */
export function download(originPort: number, path: string, host: string, via: Via | null, expected: number): Promise<number> {
  return bounded(120_000, 'download', async () => {
    const started = process.hrtime.bigint();
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req =
        via === null
          ? httpRequest({ host: '127.0.0.1', port: originPort, path, headers: { host: `${host}:${originPort}` }, agent: false }, resolve)
          : httpRequest({ host: '127.0.0.1', port: via.port, path: `http://${host}:${originPort}${path}`, headers: via.headers, agent: false }, resolve);
      req.on('error', reject);
      req.end();
    });
    const n = await drain(res);
    if (n !== expected) throw new Error(`download: got ${n} bytes, expected ${expected} (status ${res.statusCode})`);
    return n / 1e6 / (Number(process.hrtime.bigint() - started) / 1e9);
  });
}

/** A CONNECT tunnel to host:port through the proxy, ready for TLS. */
function openTunnel(via: Via, authority: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: via.port, method: 'CONNECT', path: authority, headers: { host: authority, ...via.headers }, agent: false });
    req.on('connect', (res: IncomingMessage, socket: Socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new Error(`CONNECT ${authority}: ${res.statusCode}`));
      } else resolve(socket);
    });
    req.on('error', reject);
    req.end();
  });
}

/** One HTTPS GET over a fresh connection (through a CONNECT tunnel, or direct); resolves with the body size. */
async function httpsGet(originPort: number, host: string, path: string, via: Via | null): Promise<number> {
  const authority = `${host}:${originPort}`;
  const tunnel = via === null ? null : await openTunnel(via, authority);
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: originPort,
        servername: host,
        path,
        headers: { host: authority, connection: 'close' },
        agent: false,
        rejectUnauthorized: false, // the origin's certificate is self-signed, made for this run
        ...(tunnel === null ? {} : { createConnection: () => tlsConnect({ socket: tunnel, servername: host, rejectUnauthorized: false }) }),
      },
      resolve,
    );
    req.on('error', reject);
    req.end();
  });
  return drain(res);
}

/** One large HTTPS download through CONNECT (or direct): MB/s. */
export function tlsDownload(originPort: number, host: string, bytes: number, via: Via | null): Promise<number> {
  return bounded(120_000, 'TLS download', async () => {
    const started = process.hrtime.bigint();
    const n = await httpsGet(originPort, host, `/bytes?n=${bytes}`, via);
    if (n !== bytes) throw new Error(`TLS download: got ${n} bytes, expected ${bytes}`);
    return n / 1e6 / (Number(process.hrtime.bigint() - started) / 1e9);
  });
}

/** Fresh tunnels (CONNECT + TLS handshake + GET /small + close), `concurrency` at a time, for `seconds` or `max` tunnels. */
export async function connectRate(originPort: number, host: string, via: Via | null, concurrency: number, seconds: number, max: number): Promise<{ tunnelsPerSecond: number; tunnels: number; errors: number }> {
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  let errors = 0;
  let started = 0;
  const t0 = process.hrtime.bigint();
  const lane = async () => {
    while (Date.now() < deadline && started < max) {
      started++;
      try {
        if ((await bounded(10_000, 'tunnel', () => httpsGet(originPort, host, '/small', via))) === 1024) done++;
        else errors++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { tunnelsPerSecond: Math.round(done / (Number(process.hrtime.bigint() - t0) / 1e9)), tunnels: done, errors };
}

function wsFrame(payload: Buffer): Buffer {
  // Client frames are masked (RFC 6455 §5.3); payloads under 126 bytes keep the header at 2 + 4 bytes.
  const mask = randomBytes(4);
  const frame = Buffer.alloc(6 + payload.length);
  frame[0] = 0x82; // FIN + binary
  frame[1] = 0x80 | payload.length;
  mask.copy(frame, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i]! ^ mask[i % 4]!;
  return frame;
}

/** Opens a WebSocket to the origin's /ws (through the proxy as an absolute-form upgrade, or direct); resolves once 101 is read. */
function openWebSocket(originPort: number, host: string, via: Via | null): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port: via?.port ?? originPort, noDelay: true });
    const target = via === null ? '/ws' : `http://${host}:${originPort}/ws`;
    const extra = via === null ? '' : Object.entries(via.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.on('error', reject);
    socket.once('connect', () =>
      socket.write(
        `GET ${target} HTTP/1.1\r\nHost: ${host}:${originPort}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`,
      ),
    );
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      socket.off('error', reject);
      if (!head.subarray(0, 12).toString('latin1').startsWith('HTTP/1.1 101')) {
        socket.destroy();
        reject(new Error(`WebSocket handshake: ${head.subarray(0, 40).toString('latin1')}`));
        return;
      }
      if (end + 4 < head.length) socket.unshift(head.subarray(end + 4));
      resolve(socket);
    };
    socket.on('data', onData);
  });
}

/**
 * Echoed WebSocket messages per second: `connections` sockets, each keeping
 * `window` 64-byte messages in flight, for `seconds`. The echo comes back
 * unmasked as 66-byte frames, so messages = bytes received / 66.
 */
export async function webSocketRate(originPort: number, host: string, via: Via | null, connections: number, window: number, seconds: number): Promise<{ messagesPerSecond: number; messages: number }> {
  const sockets = await Promise.all(Array.from({ length: connections }, () => openWebSocket(originPort, host, via)));
  const FRAME = 66;
  const message = wsFrame(Buffer.alloc(64, 'm'));
  let messages = 0;
  let running = true;
  const t0 = process.hrtime.bigint();
  for (const socket of sockets) {
    let pending = 0;
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.length;
      const whole = Math.floor(pending / FRAME);
      pending -= whole * FRAME;
      messages += whole;
      if (running && whole > 0) socket.write(Buffer.concat(Array.from({ length: whole }, () => message)));
    });
    socket.write(Buffer.concat(Array.from({ length: window }, () => message)));
  }
  await new Promise((r) => setTimeout(r, seconds * 1000));
  running = false;
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const counted = messages;
  for (const socket of sockets) socket.destroy();
  return { messagesPerSecond: Math.round(counted / elapsed), messages: counted };
}
