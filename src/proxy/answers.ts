/**
 * The proxy's own answers, as values (status, headers, body) so that HTTP
 * responses and raw CONNECT/Upgrade sockets say exactly the same thing.
 */
import type { WfError } from '../errors.ts';
import type { CategoryPolicy } from '../policy/policy-model.ts';
import type { Admitted, Refused } from './admission.ts';
import { renderBlockPage } from './block-page.ts';
import { renderErrorPage } from './error-page.ts';
import type { SelfService } from './self-service.ts';

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export const PROXY_REALM = 'wardgate';

export function refusalAnswer(refused: Refused): Answer {
  if (refused.status === 407) {
    return {
      status: 407,
      headers: { 'proxy-authenticate': `Basic realm="${PROXY_REALM}", charset="UTF-8"` },
      body: renderErrorPage(407, 'Sign in to use the council proxy', refused.message, refused.request.id),
    };
  }
  return { status: 400, headers: {}, body: renderErrorPage(400, 'Bad request', refused.message, refused.request.id) };
}

/** With `selfService`, a grantable block offers the "Ask for access" form (plain HTTP only: browsers show no page for a refused tunnel). */
export function blockAnswer(admitted: Admitted, selfService?: SelfService, now: number = Date.now()): Answer {
  const { decision } = admitted.evaluation;
  const categories = decision.categories
    .map((id) => admitted.snapshot.policy.categories.get(id))
    .filter((c): c is CategoryPolicy => c !== undefined);
  const group = admitted.snapshot.directory.groups.get(admitted.member.groupId);
  const headers = {
    'x-wardgate-decision': 'block',
    'x-wardgate-categories': decision.categories.join(','),
    'x-wardgate-request-id': admitted.request.id,
  };
  if (decision.reason === 'port-not-allowed') {
    const detail = `Connections to port ${admitted.target.port} are not allowed through the council proxy.`;
    return { status: 403, headers, body: renderErrorPage(403, 'Port not allowed', detail, admitted.request.id) };
  }
  const body = renderBlockPage({
    url: admitted.target.url,
    categories,
    memberId: admitted.member.id,
    memberName: admitted.member.name,
    groupName: group?.name ?? admitted.member.groupId,
    requestId: admitted.request.id,
    internalError: decision.reason === 'internal-error',
    grantable: everyMatchGrantable(admitted),
    ask: selfService?.askForm(admitted.target, admitted.member, admitted.evaluation, admitted.snapshot, now) ?? null,
  });
  return { status: 403, headers, body };
}

export function upstreamErrorAnswer(error: WfError, requestId: string): Answer {
  const status = error.httpStatus ?? 502;
  const heading = status === 504 ? 'The site did not answer in time' : 'The site could not be reached';
  return { status, headers: { 'x-wardgate-error': error.code }, body: renderErrorPage(status, heading, `${error.message}.`, requestId) };
}

/** Whether a grant could ever unlock this request: every enforced match must be grantable. */
function everyMatchGrantable(admitted: Admitted): boolean {
  const { policy } = admitted.snapshot;
  return admitted.evaluation.classification.matches.every((m) => {
    const category = policy.categories.get(m.category);
    return category === undefined || !category.enforced || (category.grantable && m.grantable);
  });
}
