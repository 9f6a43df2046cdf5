/**
 * CONNECT host:port — decided before the tunnel opens, on the host and port
 * alone (the bytes inside are TLS and opaque to us).
 *
 *   client ⇄ wardgate ⇄ origin:port             (direct)
 *   client ⇄ wardgate ⇄ parent CONNECT ⇄ origin (chained)
 *   client ⇄ wardgate                           (the self-service host: 403, self-service-tunnel.ts)
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { normaliseAuthority } from '../classify/normalise-url.ts';
import { admit, type Admission } from './admission.ts';
import { VIA_TOKEN } from './headers.ts';
import type { ProxyContext } from './proxy-context.ts';
import { namesSelfServiceHost, refuseSelfServiceSocket } from './self-service-tunnel.ts';
import { answerUnlessAllowed, openUpstream, runTunnel } from './tunnel-common.ts';

/** An allowed CONNECT to a port off the list becomes a block with its own reason. */
function checkPort(ctx: ProxyContext, admission: Admission): Admission {
  if (!admission.ok || admission.evaluation.decision.action === 'block' || ctx.connectPorts.has(admission.target.port)) return admission;
  const decision = { action: 'block', reason: 'port-not-allowed', categories: [], rule: undefined, grantIds: [] } as const;
  return { ...admission, evaluation: { ...admission.evaluation, decision } };
}

export async function handleConnect(ctx: ProxyContext, req: IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
  client.on('error', () => client.destroy());
  // The self-service host is plain HTTP and never resolves: refuse a tunnel to it here, before any lookup.
  if (ctx.selfService !== undefined && namesSelfServiceHost(ctx.selfService.host, req.url ?? '', 'connect')) {
    refuseSelfServiceSocket(ctx, ctx.selfService.host, req, client, 'connect');
    return;
  }
  ctx.inFlight.count++;
  try {
    const admitted = answerUnlessAllowed(ctx, checkPort(ctx, await admit(ctx, req, 'connect', normaliseAuthority)), client);
    if (admitted === null) return;
    const upstream = await openUpstream(ctx, admitted, client);
    if (upstream === null) return;
    client.write(`HTTP/1.1 200 Connection Established\r\nVia: ${VIA_TOKEN}\r\n\r\n`);
    await runTunnel(ctx, admitted, client, upstream, head, () => 200);
  } catch (error) {
    ctx.appLog.error({ err: error, target: req.url }, 'CONNECT handling failed');
    client.destroy();
  } finally {
    ctx.inFlight.count--;
  }
}
