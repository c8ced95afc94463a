import { Email, EmailDomain } from '../../../src/domain/email';

describe('Email.parse', () => {
  it.each([
    ['tess@logo.com', 'tess@logo.com'],
    ['  Tess.Ter@LOGO.com  ', 'tess.ter@logo.com'],
    ['first+tag@eu.logo.co.uk', 'first+tag@eu.logo.co.uk'],
    ["o'brien@logo.ie", "o'brien@logo.ie"],
    ['c_188@resource.calendar.google.com', 'c_188@resource.calendar.google.com'],
    ['jürgen@münchen.de', 'jürgen@münchen.de'],
  ])('normalises %j to %j', (raw, expected) => {
    expect(Email.parse(raw)?.value).toBe(expected);
  });

  it.each([
    [''],
    ['   '],
    ['logo.com'],
    ['@logo.com'],
    ['tess@'],
    ['tess@logo'],
    ['tess@@logo.com'],
    ['tess @logo.com'],
    ['tess@logo..com'],
    ['tess@-logo.com'],
    ['tess@logo.com.'],
    ['tess@10.0.0.1'],
    ['"quoted"@logo.com'],
    [`${'a'.repeat(65)}@logo.com`],
    [`tess@${'a'.repeat(250)}.com`],
    [42],
    [null],
    [undefined],
  ])('rejects %j', (raw) => {
    expect(Email.parse(raw)).toBeNull();
  });

  it('exposes the domain', () => {
    expect(Email.parse('Tess@EU.Logo.com')?.domain.value).toBe('eu.logo.com');
  });
});

describe('EmailDomain', () => {
  it.each([
    ['logo.com', 'logo.com'],
    [' LOGO.com ', 'logo.com'],
    ['@logo.com', 'logo.com'],
    ['logo.com.', 'logo.com'],
    ['eu.logo.co.uk', 'eu.logo.co.uk'],
  ])('normalises %j to %j', (raw, expected) => {
    expect(EmailDomain.parse(raw)?.value).toBe(expected);
  });

  it.each([[''], ['logo'], ['logo .com'], ['logo_com'], ['1.2.3.4'], ['-logo.com'], ['logo-.com'], [7]])(
    'rejects %j',
    (raw) => {
      expect(EmailDomain.parse(raw)).toBeNull();
    },
  );

  it.each([
    ['logo.com', 'logo.com', true],
    ['eu.logo.com', 'logo.com', true],
    ['a.b.logo.com', 'logo.com', true],
    ['notlogo.com', 'logo.com', false],
    ['logo.com', 'eu.logo.com', false],
    ['logo.com.evil.io', 'logo.com', false],
  ])('%s within %s: %s', (inner, outer, expected) => {
    expect(EmailDomain.parse(inner)!.isWithin(EmailDomain.parse(outer)!)).toBe(expected);
  });
});
