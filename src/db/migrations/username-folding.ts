// The case folding migration 005 stored every username key with, and the one services/usernames.ts
// uses for new keys while no later migration has recomputed them. Frozen with that migration:
// test/db/migration-sql.test.ts pins the keys it writes. A different key is a new function here and a
// new migration that recomputes the stored keys with it; the service then follows that one.

/**
 * NFKC, then full case folding, then "σ" for every sigma: "Race", "RACE" and "ｒａｃｅ" fold alike,
 * and so do "straße", "STRAẞE" and "STRASSE", or "σας", "σασ" and "ΣΑΣ".
 */
export function foldUsername(username: string): string {
  // Lower-casing alone is not case folding: "ß" lower-cases to itself and "ς" is a final sigma. JS has no
  // casefold(), so lower → upper → lower stands in for it: the first step turns capital "ẞ" into "ß",
  // upper-casing then uses the full mappings ("ß" → "SS", "ς" → "Σ"), and the last step comes back down.
  // V8's toLowerCase() writes a word-final Σ as "ς", so "ς" then becomes "σ" as Unicode folding does;
  // otherwise the key of a prefix ("ασ" → "ας") would not be a prefix of the name's ("ασα"), and the
  // admin search would miss it. Compared with Unicode's full case folding, the only difference is that
  // Turkish dotless "ı" also collides with "i", which only makes uniqueness stricter.
  return username
    .normalize('NFKC')
    .toLowerCase()
    .toUpperCase()
    .toLowerCase()
    .normalize('NFKC')
    .replaceAll('ς', 'σ')
}
