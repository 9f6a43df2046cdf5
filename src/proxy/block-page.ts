/**
 * The page a member sees when a request is blocked: which category, what the
 * council's policy says it covers, the address asked for (escaped: it is
 * attacker-controlled), who the proxy thinks they are, and how to ask their
 * Group Support Manager for an exclusion (Appendix A, EXCLUSIONS).
 */
import type { CategoryPolicy } from '../policy/policy-model.ts';
import { escapeHtml, renderPage } from './html.ts';
import { renderAskForm, type AskForm } from './self-service-pages.ts';

export interface BlockPageInput {
  readonly url: string;
  readonly categories: readonly CategoryPolicy[];
  readonly memberName: string;
  readonly memberId: string;
  readonly groupName: string;
  readonly requestId: string;
  readonly internalError: boolean;
  /** True when every matched category may be granted. */
  readonly grantable: boolean;
  /** The "Ask for access" form (self-service on and the block grantable), or null for the written-request advice. */
  readonly ask?: AskForm | null;
}

export function renderBlockPage(input: BlockPageInput): string {
  const categories = input.categories
    .map(
      (c) =>
        `<div class="category"><strong>${escapeHtml(c.title)}</strong>${c.definition === '' ? '' : ` — ${escapeHtml(c.definition)}`}</div>`,
    )
    .join('\n');
  const why = input.internalError
    ? '<p>wardgate could not check this address, so it has been blocked to be safe. Please try again shortly; if it keeps happening, tell ICT and quote the reference below.</p>'
    : `<p>This address falls in a category of sites that the Members' ICT Usage Guidelines say must not be visited from Council-provided equipment:</p>\n${categories}`;
  const ask = input.internalError
    ? ''
    : !input.grantable
      ? '<p>Access to this content cannot be granted by anyone.</p>'
      : input.ask !== undefined && input.ask !== null
        ? `<h2>Ask for access</h2>
<p>If you need this for your work as a Member, you may ask your Group Support Manager (${escapeHtml(input.groupName)} group) for an exclusion. Access is approved case by case, for a limited time.</p>
${renderAskForm(input.ask)}`
        : `<h2>If you need this for your work as a Member</h2>
<p>You may ask for an exclusion. Send a written request to your Group Support Manager (${escapeHtml(input.groupName)} group) saying which address you need, why you need it for your duties, and for how long. Quote the reference below. Access is approved case by case.</p>`;
  const body = `<h1>This site is blocked</h1>
${why}
<dl>
<dt>Address</dt><dd>${escapeHtml(input.url)}</dd>
<dt>Member</dt><dd>${escapeHtml(input.memberName)} (${escapeHtml(input.memberId)})</dd>
</dl>
${ask}
<p class="ref">Reference: ${escapeHtml(input.requestId)}</p>`;
  return renderPage('Blocked by wardgate', body);
}
