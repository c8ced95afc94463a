import { createHash } from 'node:crypto';

/**
 * The pages' one stylesheet, served by the service itself (no CDN). Text colours keep at least 4.5:1 contrast on
 * their backgrounds and chart marks at least 3:1 (a scheduled bar by its outline) (WCAG AA); focus is always
 * visible.
 */
export const STYLESHEET = `
:root {
  --text: #1f2328;
  --muted: #57606a;
  --border: #d0d7de;
  --surface: #f6f8fa;
  --accent: #0b5cd5;
  --accent-text: #ffffff;
  --danger: #b42318;
  --ok: #1a7f37;
  --bar: #0b5cd5;
  --bar-ahead: #dbe9fc;
  color-scheme: light;
}
* { box-sizing: border-box; }
body {
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  margin: 0;
  color: var(--text);
  background: #fff;
}
main { max-width: 80rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.5rem; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 0.75rem; }
a { color: var(--accent); }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
nav[aria-label="Admin"] {
  display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem;
  padding: 0.75rem 0; margin-bottom: 1rem; border-bottom: 1px solid var(--border);
}
nav[aria-label="Admin"] a { text-decoration: none; font-weight: 500; }
nav[aria-label="Admin"] a[aria-current="page"] { color: var(--text); border-bottom: 2px solid var(--accent); }
small, .muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
th, td { text-align: left; padding: 0.5rem 0.6rem; border-bottom: 1px solid var(--border); vertical-align: top; }
thead th { background: var(--surface); font-weight: 600; white-space: nowrap; }
tbody tr:hover { background: #fafbfc; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
th a { color: inherit; text-decoration: none; }
th a:hover { text-decoration: underline; }
dt { font-weight: 600; }
dd { margin: 0 0 0.75rem; }
.button, button {
  display: inline-block; padding: 0.45rem 0.9rem; border-radius: 6px;
  border: 1px solid var(--accent); background: var(--accent); color: var(--accent-text);
  text-decoration: none; font: inherit; cursor: pointer;
}
.button.secondary, button.secondary { background: #fff; color: var(--accent); }
input, select, textarea {
  font: inherit; padding: 0.4rem 0.5rem; border: 1px solid #8c959f; border-radius: 6px; background: #fff;
  color: var(--text);
}
label { font-weight: 500; }
form.inline { display: inline; }
form.filters { display: flex; flex-wrap: wrap; gap: 0.75rem 1rem; align-items: flex-end; margin: 0 0 1rem; }
form.filters p { margin: 0; display: flex; flex-direction: column; gap: 0.25rem; }
.status { font-weight: 600; }
.error { color: var(--danger); }
.notice { padding: 0.6rem 0.8rem; border-radius: 6px; background: #ddf4ff; border: 1px solid #54aeff; }
.cards { display: flex; flex-wrap: wrap; gap: 1rem; margin: 0 0 1.5rem; padding: 0; list-style: none; }
.cards > li { border: 1px solid var(--border); border-radius: 8px; padding: 0.75rem 1rem; min-width: 10rem; }
.cards .figure { display: block; font-size: 1.35rem; font-weight: 600; }
.pager { display: flex; gap: 1rem; align-items: center; }
.sparkline rect { fill: var(--bar); }
.sparkline .baseline, .cadence .grid { stroke: var(--border); stroke-width: 1; }
.cadence .bar { fill: var(--bar); }
.cadence .bar.scheduled { fill: var(--bar-ahead); stroke: var(--accent); stroke-width: 1.5; }
.cadence .today { stroke: var(--muted); stroke-dasharray: 3 3; }
.cadence .axis { fill: var(--muted); font-size: 11px; }
.chart { overflow-x: auto; }
.visually-hidden {
  position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0;
}
`;

/** Changes with the stylesheet, so pages can link it with a long cache lifetime. */
export const STYLESHEET_PATH = `/assets/app-${createHash('sha256').update(STYLESHEET).digest('hex').slice(0, 12)}.css`;
