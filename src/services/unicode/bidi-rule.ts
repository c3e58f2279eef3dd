import { BIDI_CLASS_RANGES } from '../../unicode-data/bidi-classes-17.0.0.ts'

// RFC 5893 §2, the "Bidi Rule", which RFC 8265 applies to usernames holding right-to-left characters:
// it keeps a name from rendering in an order that disguises it (digits hopping to the other end, an
// LTR prefix hiding an RTL name). The classes come from a generated table covering exactly the
// characters a username may hold; the JavaScript runtime exposes no Bidi_Class.

interface Range {
  first: number
  last: number
  bidiClass: string
}

let ranges: Range[] | undefined

function classRanges(): Range[] {
  ranges ??= BIDI_CLASS_RANGES.split('\n').map((line) => {
    const [first = '0', last = '0', bidiClass = 'L'] = line.split(' ')
    return { first: parseInt(first, 16), last: parseInt(last, 16), bidiClass }
  })
  return ranges
}

/** The Bidi_Class of a username character (L for everything the table does not list). */
export function bidiClass(codePoint: number): string {
  const table = classRanges()
  let low = 0
  let high = table.length - 1
  while (low <= high) {
    const middle = (low + high) >> 1
    const range = table[middle]
    if (range === undefined) break
    if (codePoint < range.first) high = middle - 1
    else if (codePoint > range.last) low = middle + 1
    else return range.bidiClass
  }
  return 'L'
}

const RTL_ALLOWED = new Set(['R', 'AL', 'AN', 'EN', 'ES', 'CS', 'ET', 'ON', 'BN', 'NSM'])

/** True when the string passes the Bidi Rule; strings without R, AL or AN characters always pass. */
export function satisfiesBidiRule(text: string): boolean {
  const classes = [...text].map((character) => bidiClass(character.codePointAt(0) ?? 0))
  if (!classes.some((value) => value === 'R' || value === 'AL' || value === 'AN')) return true
  // 1: an RTL string starts with R or AL (an L start would make it an LTR string holding RTL characters).
  if (classes[0] !== 'R' && classes[0] !== 'AL') return false
  // 2: only these classes.
  if (!classes.every((value) => RTL_ALLOWED.has(value))) return false
  // 3: it ends with R, AL, EN or AN, then any number of NSM.
  const last = classes.findLast((value) => value !== 'NSM')
  if (last !== 'R' && last !== 'AL' && last !== 'EN' && last !== 'AN') return false
  // 4: European and Arabic-Indic digits are not mixed.
  return !(classes.includes('EN') && classes.includes('AN'))
}
