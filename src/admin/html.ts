/**
 * Safe HTML by construction: `html` is a tagged template whose every
 * interpolated value is escaped, unless it is itself an `Html` value made by
 * `html` (or `raw`, for constant markup only). Arrays are joined. null,
 * undefined and false render as nothing. So a member's hostile reason
 * (`<script>…`) is text on the page, never markup, wherever it is shown.
 */
const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

export class Html {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new Html(out);
}

/** Constant markup written in this code base; never for anything a person typed. */
export function raw(markup: string): Html {
  return new Html(markup);
}
