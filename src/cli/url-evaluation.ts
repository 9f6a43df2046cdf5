/**
 * url-evaluation: one URL through normaliseUrl and evaluate(), as the proxy
 * would decide it, for `wardgate classify`, `lists test` and the worker
 * threads of `classify --stdin --jobs`. Kept apart from classify-command.ts
 * so that a worker thread loads only this and the classifier: the command's
 * config loading brings in zod, ≈130 ms of module loading per thread.
 */
import { normaliseUrl } from '../classify/normalise-url.ts';
import type { Target } from '../classify/target.ts';
import type { ListsSnapshot } from '../compose.ts';
import type { DirectorySnapshot } from '../directory/directory-snapshot.ts';
import { isWfError } from '../errors.ts';
import { evaluate, type Evaluation } from '../pipeline/evaluate.ts';
import { SnapshotHolder, type RuntimeSnapshot } from '../pipeline/runtime-snapshot.ts';

/** What classify evaluates against: the lists' classifier and policy, the directory, and no grants. */
export function evaluationSnapshot(lists: Pick<ListsSnapshot, 'classifier' | 'policy'>, directory: DirectorySnapshot): RuntimeSnapshot {
  return new SnapshotHolder({ classifier: lists.classifier, policy: lists.policy, directory, grants: new Map() }).current;
}

/** One URL, evaluated: the canonical target and what the proxy would do, or why the URL is unusable. */
export type UrlEvaluation =
  | { readonly input: string; readonly error: string }
  | { readonly input: string; readonly target: Target; readonly evaluation: Evaluation; readonly member: string | undefined };

const ASSUME_HTTP = Object.freeze({ assumeHttp: true });

/** Runs `raw` through normaliseUrl and evaluate(), exactly as the proxy would for `memberId`. */
export function evaluateUrl(raw: string, snapshot: RuntimeSnapshot, memberId: string | undefined, now: number = Date.now()): UrlEvaluation {
  let target: Target;
  try {
    target = normaliseUrl(raw, ASSUME_HTTP);
  } catch (error) {
    if (isWfError(error, 'WF_ERR_BAD_TARGET')) return { input: raw, error: error.message };
    throw error;
  }
  const member = memberId === undefined ? undefined : snapshot.directory.members.get(memberId);
  return { input: raw, target, evaluation: evaluate(target, member, snapshot, now), member: memberId };
}
