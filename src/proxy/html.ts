/** HTML escaping and the shared page frame for every page the proxy writes itself. */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** A complete, self-contained page (no external resources: the proxy may be all the member can reach). */
export function renderPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Arial,sans-serif;margin:0;background:#f3f2f1;color:#0b0c0c}
main{max-width:46rem;margin:2rem auto;background:#fff;padding:1.5rem 2rem;border-top:6px solid #1d70b8}
h1{font-size:1.6rem;margin:.2rem 0 1rem}
dt{font-weight:600;margin-top:.6rem}
dd{margin:0 0 .2rem 0;overflow-wrap:anywhere}
.category{border-left:4px solid #d4351c;padding:.2rem .8rem;margin:.8rem 0}
.ref{color:#505a5f;font-size:.9rem}
fieldset{border:0;padding:0;margin:1rem 0}legend{font-weight:600}
textarea,input[type=number]{font:inherit;max-width:100%}
.hint{color:#505a5f;font-size:.9rem}
.problem{border-left:4px solid #d4351c;padding:.2rem .8rem}.done{border-left:4px solid #00703c;padding:.2rem .8rem}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #b1b4b6;padding:.4rem;text-align:left;vertical-align:top}
caption{text-align:left;color:#505a5f}.reason{white-space:pre-wrap;overflow-wrap:anywhere}
@media print{body{background:#fff}main{margin:0;border:0;max-width:none}form.ask{display:none}}
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}
