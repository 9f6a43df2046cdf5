/**
 * Upgrade requests over plain HTTP (WebSocket `GET http://host/path` with
 * `Upgrade: websocket`): decided like any request on the full URL, then the
 * handshake is replayed to the origin in origin-form over a raw connection
 * and the two sockets are joined; the origin's 101 goes back untouched.
 * An upgrade to the self-service host is refused (self-service-tunnel.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { normaliseUrl } from '../classify/normalise-url.ts';
import type { Target } from '../classify/target.ts';
import { WfError } from '../errors.ts';
import { admit } from './admission.ts';
import { renderErrorPage } from './error-page.ts';
import { requestHeadersForUpstream, serialiseRequestHead } from './headers.ts';
import type { ProxyContext } from './proxy-context.ts';
import { writeRawResponse } from './raw-response.ts';
import { namesSelfServiceHost, refuseSelfServiceSocket } from './self-service-tunnel.ts';
import { answerUnlessAllowed, openUpstream, runTunnel } from './tunnel-common.ts';

const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]*:\/\//i;

function parseUpgradeTarget(raw: string): Target {
  const target = normaliseUrl(raw);
  if (target.scheme !== 'http' && target.scheme !== 'ws') {
    throw new WfError('WF_ERR_BAD_TARGET', `an upgrade to ${target.scheme}:// must use CONNECT`, { httpStatus: 400 });
  }
  return target;
}

export async function handleUpgrade(ctx: ProxyContext, req: IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
  client.on('error', () => client.destroy());
  if (!ABSOLUTE_FORM.test(req.url ?? '')) {
    writeRawResponse(client, 400, {}, renderErrorPage(400, 'Not a proxy request', 'Upgrade requests must name an absolute http:// or ws:// URL.'));
    return;
  }
  // The self-service host serves ordinary requests only and never resolves: refuse here, before any lookup.
  if (ctx.selfService !== undefined && namesSelfServiceHost(ctx.selfService.host, req.url!, 'upgrade')) {
    refuseSelfServiceSocket(ctx, ctx.selfService.host, req, client, 'upgrade');
    return;
  }
  ctx.inFlight.count++;
  try {
    const admitted = answerUnlessAllowed(ctx, await admit(ctx, req, 'upgrade', parseUpgradeTarget), client);
    if (admitted === null) return;
    const upstream = await openUpstream(ctx, admitted, client);
    if (upstream === null) return;
    const headers = requestHeadersForUpstream(req.headers, ['connection', 'upgrade']);
    headers.host = admitted.target.authority;
    upstream.write(serialiseRequestHead(req.method ?? 'GET', admitted.target.path, headers));
    let status = 0;
    const readStatus = (chunk: Buffer) => {
      if (status === 0) status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(chunk.subarray(0, 16).toString('latin1'))?.[1] ?? 0);
    };
    await runTunnel(ctx, admitted, client, upstream, head, () => status, readStatus);
  } catch (error) {
    ctx.appLog.error({ err: error, target: req.url }, 'upgrade handling failed');
    client.destroy();
  } finally {
    ctx.inFlight.count--;
  }
}
