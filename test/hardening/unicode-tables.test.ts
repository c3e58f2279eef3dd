import { describe, expect, it } from 'vitest'
import { bidiClass, satisfiesBidiRule } from '../../src/services/unicode/bidi-rule.ts'
import { identifierClassProperty, mapWidth } from '../../src/services/unicode/precis.ts'
import { confusableSkeleton } from '../../src/services/unicode/skeleton.ts'
import { BIDI_CLASSES_VERSION } from '../../src/unicode-data/bidi-classes-17.0.0.ts'
import { CONFUSABLE_PROTOTYPES, CONFUSABLES_VERSION } from '../../src/unicode-data/confusables-17.0.0.ts'

// The generated tables (scripts/generate-unicode-tables.ts) and the runtime-derived PRECIS properties,
// checked against values stated in UTS #39, RFC 8264/5892 and the IANA PRECIS tables (issue 16, finding 1).
describe('the Unicode data behind usernames', () => {
  it('is one Unicode version, the one Node runs with', () => {
    expect(CONFUSABLES_VERSION).toBe('17.0.0')
    expect(BIDI_CLASSES_VERSION).toBe(CONFUSABLES_VERSION)
    // \p{…} escapes and normalize() come from Node's ICU; regenerate the tables when this moves.
    expect(process.versions.unicode).toBe('17.0')
  })

  it('holds every confusables.txt entry once', () => {
    const sources = CONFUSABLE_PROTOTYPES.split('\n').map((line) => line.split(' ')[0])
    expect(sources).toHaveLength(6565)
    expect(new Set(sources).size).toBe(sources.length)
  })

  it.each([
    ['Cyrillic о', '\u043E', 'o'],
    ['Greek ο', '\u03BF', 'o'],
    ['digit one', '1', 'l'],
    ['Latin m', 'm', 'rn'],
    ['mathematical bold r', '\u{1D42B}', 'r'],
    ['r with fishhook (our supplement)', '\u027E', 'r'],
    ['a variation selector (default-ignorable: dropped)', '\uFE0F', ''],
    ['plain a', 'a', 'a'],
  ])('maps %s as UTS #39 says', (_name, text, skeleton) => {
    expect(confusableSkeleton(text)).toBe(skeleton)
  })

  it('gives skeletons that are their own skeletons (UTS #39: skeleton(skeleton(X)) = skeleton(X))', () => {
    for (const name of ['root1', 'paypal', 'straße', 'ζωή', 'שלום', 'admin', 'Ⅹ-ray', 'ｒａｃｅ']) {
      const once = confusableSkeleton(name)
      expect(confusableSkeleton(once), name).toBe(once)
    }
  })

  it.each([
    [0x61, 'PVALID'], // a
    [0x41, 'PVALID'], // A: the IdentifierClass keeps case; the profile maps it
    [0x21, 'PVALID'], // ! (ASCII7)
    [0x20, 'DISALLOWED'], // space
    [0xdf, 'PVALID'], // ß (exception)
    [0x3c2, 'PVALID'], // ς (exception)
    [0xb7, 'CONTEXTO'], // middle dot
    [0x660, 'CONTEXTO'], // Arabic-Indic zero
    [0x640, 'DISALLOWED'], // tatweel (exception)
    [0x3007, 'PVALID'], // ideographic zero (exception)
    [0x200d, 'CONTEXTJ'], // zero-width joiner
    [0xfe0f, 'DISALLOWED'], // variation selector: default-ignorable
    [0x34f, 'DISALLOWED'], // combining grapheme joiner: default-ignorable
    [0x1100, 'DISALLOWED'], // conjoining jamo: OldHangulJamo
    [0x115f, 'DISALLOWED'], // choseong filler
    [0x3164, 'DISALLOWED'], // Hangul filler
    [0xac00, 'PVALID'], // 가, a precomposed syllable
    [0x378, 'UNASSIGNED'],
    [0xfdd0, 'DISALLOWED'], // noncharacter
    [0x2163, 'DISALLOWED'], // Ⅳ: HasCompat
    [0xfb01, 'DISALLOWED'], // ﬁ: HasCompat
    [0xa0, 'DISALLOWED'], // no-break space: HasCompat
    [0x301, 'PVALID'], // combining acute (Mn)
    [0x20dd, 'DISALLOWED'], // enclosing circle (Me: OtherLetterDigits)
    [0x2603, 'DISALLOWED'], // ☃ (So)
  ])('IdentifierClass property of U+%s', (codePoint, property) => {
    expect(identifierClassProperty(codePoint)).toBe(property)
  })

  it('maps exactly the fullwidth and halfwidth forms to single characters (RFC 8265 width mapping)', () => {
    expect(mapWidth('ｒａｃｅ＿１')).toBe('race_1')
    expect(mapWidth('ﾊﾟ')).toBe('\u30CF\u309A')
    expect(mapWidth('ﬁ²')).toBe('ﬁ²')
    expect(mapWidth('\uFFE3')).toBe('\u00AF')
    for (let codePoint = 0xff00; codePoint <= 0xffef; codePoint += 1) {
      const mapped = mapWidth(String.fromCodePoint(codePoint))
      expect([...mapped].length).toBeLessThanOrEqual(1)
    }
  })

  it.each([
    [0x61, 'L'],
    [0x5d0, 'R'], // א
    [0x627, 'AL'], // ا
    [0x661, 'AN'], // ١
    [0x31, 'EN'],
    [0x2e, 'CS'],
    [0x2b, 'ES'],
    [0x5f, 'ON'],
    [0x301, 'NSM'],
  ])('Bidi_Class of U+%s', (codePoint, value) => {
    expect(bidiClass(codePoint)).toBe(value)
  })

  it('applies the RFC 5893 Bidi Rule to right-to-left names only', () => {
    expect(satisfiesBidiRule('alice')).toBe(true)
    expect(satisfiesBidiRule('שלום')).toBe(true)
    expect(satisfiesBidiRule('שלום12')).toBe(true)
    expect(satisfiesBidiRule('aשלום')).toBe(false)
    expect(satisfiesBidiRule('12שלום')).toBe(false)
    expect(satisfiesBidiRule('שלום_')).toBe(false)
    expect(satisfiesBidiRule('مرحبا١2')).toBe(false)
  })
})
