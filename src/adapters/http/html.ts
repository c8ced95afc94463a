/** HTML-escaped text; the only way values reach a page. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

/** Tagged template: interpolations are escaped unless they are SafeHtml (or arrays of it). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return new SafeHtml(out);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(value);
}

export function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <style>
          body {
            font:
              16px/1.5 system-ui,
              sans-serif;
            max-width: 72rem;
            margin: 2rem auto;
            padding: 0 1rem;
            color: #1f2328;
          }
          h1 {
            font-size: 1.5rem;
          }
          dt {
            font-weight: 600;
          }
          dd {
            margin: 0 0 0.75rem;
          }
          .button,
          button {
            display: inline-block;
            padding: 0.5rem 1rem;
            border-radius: 6px;
            border: 1px solid #1f6feb;
            background: #1f6feb;
            color: #fff;
            text-decoration: none;
            font: inherit;
            cursor: pointer;
          }
          .status {
            font-weight: 600;
          }
          .error {
            color: #b42318;
          }
        </style>
      </head>
      <body>
        <main>${body}</main>
      </body>
    </html>`.value;
}

/** A UTC date and time for people, with the machine-readable instant; `none` when there is no date. */
export function timeTag(date: Date | null, none: string): SafeHtml | string {
  return date === null
    ? none
    : html`<time datetime="${date.toISOString()}"
        >${date.toISOString().replace('T', ' ').slice(0, 16)} UTC</time
      >`;
}
