/** Short pages for answers the proxy gives itself: upstream failures, bad requests, authentication. */
import { escapeHtml, renderPage } from './html.ts';

export function renderErrorPage(status: number, heading: string, detail: string, requestId?: string): string {
  const ref = requestId === undefined ? '' : `\n<p class="ref">Reference: ${escapeHtml(requestId)}</p>`;
  return renderPage(`${status} ${heading}`, `<h1>${escapeHtml(heading)}</h1>\n<p>${escapeHtml(detail)}</p>${ref}`);
}
