/**
 * The JSON line `wardgate classify` prints for one URL, written field by
 * field into a ByteSink: byte for byte JSON.stringify(toClassifyLine(r))
 * (format `json`) or the compact line, without building the object or the
 * string (test/cli/classify-stdin.test.ts compares the two on real
 * classifier output, and test/cli/classify-format.test.ts on hand-made
 * decisions).
 *
 * Why by hand: in `classify --stdin` JSON.stringify of each line's tail,
 * and before that joining and re-encoding the lines, cost more than the
 * evaluation itself (bench/README.md, "classify --stdin"). The shapes
 * written here are the ones classification.ts and decision.ts declare, in
 * the property order the classifier builds them (its comment says to keep
 * it); a new field there shows up as a difference in those tests.
 */
import type { Classification, RuleMatch } from '../classify/classification.ts';
import type { Decision } from '../policy/decision.ts';
import { ByteSink, utf8Bytes } from './byte-sink.ts';

/** Output line formats: `json` (every field, the default) or `compact` (the verdict and the deciding rule). */
export const CLASSIFY_FORMATS = ['json', 'compact'] as const;
export type ClassifyFormat = (typeof CLASSIFY_FORMATS)[number];

/** What the line writer needs of one evaluated URL (classify-command.ts's UrlEvaluation). */
export type LineInput =
  | { readonly input: string; readonly error: string }
  | {
      readonly input: string;
      readonly target: { readonly url: string; readonly host: string };
      readonly evaluation: { readonly classification: Classification; readonly decision: Decision };
      readonly member: string | undefined;
    };

const b = utf8Bytes;
const INPUT_KEY = b('{"input":');
const ERROR_KEY = b(',"error":');
const TARGET_KEY = b(',"target":');
const HOST_KEY = b(',"host":');
const CATEGORIES_KEY = b(',"categories":');
const RULE_KEY = b(',"rule":');
const GRANTS_KEY = b(',"grants":');
const MATCHES_KEY = b(',"matches":');
const TRUSTED_TRUE = b(',"trusted":true');
const TRUSTED_FALSE = b(',"trusted":false');
const MEMBER_KEY = b(',"member":');
const NULL = b('null');
const EMPTY_ARRAY = b('[]');
const LINE_END = b('}\n');
const M_CATEGORY = b('{"category":');
const M_LIST = b(',"list":');
const M_KIND = b(',"kind":');
const M_ENTRY = b(',"entry":');
const M_FILE = b(',"file":');
const M_LINE = b(',"line":');
const M_GRANTABLE_TRUE = b(',"grantable":true');
const M_GRANTABLE_FALSE = b(',"grantable":false');
const M_SOURCE = b(',"source":');
const C_LIST = b('{"list":');
const COMMA = 0x2c;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const BRACE_CLOSE = 0x7d;
const NEWLINE = 0x0a;

/** `,"decision":"<action>","reason":"<reason>"` per action and reason, made once each. */
const verdicts = new Map<string, Map<string, Uint8Array>>();

function verdictBytes(action: string, reason: string): Uint8Array {
  let byReason = verdicts.get(action);
  if (byReason === undefined) verdicts.set(action, (byReason = new Map()));
  let bytes = byReason.get(reason);
  if (bytes === undefined) byReason.set(reason, (bytes = b(`,"decision":${JSON.stringify(action)},"reason":${JSON.stringify(reason)}`)));
  return bytes;
}

function writeStrings(sink: ByteSink, list: readonly string[]): void {
  if (list.length === 0) {
    sink.bytes(EMPTY_ARRAY);
    return;
  }
  sink.byte(OPEN);
  for (let i = 0; i < list.length; i++) {
    if (i > 0) sink.byte(COMMA);
    sink.jsonString(list[i]!);
  }
  sink.byte(CLOSE);
}

/** JSON.stringify(match) for a RuleMatch (all eight fields, in the classifier's order). */
function writeMatch(sink: ByteSink, m: RuleMatch): void {
  sink.bytes(M_CATEGORY);
  sink.jsonString(m.category);
  sink.bytes(M_LIST);
  sink.jsonString(m.list);
  sink.bytes(M_KIND);
  sink.jsonString(m.kind);
  sink.bytes(M_ENTRY);
  sink.jsonString(m.entry);
  sink.bytes(M_FILE);
  sink.jsonString(m.file);
  sink.bytes(M_LINE);
  sink.number(m.line);
  sink.bytes(m.grantable ? M_GRANTABLE_TRUE : M_GRANTABLE_FALSE);
  sink.bytes(M_SOURCE);
  sink.jsonString(m.source);
  sink.byte(BRACE_CLOSE);
}

/** One line and its newline: the `json` line or the `compact` one. */
export function writeClassifyLine(sink: ByteSink, result: LineInput, format: ClassifyFormat): void {
  sink.bytes(INPUT_KEY);
  const inputStart = sink.position;
  const inputBuffer = sink.generation;
  sink.jsonString(result.input);
  const inputEnd = sink.position;
  if ('error' in result) {
    sink.bytes(ERROR_KEY);
    sink.jsonString(result.error);
    sink.bytes(LINE_END);
    return;
  }
  const { target, evaluation, member } = result;
  const { classification, decision } = evaluation;
  if (format === 'json') {
    sink.bytes(TARGET_KEY);
    // Most URLs are already canonical: copy the input's quoted bytes rather than quote the same text again.
    if (target.url !== result.input || !sink.copy(inputStart, inputEnd, inputBuffer)) sink.jsonString(target.url);
  }
  sink.bytes(HOST_KEY);
  sink.jsonString(target.host);
  sink.bytes(verdictBytes(decision.action, decision.reason));
  sink.bytes(CATEGORIES_KEY);
  writeStrings(sink, decision.categories);
  sink.bytes(RULE_KEY);
  const rule = decision.rule;
  const ruleStart = sink.position;
  const ruleBuffer = sink.generation;
  if (rule === undefined) {
    sink.bytes(NULL);
  } else if (format === 'json') {
    writeMatch(sink, rule);
  } else {
    sink.bytes(C_LIST);
    sink.jsonString(rule.list);
    sink.bytes(M_KIND);
    sink.jsonString(rule.kind);
    sink.bytes(M_ENTRY);
    sink.jsonString(rule.entry);
    sink.byte(BRACE_CLOSE);
  }
  const ruleEnd = sink.position;
  sink.bytes(GRANTS_KEY);
  writeStrings(sink, decision.grantIds);
  if (format === 'json') {
    sink.bytes(MATCHES_KEY);
    const matches = classification.matches;
    if (matches.length === 0) {
      sink.bytes(EMPTY_ARRAY);
    } else {
      sink.byte(OPEN);
      for (let i = 0; i < matches.length; i++) {
        if (i > 0) sink.byte(COMMA);
        const match = matches[i]!;
        // The deciding rule is usually one of the matches, just written: copy its bytes.
        if (match !== rule || !sink.copy(ruleStart, ruleEnd, ruleBuffer)) writeMatch(sink, match);
      }
      sink.byte(CLOSE);
    }
    sink.bytes(classification.trusted ? TRUSTED_TRUE : TRUSTED_FALSE);
  }
  if (member !== undefined) {
    sink.bytes(MEMBER_KEY);
    sink.jsonString(member);
  }
  sink.bytes(LINE_END);
}

/** The line as a string, without its newline (`lists test --json`, tests). */
export function classifyLineText(result: LineInput, format: ClassifyFormat = 'json'): string {
  const text = ByteSink.render((sink) => writeClassifyLine(sink, result, format));
  return text.slice(0, -1);
}
