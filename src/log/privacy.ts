/**
 * How much of a request's target the decision log keeps. Councils choose
 * under their records and data-protection policies:
 *
 *   full      the canonical URL, query included
 *   no-query  the URL without its query string (search terms, tokens and
 *             e-mail addresses travel in queries; the path still shows what
 *             was blocked)
 *   host      scheme://host[:port] only: which site, not which page
 *
 * Applied in the decision logger (a pino `formatters.log` hook), so every
 * destination (the files and, when configured, stdout) gets the same reduced
 * value and the full URL is never written anywhere.
 */
import type { PrivacyMode } from '../config/config.ts';

export type { PrivacyMode };

export const PRIVACY_MODES: readonly PrivacyMode[] = ['full', 'no-query', 'host'];

/**
 * Reduces a canonical URL (`scheme://authority/path?query`) for `mode`. A
 * URL without a scheme (a grant's `url:` prefix, `example.com/reports/`) is
 * cut the same way: `host` keeps the authority.
 */
export function reduceUrl(url: string, mode: PrivacyMode): string {
  if (mode === 'full' || url === '') return url;
  if (mode === 'no-query') {
    const cut = url.search(/[?#]/);
    return cut === -1 ? url : url.slice(0, cut);
  }
  const scheme = url.indexOf('://');
  const authorityStart = scheme === -1 ? 0 : scheme + 3;
  const pathStart = url.slice(authorityStart).search(/[/?#]/);
  return pathStart === -1 ? url : url.slice(0, authorityStart + pathStart);
}

/**
 * The pino `formatters.log` hook for `mode`, or undefined for `full` (no hook:
 * nothing to do on the hot path). Reduces `target` on decision records and a
 * `url:` scope on staff records.
 */
export function privacyFormatter(mode: PrivacyMode): ((record: Record<string, unknown>) => Record<string, unknown>) | undefined {
  if (mode === 'full') return undefined;
  return (record) => {
    const target = record.target;
    if (typeof target === 'string' && target !== '') return { ...record, target: reduceUrl(target, mode) };
    const scope = record.scope;
    if (typeof scope === 'string' && scope.startsWith('url:')) return { ...record, scope: `url:${reduceUrl(scope.slice(4), mode)}` };
    return record;
  };
}
