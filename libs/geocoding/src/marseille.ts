/**
 * Marseille's 16 municipal arrondissements: INSEE codes 13201–13216, postcodes 13001–13016.
 * The commune as a whole is INSEE 13055.
 */
export const MARSEILLE_COMMUNE_INSEE = '13055';

/** INSEE codes of the arrondissements, `13201` … `13216`. */
export const MARSEILLE_INSEE_CODES: readonly string[] = Array.from(
  { length: 16 },
  (_, i) => `132${String(i + 1).padStart(2, '0')}`,
);

/** True for `13201` … `13216`. */
export function isMarseilleInsee(code: string): boolean {
  return /^132(0[1-9]|1[0-6])$/.test(code);
}

/** True for `13001` … `13016`. */
export function isMarseillePostcode(code: string): boolean {
  return /^130(0[1-9]|1[0-6])$/.test(code);
}

/** `13006` → `13206`; `undefined` outside Marseille. */
export function inseeOfPostcode(postcode: string): string | undefined {
  return isMarseillePostcode(postcode) ? `132${postcode.slice(3)}` : undefined;
}

/** `13206` → `13006`; `undefined` outside Marseille. */
export function postcodeOfInsee(insee: string): string | undefined {
  return isMarseilleInsee(insee) ? `130${insee.slice(3)}` : undefined;
}

/** `6` → `13006`; `undefined` unless 1..16. */
export function postcodeOfArrondissement(arrondissement: number): string | undefined {
  return Number.isInteger(arrondissement) && arrondissement >= 1 && arrondissement <= 16
    ? `130${String(arrondissement).padStart(2, '0')}`
    : undefined;
}
