import fc from 'fast-check'
import type { PropertySchema } from './fuzz-support.ts'

// Generators of hostile input: Unicode edge cases (lone surrogates included), wrong types, deep nesting,
// huge strings, prototype keys and broken encodings. They build raw bodies, so what reaches the server
// is exactly what a hostile client can send, not what JSON.stringify would make of it.

/** A request body as sent: its bytes and the Content-Type it claims. */
export interface FuzzBody {
  contentType: string | undefined
  payload: string | Buffer
}

/** One UTF-16 unit or code point that often breaks string handling. */
const oddUnit = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  // Lone surrogates: ill-formed UTF-16, which UTF-8 encoders turn into U+FFFD.
  { weight: 2, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '\u0000',
      '\u034f',
      '\ufe0f',
      '\ufe00',
      '\u180b',
      '\u{e0100}',
      '\u115f',
      '\u3164',
      '\u0301',
      '\u200b',
      '\u202e',
      '\ufeff',
      '\ufffd',
      '\uffff',
      'ﬀ',
      'İ',
      'ß',
      'о',
      'ο',
      'ɾ',
      '𝒶',
      '\r',
      '\n',
    ),
  },
)

/** Short strings made of odd units, and some well-known troublemakers. */
export const edgeString: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.string({ unit: oddUnit, maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 24 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      'root',
      'root1',
      'rооt1',
      'admin',
      '__proto__',
      'constructor',
      'prototype',
      'null',
      'true',
      '0',
      '-1',
      '1e309',
      "' or 1=1 --",
      '../../etc/passwd',
      '%00',
      '${jndi:x}',
      '<script>',
      'a'.repeat(257),
      'correct horse battery staple',
      'password',
      'Lone-\ud800-Surrogate-pass',
    ),
  },
  // Huge strings, from just past the field limits to past the body limit.
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 100_000 }).map((length) => 'x'.repeat(length)) },
)

/** Any JSON-ish value, wrong types included, a few levels deep. */
export const oddValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: edgeString },
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(edgeString, tie('value'), { maxKeys: 3 }),
  ),
})).value

/** JSON text nested `depth` levels deep, of arrays or objects. */
function nested(depth: number, objects: boolean): string {
  return objects ? '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) : '['.repeat(depth) + ']'.repeat(depth)
}

/** An object with the endpoint's own field names (some missing, some extra), valued oddly. */
function fieldObject(fields: string[]): fc.Arbitrary<Record<string, unknown>> {
  const known = fields.length === 0 ? ['username', 'password'] : fields
  return fc
    .tuple(
      fc.subarray(known),
      fc.array(oddValue, { minLength: known.length, maxLength: known.length }),
      fc.dictionary(edgeString, oddValue, { maxKeys: 2 }),
    )
    .map(([chosen, values, extra]) => {
      const body: Record<string, unknown> = { ...extra }
      chosen.forEach((field, index) => (body[field] = values[index]))
      return body
    })
}

/** Plausible good values, so some generated bodies pass validation and reach the services. */
const plausibleString = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9]{2,12}$/),
  fc.constantFrom('a long enough passphrase 42', 'user', 'admin', 'password', 'refresh_token'),
)

/** A value of the property's declared type (const, enum, union), now and then a wrong one. */
function typedValue(schema: PropertySchema): fc.Arbitrary<unknown> {
  const choices: Array<fc.Arbitrary<unknown>> = []
  if (schema.const !== undefined) choices.push(fc.constant(schema.const))
  if (schema.enum) choices.push(fc.constantFrom(...schema.enum))
  for (const member of schema.anyOf ?? []) choices.push(typedValue(member))
  const types = schema.type === undefined ? [] : [schema.type].flat()
  if (types.includes('string')) choices.push(edgeString, plausibleString, plausibleString)
  if (types.includes('boolean')) choices.push(fc.boolean())
  if (types.includes('integer') || types.includes('number')) choices.push(fc.integer(), fc.double())
  if (types.includes('null')) choices.push(fc.constant(null))
  choices.push(oddValue)
  return fc.oneof(...choices)
}

/** An object of the declared properties with values of their types: it passes validation more often. */
function typedObject(properties: Record<string, PropertySchema>): fc.Arbitrary<Record<string, unknown>> {
  const entries = Object.entries(properties)
  // Mostly every declared property, sometimes a subset (a missing required field).
  const subsets = fc.oneof({ weight: 3, arbitrary: fc.constant(entries) }, fc.subarray(entries))
  return subsets.chain((chosen) =>
    fc.tuple(...chosen.map(([, schema]) => typedValue(schema))).map((values) => {
      const body: Record<string, unknown> = {}
      chosen.forEach(([field], index) => (body[field] = values[index]))
      return body
    }),
  )
}

