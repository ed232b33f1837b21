import { isCountryCode } from '../../core/iso-codes.ts';

/** IBAN lengths per country from the SWIFT IBAN registry; other countries only get 15–34 and the checksum. */
const IBAN_LENGTHS = new Map(
  `AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 DO28
  EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27
  JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 NL18
  NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28
  TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30`
    .split(/\s+/)
    .map((entry) => [entry.slice(0, 2), Number(entry.slice(2))] as const),
);

/** The national part (BBAN) where its shape is simple and worth checking: Germany is all digits. */
const BBAN_PATTERNS: Record<string, RegExp> = { DE: /^\d{18}$/ };

/** Spaces removed, upper-cased: `de89 3704 0044 0532 0130 00` → `DE89370400440532013000`. */
export function normalizeIban(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase();
}

/** ISO 13616: letters become 10–35, the first four characters move to the end, the number mod 97 is 1. */
function mod97(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const digits = /\d/.test(char) ? char : String(char.charCodeAt(0) - 55);
    for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder;
}

/** Why a normalized IBAN is not valid, or null when it is. */
export function ibanProblem(iban: string): string | null {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) {
    return 'must be a country code, two check digits and 11–30 letters or digits';
  }
  const country = iban.slice(0, 2);
  if (!isCountryCode(country)) return `unknown country ${country}`;
  const length = IBAN_LENGTHS.get(country);
  if (length !== undefined && iban.length !== length) return `a ${country} IBAN has ${length} characters`;
  const bban = BBAN_PATTERNS[country];
  if (bban && !bban.test(iban.slice(4))) return `the ${country} account part has the wrong format`;
  if (mod97(iban) !== 1) return 'checksum is wrong (ISO 13616 mod 97)';
  return null;
}

/** Spaces removed, upper-cased. */
export function normalizeBic(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase();
}

/** Why a normalized BIC (ISO 9362: bank, country, location, optional branch) is not valid, or null. */
export function bicProblem(bic: string): string | null {
  if (!/^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(bic)) {
    return 'must be 8 or 11 characters: 4 letters (bank), 2 (country), 2 (location), optional 3 (branch)';
  }
  if (!isCountryCode(bic.slice(4, 6))) return `unknown country ${bic.slice(4, 6)}`;
  return null;
}
