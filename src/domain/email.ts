const MAX_DOMAIN_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
const MAX_LOCAL_PART_LENGTH = 64;
const MAX_EMAIL_LENGTH = 254;
// Letters and digits of any script (internationalised domains), hyphens inside a label only.
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?$/u;
// Printable, no whitespace or control characters, no second "@": calendar data is messy, so accept what mail
// servers accept in practice.
// eslint-disable-next-line no-control-regex
const LOCAL_PART = /^[^\s\u0000-\u001f\u007f@"(),:;<>[\\\]]+$/u;

/** A DNS domain as it appears after the "@" of an email: lowercase, no trailing dot. */
export class EmailDomain {
  private constructor(readonly value: string) {}

  /** Normalises (trim, lowercase, a leading "@" or trailing "." dropped) or returns null when it is no domain. */
  static parse(raw: unknown): EmailDomain | null {
    if (typeof raw !== 'string') return null;
    let value = raw.trim().toLowerCase();
    if (value.startsWith('@')) value = value.slice(1);
    if (value.endsWith('.')) value = value.slice(0, -1);
    if (value.length === 0 || value.length > MAX_DOMAIN_LENGTH) return null;
    const labels = value.split('.');
    if (labels.length < 2) return null;
    if (!labels.every((label) => label.length <= MAX_LABEL_LENGTH && LABEL.test(label))) return null;
    if (/^\d+$/.test(labels[labels.length - 1]!)) return null;
    return new EmailDomain(value);
  }

  /** True when this domain is `other` or one of its subdomains. */
  isWithin(other: EmailDomain): boolean {
    return this.value === other.value || this.value.endsWith(`.${other.value}`);
  }

  equals(other: EmailDomain): boolean {
    return this.value === other.value;
  }

  toString(): string {
    return this.value;
  }
}

/** An email address, compared case-insensitively (stored lowercase). */
export class Email {
  private constructor(
    readonly value: string,
    readonly domain: EmailDomain,
  ) {}

  /** Normalises (trim, lowercase) or returns null for anything that is not a usable address. */
  static parse(raw: unknown): Email | null {
    if (typeof raw !== 'string') return null;
    const value = raw.trim().toLowerCase();
    if (value.length === 0 || value.length > MAX_EMAIL_LENGTH) return null;
    const at = value.lastIndexOf('@');
    if (at <= 0) return null;
    const local = value.slice(0, at);
    if (local.length > MAX_LOCAL_PART_LENGTH || !LOCAL_PART.test(local)) return null;
    const domain = EmailDomain.parse(value.slice(at + 1));
    if (domain === null || domain.value !== value.slice(at + 1)) return null;
    return new Email(value, domain);
  }

  equals(other: Email): boolean {
    return this.value === other.value;
  }

  toString(): string {
    return this.value;
  }
}
