/**
 * IBAN lengths by country, from the SWIFT IBAN Registry (release 99, 2024): a candidate of another
 * length, or of a country not listed, is not an IBAN however its check digits come out.
 */
const IBAN_LENGTHS = new Map(
  (
    "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 DO28 EE20 EG29 ES24 " +
    "FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HN28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 " +
    "LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 NL18 NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 " +
    "RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30"
  )
    .split(" ")
    .map((entry) => [entry.slice(0, 2), Number(entry.slice(2))] as const),
);

/**
 * ISO 13616-1 / ISO 7064 MOD 97-10: move the first four characters to the end, replace letters by
 * 10..35, and the number must leave remainder 1 modulo 97. Computed digit by digit, so no big
 * integers. `compact` is upper-case letters and digits without spaces.
 */
export function ibanChecksumValid(compact: string): boolean {
  if (compact.length < 5) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const code = rearranged.charCodeAt(i);
    if (code >= 48 && code <= 57) remainder = (remainder * 10 + (code - 48)) % 97;
    else if (code >= 65 && code <= 90) remainder = (remainder * 100 + (code - 55)) % 97;
    else return false;
  }
  return remainder === 1;
}

/** The IBAN length of a country (two upper-case letters), or undefined when it has no IBANs. */
export function ibanLength(country: string): number | undefined {
  return IBAN_LENGTHS.get(country);
}

/** A valid IBAN: a registered country, its length, check digits 02..98 and MOD 97-10. */
export function ibanValid(compact: string): boolean {
  const length = IBAN_LENGTHS.get(compact.slice(0, 2));
  if (length === undefined || compact.length !== length) return false;
  const check = Number(compact.slice(2, 4));
  if (!(check >= 2 && check <= 98)) return false;
  return ibanChecksumValid(compact);
}
