/**
 * forwardHttp: an allowed absolute-form request, streamed both ways.
 *
 *   client → wardgate → origin          (undici Agent, keep-alive pool per origin)
 *   client → wardgate → parent → origin (undici Pool to the parent, absolute-form)
 *
 * Bodies are never buffered whole: request bodies stream from the client
 * socket into undici; response chunks are written as they arrive and the
 * upstream is paused whenever the client's socket is full (backpressure), so
 * a 1 GiB download holds at most a few socket buffers.
 *
 * Why undici's dispatch() rather than http-proxy: http-proxy has been
 * unmaintained since 2020 and builds on node:http's client; undici's
 * dispatcher gives pooled keep-alive upstream connections, controller-based
 * backpressure and typed timeout errors in one well-kept package.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { Target } from '../classify/target.ts';
import { requestHeadersForUpstream, responseHeadersForClient } from './headers.ts';
import { toUpstreamError, type Upstream } from './upstream.ts';
import { holdChunk } from './pooled-http-socket.ts';
import type { WfError } from '../errors.ts';

export interface ForwardResult {
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Set when upstream failed; the caller answers with its status if nothing was sent yet. */
  readonly error: WfError | null;
  /** The client went away before the response was complete. */
  readonly aborted: boolean;
}

function hasRequestBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export function forwardHttp(req: IncomingMessage, res: ServerResponse, target: Target, upstream: Upstream): Promise<ForwardResult> {
  const route = upstream.httpRoute(target);
  const headers = requestHeadersForUpstream(req.headers);
  // RFC 9112 §3.2.2: with an absolute-form target the Host header is replaced by the target's authority.
  headers.host = target.authority;
  let bytesIn = 0;
  let bytesOut = 0;
  const body = hasRequestBody(req)
    ? (async function* count() {
        for await (const chunk of req as AsyncIterable<Buffer>) {
          bytesIn += chunk.length;
          yield chunk;
        }
      })()
    : null;

  return new Promise<ForwardResult>((resolve) => {
    let controller: Dispatcher.DispatchController | null = null;
    // One 'drain' listener at a time, however many chunks undici delivers while pausing.
    let waitingForDrain = false;
    const onDrain = () => {
      waitingForDrain = false;
      controller?.resume();
    };
    let settled = false;
    const settle = (error: WfError | null, aborted = false) => {
      if (settled) return;
      settled = true;
      res.off('close', onClientClose);
      resolve({ bytesIn, bytesOut, error, aborted });
    };
    const onClientClose = () => {
      if (res.writableFinished) return;
      // Settle first: abort() reports back through onResponseError, which must not count as an upstream fault.
      settle(null, true);
      controller?.abort(new Error('client closed the connection'));
    };
    res.on('close', onClientClose);

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
      },
      onResponseStart(c, statusCode, responseHeaders, statusMessage) {
        if (res.destroyed) return c.abort(new Error('client closed the connection'));
        res.writeHead(statusCode, statusMessage ?? '', responseHeadersForClient(responseHeaders));
      },
      onResponseData(c, chunk) {
        // undici hands over an empty chunk when it resumes a paused parser; writing it cost a zero-byte write() system call per
        // 64 KiB of a download (strace of a 256 MiB download: 4,228 of them).
        if (chunk.length === 0) return;
        bytesOut += chunk.length;
        // The chunk may be a view of a pooled read buffer: hold it until this write has completed (pooled-http-socket.ts).
        if (!res.write(chunk, holdChunk(chunk)) && !waitingForDrain) {
          waitingForDrain = true;
          c.pause();
          res.once('drain', onDrain);
        }
      },
      onResponseEnd() {
        res.end();
        settle(null);
      },
      onResponseError(_c, error) {
        const wrapped = toUpstreamError(error, target.host);
        // Headers already out: the client can only learn of the failure by the connection closing.
        if (res.headersSent) res.destroy(wrapped);
        settle(wrapped);
      },
    };
    route.dispatcher.dispatch(
      // undici streams async-iterable bodies (lib/core/request.js) though its types list only Readable.
      { origin: route.origin, path: route.path, method: req.method ?? 'GET', headers, body: body as unknown as Readable | null, upgrade: null },
      handler,
    );
  });
}
