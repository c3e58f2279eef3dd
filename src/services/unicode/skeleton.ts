import { CONFUSABLE_PROTOTYPES } from '../../unicode-data/confusables-17.0.0.ts'

// UTS #39 §4 skeleton: NFD, drop default-ignorable code points, replace every character by its
// prototype from confusables.txt, NFD again. Two strings that look alike have the same skeleton
// ("rооt1" with Cyrillic о, "rοot1" with Greek ο and "ɾoot1" all become "rootl"). A skeleton is a key
// for comparison only, never something to show.

const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/u

/**
 * Lookalikes that confusables.txt does not list, found by the attack round of issue 16: "ɾoot1" passed
 * for "root1" in common fonts. Ours, so kept apart from the generated Unicode table, and only for
 * characters the table has no entry for; any addition needs a migration that recomputes the stored
 * skeletons.
 */
export const SUPPLEMENTAL_PROTOTYPES: ReadonlyMap<number, string> = new Map([
  [0x027e, 'r'], // ɾ LATIN SMALL LETTER R WITH FISHHOOK
])

let prototypes: Map<number, string> | undefined

// Parsed on first use (6,500 lines, about a millisecond), then kept.
function prototypeTable(): Map<number, string> {
  if (prototypes) return prototypes
  const table = new Map<number, string>()
  for (const line of CONFUSABLE_PROTOTYPES.split('\n')) {
    const [source = '', ...target] = line.split(' ')
    table.set(parseInt(source, 16), String.fromCodePoint(...target.map((hex) => parseInt(hex, 16))))
  }
  for (const [codePoint, prototype] of SUPPLEMENTAL_PROTOTYPES) table.set(codePoint, prototype)
  prototypes = table
  return table
}

/** The UTS #39 confusable skeleton of a string (Unicode 17.0.0 data and our few supplements). */
export function confusableSkeleton(text: string): string {
  const table = prototypeTable()
  let mapped = ''
  for (const character of text.normalize('NFD')) {
    if (DEFAULT_IGNORABLE.test(character)) continue
    const codePoint = character.codePointAt(0) ?? 0
    mapped += table.get(codePoint) ?? character
  }
  return mapped.normalize('NFD')
}
