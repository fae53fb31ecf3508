import { normalizeName } from '@app/geocoding';

/**
 * The names and aliases of the gazetteer's places, as an address keeps them. A place may be
 * named like a person (`David`, the statue on the Prado beach): in an address, where the locator
 * needs it, such a name stays unless a person's cue precedes it (`chez David`); in a subject or a
 * description the scrubber takes no such risk and replaces it.
 */
export class PlaceNames {
  private readonly names: ReadonlySet<string>;

  constructor(names: Iterable<string>) {
    const normalized = new Set<string>();
    for (const name of names) {
      const n = normalizeName(name);
      if (n !== '') normalized.add(n);
    }
    this.names = normalized;
  }

  /** Whether `phrase` is one of the names, compared as the gazetteer compares (case, accents, abbreviations). */
  has(phrase: string): boolean {
    return this.names.has(normalizeName(phrase));
  }

  get size(): number {
    return this.names.size;
  }
}
