import { html, type SafeHtml } from './html';

const NAV_LINKS = [
  ['/admin', 'Connections'],
  ['/admin/accounts', 'Accounts'],
  ['/admin/meetings', 'Unmatched meetings'],
  ['/admin/import', 'Import and export CSV'],
  ['/admin/webhooks', 'Webhooks'],
  ['/profile', 'My Profile'],
] as const;

export type AdminSection = (typeof NAV_LINKS)[number][0];

/** The admin pages' navigation; `current` is the section the page belongs to. */
export function adminNav(current?: AdminSection): SafeHtml {
  return html`<nav aria-label="Admin">
    ${NAV_LINKS.map(
      ([href, label]) =>
        html`<a href="${href}" ${href === current ? html`aria-current="page"` : ''}>${label}</a>`,
    )}
  </nav>`;
}
