/**
 * A CONNECT or an Upgrade to the self-service host (`selfService.host`, e.g.
 * `wardgate.invalid:443`, or `GET http://wardgate.invalid/` with `Upgrade:
 * websocket`): the member's pages are answered by the proxy as ordinary
 * plain-HTTP requests only, and the host never resolves, so a tunnel or an
 * upgraded connection there could only end in a DNS failure (502) that says
 * nothing useful. It is refused on the socket instead, before
 * identification, classification or any lookup:
 *
 *   client ⇄ wardgate   403 "served over plain HTTP only: open http://HOST/requests"
 *
 * Browsers show their own "proxy refused the tunnel" page for any failed
 * CONNECT (they never render a proxy's body for one), so the status is what
 * they act on; curl and other tools show the body. The refusal gets a
 * `type: "self-service"` line (action `forbidden`, error `https-not-served`
 * or `upgrade-not-served`) and is counted as a self-service request in the
 * metrics, like the pages.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { normaliseAuthority, normaliseUrl } from '../classify/normalise-url.ts';
import { canonicalClientAddress } from '../directory/directory-store.ts';
import { toSelfServiceRecord } from '../log/self-service-record.ts';
import type { AdmissionDeps } from './admission.ts';
import { renderErrorPage } from './error-page.ts';
import { writeRawResponse } from './raw-response.ts';

/** The errors a refused tunnel or upgrade is logged with. */
export const HTTPS_NOT_SERVED = 'https-not-served';
export const UPGRADE_NOT_SERVED = 'upgrade-not-served';

/**
 * Whether a CONNECT target (`host:port`, kind `connect`) or an Upgrade's
 * URL (`http://…` or `ws://…`, kind `upgrade`) names the self-service host,
 * in any spelling the proxy accepts (case, trailing dot).
 */
export function namesSelfServiceHost(host: string, target: string, kind: 'connect' | 'upgrade'): boolean {
  try {
    return (kind === 'connect' ? normaliseAuthority(target) : normaliseUrl(target)).host === host;
  } catch {
    return false; // not a usable target at all: admit() answers it with 400 as usual
  }
}

/** Answers the CONNECT or Upgrade with 403 and closes the connection; writes its log line and counts it. */
export function refuseSelfServiceSocket(deps: AdmissionDeps, host: string, req: IncomingMessage, client: Duplex, kind: 'connect' | 'upgrade'): void {
  const startedAt = performance.now();
  const listUrl = `http://${host}/requests`;
  const body =
    kind === 'connect'
      ? renderErrorPage(
          403,
          'Not available over HTTPS',
          `${host} is the council proxy's own page for your access requests, and it is served over plain HTTP only. Open ${listUrl} (http://, not https://).`,
        )
      : renderErrorPage(
          403,
          'Not available here',
          `${host} is the council proxy's own page for your access requests: it serves ordinary pages only, not WebSocket or other upgraded connections. Open ${listUrl}.`,
        );
  writeRawResponse(client, 403, {}, body);
  const seconds = (performance.now() - startedAt) / 1000;
  const request = { id: randomUUID(), kind, method: req.method ?? (kind === 'connect' ? 'CONNECT' : 'GET'), client: canonicalClientAddress(req.socket.remoteAddress ?? ''), member: null, via: null } as const;
  deps.metrics.recordRequest(kind, 'self-service', '', seconds, null);
  deps.decisionLog.info(
    toSelfServiceRecord(request, {
      host,
      path: '',
      action: 'forbidden',
      status: 403,
      grant: null,
      error: kind === 'connect' ? HTTPS_NOT_SERVED : UPGRADE_NOT_SERVED,
      durationMs: Math.round(seconds * 1e6) / 1000,
    }),
  );
}
