const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f1f3f4; color: #202124; }
  main { max-width: 28rem; margin: 3rem auto; padding: 2rem; background: #fff; border-radius: 8px; }
  h1 { font-size: 1.5rem; font-weight: 500; margin-top: 0; }
  ul { list-style: none; padding: 0; }
  button { display: block; width: 100%; padding: .75rem 1rem; margin: .5rem 0; font: inherit; text-align: left;
           background: #fff; border: 1px solid #dadce0; border-radius: 4px; cursor: pointer; }
  button:hover, button:focus-visible { background: #e8f0fe; outline: 2px solid #1a73e8; }
  .email { display: block; color: #5f6368; font-size: .875rem; }
  code { word-break: break-all; }
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

export interface ConsentPageInput {
  users: Array<{ email: string; name?: string }>;
  scope: string;
  /** The authorization request, carried to the approve endpoint as hidden fields. */
  fields: Record<string, string>;
}

/** The sandbox's stand-in for Google's account chooser and consent screen. */
export function renderConsentPage({ users, scope, fields }: ConsentPageInput): string {
  const hidden = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
  const accounts = users
    .map(
      (user) =>
        `<li><button type="submit" name="email" value="${escapeHtml(user.email)}">` +
        `${escapeHtml(user.name ?? user.email)}<span class="email">${escapeHtml(user.email)}</span></button></li>`,
    )
    .join('\n');
  const choice =
    users.length === 0
      ? '<p>No sandbox users yet: add one with <code>sandbox.addUser()</code>.</p>'
      : `<ul aria-label="Accounts">\n${accounts}\n</ul>`;
  return page(
    'Sign in - Google Sandbox',
    `<h1>Choose an account</h1>
<p>The app asks for access to: <code>${escapeHtml(scope)}</code></p>
<form method="post" action="auth/approve">
${hidden}
${choice}
<button type="submit" name="decision" value="deny">Cancel (deny access)</button>
</form>`,
  );
}

/** Google's error page for a malformed authorization request, e.g. "Error 400: invalid_request". */
export function renderErrorPage(heading: string, detail: string): string {
  return page(heading, `<h1>${escapeHtml(heading)}</h1>\n<p>${escapeHtml(detail)}</p>`);
}
