/**
 * HTTP requests (node:http 'request' and 'checkContinue'): absolute-form
 * targets are admitted, decided and forwarded or blocked; origin-form
 * requests (`GET /path`) are never forwarded — the proxy answers them itself.
 * Each request on a keep-alive or pipelined connection arrives here on its
 * own and is decided on its own.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { normaliseUrl } from '../classify/normalise-url.ts';
import { admit, errorCodeOf, recordOutcome, type Admission } from './admission.ts';
import { blockAnswer, refusalAnswer, upstreamErrorAnswer, type Answer } from './answers.ts';
import { renderErrorPage } from './error-page.ts';
import { forwardHttp } from './forward-http.ts';
import { VIA_TOKEN } from './headers.ts';
import type { ProxyContext } from './proxy-context.ts';

/** More wardgate hops than this in Via means requests are looping back into the proxy. */
const MAX_VIA_HOPS = 4;

function sendAnswer(res: ServerResponse, answer: Answer, close: boolean): number {
  if (res.headersSent || res.destroyed) return 0;
  const body = Buffer.from(answer.body, 'utf8');
  res.writeHead(answer.status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': body.length,
    'cache-control': 'no-store',
    via: VIA_TOKEN,
    ...answer.headers,
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(body);
  return body.length;
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
}

function originFormAnswer(req: IncomingMessage): Answer {
  const detail =
    'wardgate is the council web proxy. Set it as your browser\'s HTTP and HTTPS proxy and browse as usual; it does not serve pages of its own at this address.';
  return { status: 400, headers: {}, body: renderErrorPage(400, `Not a proxy request: ${req.url ?? ''}`.slice(0, 120), detail) };
}

function isLooping(req: IncomingMessage): boolean {
  const via = req.headers.via;
  if (via === undefined) return false;
  return via.split('wardgate').length - 1 > MAX_VIA_HOPS;
}

export async function handleHttpRequest(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, expectContinue: boolean): Promise<void> {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(req.url ?? '')) {
    sendAnswer(res, originFormAnswer(req), hasBody(req));
    return;
  }
  // The reserved self-service host is answered here, before classification, and never forwarded.
  if (ctx.selfService?.handles(req.url!) === true) return ctx.selfService.handle(ctx, req, res);
  if (req.rawHeaders.length / 2 > ctx.limits.maxHeadersCount) {
    const body = renderErrorPage(431, 'Too many request headers', `At most ${ctx.limits.maxHeadersCount} header lines are accepted.`);
    sendAnswer(res, { status: 431, headers: {}, body }, true);
    return;
  }
  ctx.inFlight.count++;
  try {
    const admission = await admit(ctx, req, 'http', normaliseUrl);
    await act(ctx, admission, req, res, expectContinue);
  } catch (error) {
    ctx.appLog.error({ err: error, url: req.url }, 'request handling failed');
    sendAnswer(res, { status: 500, headers: {}, body: renderErrorPage(500, 'Proxy error', 'wardgate could not handle this request.') }, true);
  } finally {
    ctx.inFlight.count--;
  }
}

async function act(ctx: ProxyContext, admission: Admission, req: IncomingMessage, res: ServerResponse, expectContinue: boolean): Promise<void> {
  // A refused or blocked request's body is never read: close rather than drain an upload we will not forward.
  if (!admission.ok) {
    const bytesOut = sendAnswer(res, refusalAnswer(admission), hasBody(req) || admission.status === 400);
    recordOutcome(ctx, admission, { status: admission.status, bytesIn: 0, bytesOut, error: null });
    return;
  }
  if (admission.evaluation.decision.action === 'block') {
    const bytesOut = sendAnswer(res, blockAnswer(admission, ctx.selfService, ctx.now()), hasBody(req));
    recordOutcome(ctx, admission, { status: 403, bytesIn: 0, bytesOut, error: admission.evaluation.error === undefined ? null : errorCodeOf(admission.evaluation.error) });
    return;
  }
  if (isLooping(req)) {
    const body = renderErrorPage(508, 'Loop detected', 'This request has passed through wardgate too many times.', admission.request.id);
    const bytesOut = sendAnswer(res, { status: 508, headers: {}, body }, true);
    recordOutcome(ctx, admission, { status: 508, bytesIn: 0, bytesOut, error: 'loop' });
    return;
  }
  if (expectContinue) res.writeContinue();
  const result = await forwardHttp(req, res, admission.target, ctx.upstream);
  let status = res.statusCode;
  let bytesOut = result.bytesOut;
  if (result.error !== null && !res.headersSent) {
    const answer = upstreamErrorAnswer(result.error, admission.request.id);
    bytesOut = sendAnswer(res, answer, hasBody(req));
    status = answer.status;
  }
  const error = result.error?.code ?? (result.aborted ? 'client-aborted' : null);
  recordOutcome(ctx, admission, { status: result.aborted && !res.headersSent ? 0 : status, bytesIn: result.bytesIn, bytesOut, error });
}
