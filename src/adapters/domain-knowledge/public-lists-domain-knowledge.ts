import { DOMAINS as FREE_MAIL_DOMAINS } from 'free-email-domains-list/build/src/constants';
import { getDomain } from 'tldts';

import type { DomainKnowledge } from '../../domain/account-matcher';

/**
 * Domain facts from maintained npm packages: the Public Suffix List (tldts, private suffixes included so that
 * `acme.herokuapp.com` never falls back to a domain thousands of companies share) and a weekly-updated list of
 * free-mail providers. Imported from its data module: the package's index pulls in a validator we do not need.
 */
export class PublicListsDomainKnowledge implements DomainKnowledge {
  registrableDomain(domain: string): string | null {
    return getDomain(domain, { allowPrivateDomains: true });
  }

  isFreeMail(domain: string): boolean {
    return FREE_MAIL_DOMAINS.has(domain);
  }
}