/** Raw JSON text for one endpoint: its fields oddly valued, any JSON, nesting, prototype keys, junk. */
export function jsonText(properties: Record<string, PropertySchema>): fc.Arbitrary<string | Buffer> {
  const fields = Object.keys(properties)
  return fc.oneof(
    { weight: 5, arbitrary: typedObject(properties).map((body) => JSON.stringify(body)) },
    { weight: 5, arbitrary: fieldObject(fields).map((body) => JSON.stringify(body)) },
    { weight: 2, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 1, max: 20_000 }), fc.boolean())
        .map(([depth, objects]) => nested(depth, objects)),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom('__proto__', 'constructor', 'prototype'), fieldObject(fields))
        .map(([key, body]) => {
          const poison = key === 'constructor' ? '{"prototype":{"role":"admin"}}' : '{"role":"admin"}'
          return `{"${key}":${poison}${Object.keys(body).length ? ',' : ''}${JSON.stringify(body).slice(1)}`
        }),
    },
    { weight: 1, arbitrary: fc.string({ unit: oddUnit, maxLength: 64 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
  )
}

/** Percent-encodes each code point's UTF-8 bytes; a lone surrogate becomes its (ill-formed) %ED%xx%xx bytes. */
function formEncode(text: string): string {
  let encoded = ''
  for (const unit of text) {
    const code = unit.codePointAt(0) ?? 0
    encoded +=
      code >= 0xd800 && code <= 0xdfff
        ? `%ED%${(0xa0 | ((code >> 6) & 0x1f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`
        : encodeURIComponent(unit)
  }
  return encoded
}

/** A urlencoded form for one endpoint: its fields (repeated, empty, odd), junk keys, broken escapes. */
export function formText(properties: Record<string, PropertySchema>): fc.Arbitrary<string> {
  const fields = Object.keys(properties)
  const key = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...fields, '__proto__', 'constructor') },
    edgeString,
  )
  const pair = fc
    .tuple(key, fc.oneof(edgeString, fc.constantFrom('password', 'refresh_token', '', '%', '%zz', '%ff%fe')))
    .map(([name, value]) => `${formEncode(name)}=${value.startsWith('%') ? value : formEncode(value)}`)
  const typed = typedObject(properties).map((body) =>
    Object.entries(body)
      .map(
        ([name, value]) =>
          `${formEncode(name)}=${formEncode(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''))}`,
      )
      .join('&'),
  )
  return fc.oneof(
    { weight: 4, arbitrary: typed },
    { weight: 4, arbitrary: fc.array(pair, { maxLength: 8 }).map((pairs) => pairs.join('&')) },
    { weight: 1, arbitrary: fc.string({ unit: oddUnit, maxLength: 64 }) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1_000, max: 100_000 }).map((length) => `a=${'b'.repeat(length)}`),
    },
  )
}

/** A multipart/form-data body: fields, files, repeated or odd names, or a broken structure. */
export function multipartBody(properties: Record<string, PropertySchema>): fc.Arbitrary<FuzzBody> {
  const fields = Object.keys(properties)
  const boundary = 'fuzzboundary'
  const part = fc
    .tuple(fc.constantFrom(...fields, 'file', '__proto__'), edgeString, fc.boolean())
    .map(([name, value, file]) => {
      const disposition = file ? `form-data; name="${name}"; filename="x.txt"` : `form-data; name="${name}"`
      return `--${boundary}\r\nContent-Disposition: ${disposition}\r\n\r\n${value}\r\n`
    })
  return fc.oneof(
    fc.array(part, { maxLength: 6 }).map((parts) => ({
      contentType: `multipart/form-data; boundary=${boundary}`,
      payload: `${parts.join('')}--${boundary}--\r\n`,
    })),
    fc
      .tuple(fc.constantFrom('multipart/form-data', 'multipart/form-data; boundary='), edgeString)
      .map(([contentType, payload]) => ({ contentType, payload })),
  )
}

/** A Content-Type other than the endpoint's, sometimes none at all. */
export const otherContentType = fc.constantFrom(
  undefined,
  'text/plain',
  'application/xml',
  'application/json; charset=utf-16',
  'application/x-www-form-urlencoded',
  'application/json',
  'multipart/form-data',
  '*/*',
)
