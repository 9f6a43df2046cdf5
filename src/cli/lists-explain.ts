/**
 * lists-explain: the human-readable answer of `wardgate lists test` — "why
 * was this blocked?" — for one evaluated URL:
 *
 *   http://www.example-porn.test/x
 *     decision:   block: pornography
 *     decided by: domain example-porn.test in ut1/pornography/adult/domains:3 (imported list ut1:pornography/adult)
 *     matches:
 *       * domain  example-porn.test  pornography  ut1/pornography/adult/domains:3  imported  ut1:pornography/adult
 *         domain  example-porn.test  pornography  pornography/domains:12           local     pornography
 *     trusted:    no
 *
 * The `*` marks the match that decided. Text from list files is printed with
 * control characters replaced, so a list cannot move the cursor.
 */
import type { RuleMatch } from '../classify/classification.ts';
import type { Policy } from '../policy/policy-model.ts';
import type { UrlEvaluation } from './url-evaluation.ts';

function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

function where(m: RuleMatch): string {
  return `${m.file}:${m.line}`;
}

function describeDecision(result: Extract<UrlEvaluation, { target: unknown }>): string {
  const { decision, classification } = result.evaluation;
  switch (decision.reason) {
    case 'uncategorised':
      return 'allow: no list matched';
    case 'not-enforced': {
      const off = [...new Set(classification.matches.map((m) => m.category))].join(', ');
      return `allow: matched only categories that are not enforced (${off}; see categories.<id>.enforced)`;
    }
    case 'category': {
      const never = decision.rule !== undefined && !decision.rule.grantable ? '; no grant can ever unlock it' : '';
      return `block: ${decision.categories.join(', ')}${never}`;
    }
    case 'grant':
      return `allow-by-grant: ${decision.categories.join(', ')} unlocked by grant ${decision.grantIds.join(', ')}`;
    case 'internal-error':
      return `block: internal error (${String((result.evaluation.error as Error | undefined)?.message ?? 'unknown')}): fail closed`;
    default:
      return `${decision.action}: ${decision.reason}`;
  }
}

function matchRows(matches: readonly RuleMatch[], decided: RuleMatch | undefined, policy: Policy): string[][] {
  return matches.map((m) => {
    const enforced = policy.categories.get(m.category)?.enforced === true;
    const decidedHere = decided !== undefined && m.list === decided.list && m.kind === decided.kind && m.entry === decided.entry && m.file === decided.file && m.line === decided.line;
    return [
      decidedHere ? '*' : ' ',
      m.kind,
      clean(m.entry),
      enforced ? m.category : `${m.category} (not enforced)`,
      clean(where(m)),
      m.source,
      clean(m.list),
    ];
  });
}

function columns(rows: readonly string[][], indent: string): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => [...r[i]!].length))) ?? [];
  return rows.map((r) => `${indent}${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}`.trimEnd()).join('\n');
}

/** Writes the explanation of one evaluated URL, then a blank line. */
export function writeExplanation(out: { write(text: string): unknown }, result: UrlEvaluation, policy: Policy): void {
  if ('error' in result) {
    out.write(`${clean(result.input)}\n  error:      ${clean(result.error)}\n\n`);
    return;
  }
  const { classification, decision } = result.evaluation;
  const lines = [clean(result.target.url), `  decision:   ${describeDecision(result)}`];
  const rule = decision.rule;
  if (rule !== undefined) {
    const origin = rule.source === 'imported' ? `imported list ${clean(rule.list)}` : `council list ${clean(rule.list)}`;
    lines.push(`  decided by: ${rule.kind} ${clean(rule.entry)} in ${clean(where(rule))} (${origin})`);
  }
  if (classification.matches.length === 0) lines.push('  matches:    none');
  else lines.push('  matches:', columns(matchRows(classification.matches, rule, policy), '    '));
  lines.push(`  trusted:    ${classification.trusted ? 'yes: a trusted site, so keyword and imported-list matches do not apply' : 'no'}`);
  if (result.member !== undefined) lines.push(`  member:     ${clean(result.member)}`);
  out.write(`${lines.join('\n')}\n\n`);
}
