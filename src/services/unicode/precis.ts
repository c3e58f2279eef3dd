// The PRECIS IdentifierClass (RFC 8264 §4.2 and §8-9), which the UsernameCaseMapped profile of RFC 8265
// builds on. Each code point gets a derived property by the rules of RFC 8264 §8, in their order; the
// Unicode properties come from the runtime (ECMAScript property escapes and String.normalize, which
// Node takes from ICU: Unicode 17.0.0 in Node 20.20).

/** RFC 8264 §8 derived property values, as far as the IdentifierClass needs them. */
export type PrecisProperty = 'PVALID' | 'CONTEXTJ' | 'CONTEXTO' | 'DISALLOWED' | 'UNASSIGNED'

// RFC 5892 §2.6 "Exceptions", which RFC 8264 §9.6 takes over.
const EXCEPTIONS = new Map<number, PrecisProperty>([
  [0x00df, 'PVALID'],
  [0x03c2, 'PVALID'],
  [0x06fd, 'PVALID'],
  [0x06fe, 'PVALID'],
  [0x0f0b, 'PVALID'],
  [0x3007, 'PVALID'],
  [0x00b7, 'CONTEXTO'],
  [0x0375, 'CONTEXTO'],
  [0x05f3, 'CONTEXTO'],
  [0x05f4, 'CONTEXTO'],
  [0x30fb, 'CONTEXTO'],
  ...Array.from({ length: 10 }, (_, digit): [number, PrecisProperty] => [0x0660 + digit, 'CONTEXTO']),
  ...Array.from({ length: 10 }, (_, digit): [number, PrecisProperty] => [0x06f0 + digit, 'CONTEXTO']),
  [0x0640, 'DISALLOWED'],
  [0x07fa, 'DISALLOWED'],
  [0x302e, 'DISALLOWED'],
  [0x302f, 'DISALLOWED'],
  [0x3031, 'DISALLOWED'],
  [0x3032, 'DISALLOWED'],
  [0x3033, 'DISALLOWED'],
  [0x3034, 'DISALLOWED'],
  [0x3035, 'DISALLOWED'],
  [0x303b, 'DISALLOWED'],
])

const UNASSIGNED = /^\p{Cn}$/u
const NONCHARACTER = /^\p{Noncharacter_Code_Point}$/u
const JOIN_CONTROL = /^\p{Join_Control}$/u
// Hangul_Syllable_Type L, V and T (HangulSyllableType.txt): conjoining jamo, fillers included.
const OLD_HANGUL_JAMO = /^[\u1100-\u11FF\uA960-\uA97C\uD7B0-\uD7C6\uD7CB-\uD7FB]$/u
const DEFAULT_IGNORABLE = /^\p{Default_Ignorable_Code_Point}$/u
const CONTROL = /^\p{Cc}$/u
const LETTER_DIGIT = /^[\p{Ll}\p{Lu}\p{Lo}\p{Nd}\p{Lm}\p{Mn}\p{Mc}]$/u

/** The IdentifierClass property of one code point (RFC 8264 §8, rules in order). */
export function identifierClassProperty(codePoint: number): PrecisProperty {
  const exception = EXCEPTIONS.get(codePoint)
  if (exception !== undefined) return exception
  const character = String.fromCodePoint(codePoint)
  if (UNASSIGNED.test(character) && !NONCHARACTER.test(character)) return 'UNASSIGNED'
  if (codePoint >= 0x21 && codePoint <= 0x7e) return 'PVALID'
  if (JOIN_CONTROL.test(character)) return 'CONTEXTJ'
  if (OLD_HANGUL_JAMO.test(character)) return 'DISALLOWED'
  if (DEFAULT_IGNORABLE.test(character) || NONCHARACTER.test(character)) return 'DISALLOWED'
  if (CONTROL.test(character)) return 'DISALLOWED'
  // HasCompat: FREE_PVAL in the FreeformClass, ID_DIS (so disallowed) in the IdentifierClass.
  if (character.normalize('NFKC') !== character) return 'DISALLOWED'
  if (LETTER_DIGIT.test(character)) return 'PVALID'
  // OtherLetterDigits, Spaces, Symbols, Punctuation (ID_DIS) and everything else.
  return 'DISALLOWED'
}

/**
 * RFC 8265 §3.3.1: fullwidth and halfwidth characters are mapped to their decomposition first, so
 * "ｒａｃｅ" is "race" instead of being refused as HasCompat. The <wide> and <narrow> decompositions are
 * exactly the Halfwidth and Fullwidth Forms block and the ideographic space, each one code point whose
 * NFKC is that decomposition, except FULLWIDTH MACRON: it decomposes to U+00AF, which NFKC takes further.
 */
export function mapWidth(text: string): string {
  return text.replace(/[\u3000\uFF00-\uFFEF]/gu, (character) =>
    character === '\uFFE3' ? '\u00AF' : character.normalize('NFKC'),
  )
}

const GREEK = /^\p{Script=Greek}$/u
const HEBREW = /^\p{Script=Hebrew}$/u
const JAPANESE = /^[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]$/u

/** RFC 5892 Appendix A rules for the CONTEXTO code points (the IdentifierClass takes them over). */
function contextAllows(characters: string[], index: number): boolean {
  const codePoint = characters[index]?.codePointAt(0) ?? 0
  const before = characters[index - 1] ?? ''
  const after = characters[index + 1] ?? ''
  if (codePoint === 0x00b7) return before === 'l' && after === 'l'
  if (codePoint === 0x0375) return GREEK.test(after)
  if (codePoint === 0x05f3 || codePoint === 0x05f4) return HEBREW.test(before)
  if (codePoint === 0x30fb)
    return characters.some((character) => character !== '\u30FB' && JAPANESE.test(character))
  if (codePoint >= 0x0660 && codePoint <= 0x0669)
    return !characters.some((character) => /[\u06F0-\u06F9]/u.test(character))
  if (codePoint >= 0x06f0 && codePoint <= 0x06f9)
    return !characters.some((character) => /[\u0660-\u0669]/u.test(character))
  return false
}

/**
 * The first code point of a string that the IdentifierClass refuses, or undefined when every one is
 * PVALID or a CONTEXTO character in an allowed context. CONTEXTJ (zero-width joiner and non-joiner) is
 * refused outright: invisible, and exactly what a lookalike needs.
 */
export function firstDisallowedCodePoint(text: string): number | undefined {
  const characters = [...text]
  for (const [index, character] of characters.entries()) {
    const codePoint = character.codePointAt(0) ?? 0
    const property = identifierClassProperty(codePoint)
    if (property === 'PVALID') continue
    if (property === 'CONTEXTO' && contextAllows(characters, index)) continue
    return codePoint
  }
  return undefined
}
