/**
 * lists-download: fetches an http(s) list source to a local file for
 * `wardgate lists import` / `update` (src/lists stays free of network I/O;
 * it is handed the function this module makes).
 *
 *   wardgate ─► [HTTP(S)_PROXY from the environment, if set] ─► list server
 *
 * Streamed to disk, never held in memory; bounded in size (refused before
 * the body when Content-Length says too much, stopped when the bytes do) and
 * in time (a stalled server, or a download that takes too long in all).
 * Redirects are followed (up to 5). A download that ends before its
 * Content-Length is an error, not a smaller list. On a terminal, a progress
 * bar goes to standard error; otherwise nothing is printed (cron-friendly).
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Agent, EnvHttpProxyAgent, interceptors, request, type Dispatcher } from 'undici';
import { isWfError, WfError } from '../errors.ts';

export interface DownloadOptions {
  /** Where HTTP_PROXY, HTTPS_PROXY and NO_PROXY are read from. */
  readonly env: NodeJS.ProcessEnv;
  /** Largest download accepted, in bytes (default 1 GiB). */
  readonly maxBytes?: number;
  /** The whole download must finish within this (default 30 min). */
  readonly timeoutMs?: number;
  /** Longest wait for the response headers, and between two body chunks (default 60 s). */
  readonly idleTimeoutMs?: number;
  /** A terminal to draw the progress bar on (nothing is drawn when it is not a TTY). */
  readonly progress?: NodeJS.WritableStream | undefined;
}

const DEFAULT_MAX_BYTES = 2 ** 30;
const DEFAULT_TIMEOUT_MS = 30 * 60_000;
const DEFAULT_IDLE_MS = 60_000;

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** The URL as shown: credentials hidden. */
function shown(url: string): string {
  try {
    const u = new URL(url);
    if (u.username !== '' || u.password !== '') {
      u.username = '***';
      u.password = '';
    }
    return u.href;
  } catch {
    return url;
  }
}

function failure(url: string, why: string, cause?: unknown): WfError {
  return new WfError('WF_ERR_LIST_INVALID', `download of ${shown(url)} failed: ${why}`, cause === undefined ? {} : { cause });
}

/** A reason a person can act on, from undici's and node's error codes. */
function reason(err: unknown, timeoutMs: number): string {
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the server name could not be resolved (check the URL, DNS, or HTTPS_PROXY)';
    case 'ECONNREFUSED':
      return 'the server refused the connection';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return 'the server closed the connection before the download was complete';
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'no connection to the server in time';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'the server stopped sending (timed out)';
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return 'the server sent fewer bytes than it announced (cut short)';
    default:
      if (e.name === 'TimeoutError' || e.name === 'AbortError') return `it took longer than ${Math.round(timeoutMs / 60_000)} min`;
      // undici's own wording blames the caller's dispatcher; the cause is the server redirecting to itself.
      if (/redirect loop/i.test(e.message ?? '')) return 'the server redirects in a loop';
      return e.message ?? String(err);
  }
}

function proxyFrom(env: NodeJS.ProcessEnv): { httpProxy?: string; httpsProxy?: string; noProxy?: string } | null {
  const httpProxy = env.HTTP_PROXY ?? env.http_proxy;
  const httpsProxy = env.HTTPS_PROXY ?? env.https_proxy;
  const noProxy = env.NO_PROXY ?? env.no_proxy;
  if (!httpProxy && !httpsProxy) return null;
  return { ...(httpProxy ? { httpProxy } : {}), ...(httpsProxy ? { httpsProxy } : {}), ...(noProxy ? { noProxy } : {}) };
}

/** Draws `[#####.....]  45%  12.3 MiB / 27.1 MiB` on one terminal line, at most every 1%. */
function progressBar(out: NodeJS.WritableStream | undefined, label: string, total: number | undefined) {
  const tty = out !== undefined && (out as { isTTY?: boolean }).isTTY === true;
  let last = -1;
  return {
    update(received: number): void {
      if (!tty) return;
      const step = total ? Math.floor((received / total) * 100) : Math.floor(received / 2 ** 20);
      if (step === last) return;
      last = step;
      const bar = total ? `[${'#'.repeat(Math.floor(step / 5)).padEnd(20, '.')}] ${String(step).padStart(3)}%  ${mib(received)} / ${mib(total)}` : mib(received);
      out.write(`\r${label}  ${bar}`);
    },
    done(): void {
      if (tty && last !== -1) out.write('\n');
    },
  };
}

/** A function that saves an http(s) URL to a new file `dest` (removed again on failure). */
export function createDownloader(options: DownloadOptions): (url: string, dest: string) => Promise<void> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const idle = options.idleTimeoutMs ?? DEFAULT_IDLE_MS;
  return async (url: string, dest: string): Promise<void> => {
    const proxy = proxyFrom(options.env);
    const agent: Dispatcher = proxy === null ? new Agent({ connect: { timeout: idle } }) : new EnvHttpProxyAgent({ ...proxy, connect: { timeout: idle } });
    const dispatcher = agent.compose(interceptors.redirect({ maxRedirections: 5 }));
    try {
      await fetchTo(url, dest, dispatcher, { maxBytes, timeoutMs, idle, progress: options.progress });
    } catch (err) {
      await rm(dest, { force: true });
      if (isWfError(err)) throw err;
      throw failure(url, reason(err, timeoutMs), err);
    } finally {
      await agent.close().catch(() => undefined);
    }
  };
}

async function fetchTo(
  url: string,
  dest: string,
  dispatcher: Dispatcher,
  limits: { maxBytes: number; timeoutMs: number; idle: number; progress: NodeJS.WritableStream | undefined },
): Promise<void> {
  const response = await request(url, {
    dispatcher,
    method: 'GET',
    headers: { 'user-agent': 'wardgate (lists update)' },
    headersTimeout: limits.idle,
    bodyTimeout: limits.idle,
    signal: AbortSignal.timeout(limits.timeoutMs),
  });
  if (response.statusCode !== 200) {
    await response.body.dump().catch(() => undefined);
    // A redirect still here is one past the limit of 5 (the interceptor hands it back unfollowed).
    const hint = response.statusCode === 404 ? ' (not found: check the URL)' : response.statusCode >= 300 && response.statusCode < 400 ? ' (too many redirects)' : '';
    throw failure(url, `the server answered HTTP ${response.statusCode}${hint}`);
  }
  const header = response.headers['content-length'];
  const announced = typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : undefined;
  if (announced !== undefined && announced > limits.maxBytes) {
    await response.body.dump().catch(() => undefined);
    throw failure(url, `it is ${mib(announced)}, more than the ${mib(limits.maxBytes)} allowed`);
  }
  const bar = progressBar(limits.progress, `downloading ${shown(url)}`, announced);
  let received = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received > limits.maxBytes) return callback(failure(url, `it is more than the ${mib(limits.maxBytes)} allowed`));
      bar.update(received);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(response.body, count, createWriteStream(dest, { flags: 'wx' }));
  } finally {
    bar.done();
  }
  if (announced !== undefined && received !== announced) {
    throw failure(url, `the server sent ${received} of the ${announced} bytes it announced (cut short)`);
  }
}
