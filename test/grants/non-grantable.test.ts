import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadListsSnapshot } from '../../src/compose.ts';
import { grantPolicyFromLists, createNonGrantableCheck } from '../../src/grants/non-grantable.ts';
import { assertGrantable, canonicalScope } from '../../src/grants/grant-rules.ts';
import { isWfError } from '../../src/errors.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/proxy-categories', import.meta.url));

async function lists(categories: Record<string, { enforced?: boolean; grantable?: boolean }> = {}) {
  return loadListsSnapshot({ categoriesDir: FIXTURES, categories, classifyCacheSize: 100 });
}

test('non-grantable: a sub-list marked non-grantable refuses its domain and URLs under it, naming the list', async () => {
  const { policy, classifier } = await lists();
  const check = createNonGrantableCheck(policy, classifier);
  for (const scope of [
    canonicalScope({ kind: 'domain', domain: 'never-grant.test' }),
    canonicalScope({ kind: 'domain', domain: 'www.never-grant.test' }),
    canonicalScope({ kind: 'url', prefix: 'never-grant.test/some/page' }),
  ]) {
    const why = check(scope);
    assert.ok(why !== null && why.includes('illegal/child-abuse') && why.includes('line 1'), `${JSON.stringify(scope)}: ${why}`);
  }
  // Its parent category stays grantable; the decision core still never lets a grant unlock the sub-list.
  assert.equal(check({ kind: 'category', category: 'illegal' }), null);
  assert.equal(check(canonicalScope({ kind: 'domain', domain: 'blocked-porn.test' })), null);
  assert.equal(check(canonicalScope({ kind: 'url', prefix: 'blocked-porn.test/a' })), null);
  assert.equal(check(canonicalScope({ kind: 'domain', domain: 'uncategorised.test' })), null);
});

test('non-grantable: a category configured non-grantable refuses the category and its sites', async () => {
  const { policy, classifier } = await lists({ pornography: { grantable: false } });
  const grantPolicy = grantPolicyFromLists(policy, classifier, { defaultExpiryDays: 30, maxExpiryDays: 60 });
  assert.equal(grantPolicy.defaultExpiryDays, 30);
  assert.equal(grantPolicy.maxExpiryDays, 60);
  for (const scope of [{ kind: 'category', category: 'pornography' }, { kind: 'domain', domain: 'blocked-porn.test' }] as const) {
    assert.throws(
      () => assertGrantable(canonicalScope(scope), grantPolicy),
      (e: unknown) => isWfError(e, 'WF_ERR_FORBIDDEN') && e.message.includes('pornography'),
    );
  }
  assert.doesNotThrow(() => assertGrantable({ kind: 'category', category: 'chat' }, grantPolicy));
  assert.equal(grantPolicy.isKnownCategory('weapons'), true, 'every council category is known, even without a folder');
  assert.equal(grantPolicy.isKnownCategory('knitting'), false);
});
