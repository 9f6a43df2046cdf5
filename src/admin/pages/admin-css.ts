/**
 * The admin UI's one style sheet, served as /static/admin.css (the CSP
 * allows no inline style). Plain, high-contrast, readable at 200% zoom, and
 * printable: navigation and forms are left off paper.
 */
export const ADMIN_CSS = `
:root { color-scheme: light; --fg: #1b1b1b; --muted: #505a5f; --line: #b1b4b6; --accent: #1d70b8; --bad: #d4351c; --ok: #00703c; }
* { box-sizing: border-box; }
body { margin: 0; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: var(--fg); background: #fff; }
a { color: var(--accent); }
a:focus, button:focus, input:focus, select:focus, textarea:focus { outline: 3px solid #ffdd00; outline-offset: 0; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #ffdd00; padding: .5rem; }
header.site { background: #0b0c0c; color: #fff; padding: .5rem 1rem; display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; }
header.site .brand { font-weight: 700; margin-right: auto; }
header.site .who { color: #ddd; }
header.site button { background: none; border: 1px solid #fff; color: #fff; }
nav.main ul { list-style: none; margin: 0; padding: 0 1rem; display: flex; flex-wrap: wrap; gap: 1rem; border-bottom: 1px solid var(--line); }
nav.main a { display: inline-block; padding: .5rem 0; }
nav.main a[aria-current="page"] { font-weight: 700; border-bottom: 4px solid var(--accent); }
main { padding: 1rem; max-width: 80rem; }
h1 { font-size: 1.75rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.3rem; margin: 1.5rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: 700; padding: .25rem 0; }
th, td { text-align: left; vertical-align: top; padding: .4rem .5rem; border-bottom: 1px solid var(--line); }
th { background: #f3f2f1; }
td.reason, td.note { white-space: pre-wrap; word-break: break-word; max-width: 30rem; }
.message { border-left: 6px solid var(--accent); padding: .5rem 1rem; margin: 1rem 0; background: #f3f2f1; }
.message.error { border-color: var(--bad); }
.message.ok { border-color: var(--ok); }
form.inline { display: inline; }
fieldset { border: 1px solid var(--line); margin: .5rem 0 1rem; padding: .5rem 1rem 1rem; }
legend { font-weight: 700; }
label { display: block; margin: .5rem 0 .2rem; font-weight: 600; }
.hint { color: var(--muted); font-size: .9rem; margin: 0 0 .2rem; }
input[type=text], input[type=password], input[type=number], input[type=date], select, textarea { font: inherit; padding: .3rem; border: 2px solid #0b0c0c; max-width: 100%; }
textarea { width: 40rem; height: 5rem; }
button { font: inherit; padding: .35rem .9rem; border: 0; background: var(--ok); color: #fff; cursor: pointer; margin-top: .5rem; }
button.warn { background: var(--bad); }
button.plain { background: #f3f2f1; color: var(--fg); border: 1px solid var(--line); }
.filters { display: flex; flex-wrap: wrap; gap: 0 1rem; align-items: flex-end; }
.status-pending { font-weight: 700; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; white-space: pre-wrap; word-break: break-word; }
pre.json { white-space: pre-wrap; word-break: break-word; font-size: .85rem; margin: 0; }
@media print {
  header.site form, nav.main, .skip, form, .no-print { display: none !important; }
  body { font-size: 10pt; }
  header.site { background: none; color: #000; border-bottom: 1px solid #000; padding: 0 0 .25rem; }
  header.site .who { color: #000; }
  main { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  th { background: none; }
  table { page-break-inside: auto; }
  tr { page-break-inside: avoid; }
}
`;
