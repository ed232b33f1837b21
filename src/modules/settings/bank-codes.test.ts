import { describe, expect, it } from 'vitest';
import { COUNTRY_CODE_COUNT, isCountryCode } from '../../core/iso-codes.ts';
import { bicProblem, ibanProblem, normalizeBic, normalizeIban } from './bank-codes.ts';

describe('IBAN (ISO 13616)', () => {
  it('accepts valid IBANs of several countries', () => {
    for (const iban of [
      'DE89 3704 0044 0532 0130 00',
      'GB82 WEST 1234 5698 7654 32',
      'FR14 2004 1010 0505 0001 3M02 606',
      'NL91 ABNA 0417 1643 00',
      'CH93 0076 2011 6238 5295 7',
      'NO93 8601 1117 947',
      'at61 1904 3002 3457 3201',
    ]) {
      expect(ibanProblem(normalizeIban(iban)), iban).toBeNull();
    }
  });

  it('refuses wrong checksums, lengths, countries and German account parts', () => {
    expect(ibanProblem('DE89370400440532013001')).toMatch(/checksum/);
    expect(ibanProblem('DE8937040044053201300')).toMatch(/22 characters/);
    expect(ibanProblem('XX89370400440532013000')).toMatch(/country/);
    expect(ibanProblem('DE8937040044053201300A')).toMatch(/account part/);
    expect(ibanProblem('DE89')).toMatch(/country code, two check digits/);
  });
});

describe('BIC (ISO 9362)', () => {
  it('accepts 8 and 11 characters with a real country', () => {
    expect(bicProblem(normalizeBic('deut de ff'))).toBeNull();
    expect(bicProblem('COBADEFFXXX')).toBeNull();
    expect(bicProblem('COBAXXFF')).toMatch(/country/);
    expect(bicProblem('COBADEFFXX')).toMatch(/8 or 11/);
  });
});

describe('country codes', () => {
  it('are the 249 assigned ISO 3166-1 codes plus XK', () => {
    expect(COUNTRY_CODE_COUNT).toBe(250);
    expect(isCountryCode('DE')).toBe(true);
    expect(isCountryCode('XK')).toBe(true);
    expect(isCountryCode('UK')).toBe(false);
    expect(isCountryCode('EU')).toBe(false);
  });
});
