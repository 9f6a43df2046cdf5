/**
 * Steps CONNECT and Upgrade share once node:http has handed over the raw
 * socket: answer a refusal or block on the socket itself, open the upstream
 * end (answering 502/504 when it cannot be opened), and join the two.
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { recordOutcome, type Admission, type Admitted } from './admission.ts';
import { blockAnswer, refusalAnswer, upstreamErrorAnswer } from './answers.ts';
import type { ProxyContext } from './proxy-context.ts';
import { writeRawResponse } from './raw-response.ts';
import { splice } from './splice.ts';
import { toUpstreamError } from './upstream.ts';

/** Answers and records a refused or blocked request; returns the admission when it may proceed. */
export function answerUnlessAllowed(ctx: ProxyContext, admission: Admission, client: Duplex): Admitted | null {
  if (admission.ok && admission.evaluation.decision.action !== 'block') return admission;
  const answer = admission.ok ? blockAnswer(admission) : refusalAnswer(admission);
  const bytesOut = writeRawResponse(client, answer.status, answer.headers, answer.body);
  recordOutcome(ctx, admission, { status: answer.status, bytesIn: 0, bytesOut, error: null });
  return null;
}

/** The upstream end of a tunnel, or null after answering the client with 502/504. */
export async function openUpstream(ctx: ProxyContext, admitted: Admitted, client: Duplex): Promise<Socket | null> {
  try {
    const upstream = await ctx.upstream.openTunnel(admitted.target);
    if (!client.destroyed) return upstream;
    upstream.destroy();
    recordOutcome(ctx, admitted, { status: 0, bytesIn: 0, bytesOut: 0, error: 'client-aborted' });
    return null;
  } catch (error) {
    const wrapped = toUpstreamError(error, admitted.target.host);
    const answer = upstreamErrorAnswer(wrapped, admitted.request.id);
    const bytesOut = writeRawResponse(client, answer.status, answer.headers, answer.body);
    recordOutcome(ctx, admitted, { status: answer.status, bytesIn: 0, bytesOut, error: wrapped.code });
    return null;
  }
}

/** Joins client and upstream until either closes, then records the tunnel. `status` is read when the tunnel ends. */
export async function runTunnel(
  ctx: ProxyContext,
  admitted: Admitted,
  client: Duplex,
  upstream: Socket,
  head: Buffer,
  status: () => number,
  onUpstreamData?: (chunk: Buffer) => void,
): Promise<void> {
  ctx.tunnels.add(upstream);
  if (head.length > 0) upstream.write(head);
  const result = await splice(client, upstream, ctx.limits.idleTimeoutMs, onUpstreamData);
  ctx.tunnels.delete(upstream);
  recordOutcome(ctx, admitted, { status: status(), bytesIn: result.up + head.length, bytesOut: result.down, error: result.error });
}
