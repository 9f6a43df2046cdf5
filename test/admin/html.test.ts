/** The html template escapes every value; only Html values pass through. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, html, raw } from '../../src/admin/html.ts';

test('interpolated text is escaped in content and attributes; nested html is not escaped twice', () => {
  const hostile = `<script>alert('x')</script>"&\``;
  const out = html`<p title="${hostile}">${hostile}${html`<b>${hostile}</b>`}</p>`.text;
  const escaped = '&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;&#96;';
  assert.equal(out, `<p title="${escaped}">${escaped}<b>${escaped}</b></p>`);
  assert.equal(escapeHtml('a & b'), 'a &amp; b');
});

test('arrays join, null/undefined/false render nothing, numbers print, raw passes constant markup', () => {
  assert.equal(html`${['<a>', html`<i>x</i>`]}|${null}|${undefined}|${false}|${0}|${raw('<hr>')}`.text, '&lt;a&gt;<i>x</i>||||0|<hr>');
});

test('an audit change reads as the fields that changed, before → after', async () => {
  const { describeChange } = await import('../../src/admin/pages/grant-pages.ts');
  assert.equal(
    describeChange({ status: 'pending', decidedBy: null, updatedAt: 'a' }, { status: 'approved', decidedBy: 'gsm1', updatedAt: 'b' }),
    'status: pending → approved\ndecidedBy: — → gsm1',
  );
  assert.equal(describeChange(null, { id: 'g_1', status: 'pending', note: null }), 'id: g_1\nstatus: pending');
  assert.equal(describeChange({ a: 1 }, { a: 1 }), 'no field changed');
});
