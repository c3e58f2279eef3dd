import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp } from '../helpers/app.ts'
import { login, registerUser } from '../helpers/api.ts'
import { LENIENT_LIMITS_ENV } from '../helpers/config.ts'
import { decodeSegment } from '../helpers/tokens.ts'
import { ADMIN, ADMIN_ENV } from '../helpers/users.ts'
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS } from './fuzz-support.ts'

// Issue 16, fuzzing the Authorization header: random tokens and mutations of valid ones (every byte
// flipped, segments re-encoded, segments and headers swapped) never get a 2xx; only the untouched
// original does, and it still does after every run, so the refusals are not a dead session's.

const started = await createTestApp({ env: { ...ADMIN_ENV, ...LENIENT_LIMITS_ENV } })
const { app } = started
let userToken = ''
let otherSessionToken = ''
let adminToken = ''
const outcomes = new Map<string, number>()

beforeAll(async () => {
  await registerUser(app, 'fuzzbearer')
  userToken = (await login(app, 'fuzzbearer')).access_token
  otherSessionToken = (await login(app, 'fuzzbearer')).access_token
  adminToken = (await login(app, ADMIN.username, ADMIN.password)).access_token
})

afterAll(async () => {
  const summary = [...outcomes].map(([what, count]) => `${what}: ${count}`).join(', ')
  console.log(`[fuzz] authorization, ${FUZZ_RUNS} runs per property: ${summary}`)
  await started.close()
})

/** The status of GET `url` with these headers; undefined when the header cannot even be sent. */
async function statusWith(headers: Record<string, string>, url = '/profile'): Promise<number | undefined> {
  try {
    return (await app.inject({ method: 'GET', url, headers })).statusCode
  } catch {
    // A header value with control characters is refused by the HTTP layer before it leaves the client.
    return undefined
  }
}

/** Sends `candidate` as a Bearer token and asserts a refusal unless it is exactly `original`. */
async function expectRefusedUnlessOriginal(candidate: string, original: string, url = '/profile') {
  const status = await statusWith({ authorization: `Bearer ${candidate}` }, url)
  const kind = status === undefined ? 'unsendable' : `${status}`
  outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1)
  if (status === undefined) return
  if (candidate === original) expect(status).toBe(200)
  else expect(status, `accepted a mutated token: ${JSON.stringify(candidate)}`).toBeGreaterThanOrEqual(400)
}

async function expectOriginalsStillWork(): Promise<void> {
  expect(await statusWith({ authorization: `Bearer ${userToken}` })).toBe(200)
  expect(await statusWith({ authorization: `Bearer ${adminToken}` }, '/admin/users')).toBe(200)
}

const BIT_MASKS = [1, 2, 4, 8, 16, 32, 64]

/** A segment re-encoded in a way that changes its text but may keep its meaning. */
const reencodings: Array<(segment: string, index: number) => string> = [
  (segment) => segment + '='.repeat((4 - (segment.length % 4)) % 4 || 1),
  (segment) => segment.replace(/-/g, '+').replace(/_/g, '/'),
  (segment) => Buffer.from(segment, 'base64url').toString('base64'),
  (segment) => `${segment.slice(0, 4)} ${segment.slice(4)}`,
  (segment) => `${segment}\n`,
  (segment) => segment.toUpperCase(),
  // The same JSON written differently: spaces, reordered keys, escaped characters, a duplicate key.
  (segment, index) => (index === 2 ? segment : reserialize(segment, (json) => JSON.stringify(json, null, 1))),
  (segment, index) =>
    index === 2
      ? segment
      : reserialize(segment, (json) => JSON.stringify(Object.fromEntries(Object.entries(json).reverse()))),
  (segment, index) =>
    index === 2 ? segment : reserialize(segment, (json) => JSON.stringify(json).replace(/"(\w)/, '"\\u00$1')),
  (segment, index) =>
    index === 2
      ? segment
      : reserialize(segment, (json) => {
          const text = JSON.stringify(json)
          const [key] = Object.keys(json)
          return `{"${key}":${JSON.stringify(json[key ?? ''])},${text.slice(1)}`
        }),
]

function reserialize(segment: string, write: (json: Record<string, unknown>) => string): string {
  return Buffer.from(write(decodeSegment(segment)), 'utf8').toString('base64url')
}

describe('fuzzed Authorization headers', () => {
  it(
    'every bit flip of every byte of a valid token is refused',
    async () => {
      // The default run flips one bit per byte (rotating through the masks); a deep run flips them all.
      const deep = FUZZ_RUNS >= 1000
      for (let position = 0; position < userToken.length; position += 1) {
        const masks = deep ? BIT_MASKS : [BIT_MASKS[position % BIT_MASKS.length] ?? 1]
        for (const mask of masks) {
          const flipped = String.fromCharCode(userToken.charCodeAt(position) ^ mask)
          const candidate = userToken.slice(0, position) + flipped + userToken.slice(position + 1)
          await expectRefusedUnlessOriginal(candidate, userToken)
        }
      }
      await expectOriginalsStillWork()
    },
    FUZZ_TIMEOUT_MS,
  )

  it(
    're-encoded segments (padding, standard alphabet, whitespace, case, rewritten JSON) are refused',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          // One to three re-encodings, each of a chosen segment, applied in turn.
          fc.array(fc.tuple(fc.constantFrom(0, 1, 2), fc.integer({ min: 0, max: reencodings.length - 1 })), {
            minLength: 1,
            maxLength: 3,
          }),
          fc.boolean(),
          async (steps, admin) => {
            const original = admin ? adminToken : userToken
            const segments = original.split('.')
            for (const [index, which] of steps) {
              const segment = segments[index] ?? ''
              // A segment already re-encoded may no longer decode as JSON: then it stays as it is.
              try {
                segments[index] = reencodings[which]?.(segment, index) ?? segment
              } catch {
                segments[index] = segment
              }
            }
            await expectRefusedUnlessOriginal(
              segments.join('.'),
              original,
              admin ? '/admin/users' : '/profile',
            )
          },
        ),
        { numRuns: FUZZ_RUNS },
      )
      await expectOriginalsStillWork()
    },
    FUZZ_TIMEOUT_MS,
  )

  it('segments swapped between valid tokens, and valid tokens in the wrong header or scheme, are refused', async () => {
    const originals = [userToken, otherSessionToken, adminToken]
    const tokens = originals.map((token) => token.split('.'))
    for (const header of tokens)
      for (const payload of tokens)
        for (const signature of tokens) {
          const candidate = [header[0], payload[1], signature[2]].join('.')
          // Tokens of one issuer share a header segment, so some "swaps" rebuild a whole original.
          if (!originals.includes(candidate)) await expectRefusedUnlessOriginal(candidate, userToken)
        }
    const misplaced: Array<Record<string, string>> = [
      { authorization: userToken },
      { authorization: `Basic ${userToken}` },
      { authorization: `Token ${userToken}` },
      { authorization: `JWT ${userToken}` },
      { authorization: `Bearer ${userToken} ${userToken}` },
      { authorization: `Bearer ${userToken},Bearer ${userToken}` },
      { authorization: `Bearer ${userToken}.` },
      { authorization: 'Bearer' },
      { 'proxy-authorization': `Bearer ${userToken}` },
      { 'x-access-token': userToken },
      { 'x-authorization': `Bearer ${userToken}` },
      { cookie: `access_token=${userToken}` },
    ]
    for (const headers of misplaced) expect(await statusWith(headers), JSON.stringify(headers)).toBe(401)
    expect(await statusWith({}, `/profile?access_token=${userToken}`)).toBe(401)
    await expectOriginalsStillWork()
  })

  it(
    'random tokens and random edits of valid ones never get a 2xx',
    async () => {
      const segment = fc
        .uint8Array({ maxLength: 96 })
        .map((bytes) => Buffer.from(bytes).toString('base64url'))
      const json = fc.oneof(
        fc.jsonValue(),
        fc.record({
          alg: fc.constantFrom('none', 'None', 'HS256', 'EdDSA', 'RS256'),
          typ: fc.constant('at+jwt'),
        }),
      )
      const edit = fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.string({ unit: 'binary-ascii', maxLength: 3 }))
      const candidate = fc.oneof(
        fc.string({ unit: 'binary-ascii', maxLength: 200 }),
        fc.tuple(segment, segment, segment).map((parts) => parts.join('.')),
        fc
          .tuple(json, json, segment)
          .map(([header, payload, signature]) =>
            [
              Buffer.from(JSON.stringify(header) ?? '').toString('base64url'),
              Buffer.from(JSON.stringify(payload) ?? '').toString('base64url'),
              signature,
            ].join('.'),
          ),
        // A valid token with a few characters deleted, inserted or replaced at random places.
        fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) =>
          edits.reduce((token, [at, remove, insert]) => {
            const position = at % (token.length + 1)
            return token.slice(0, position) + insert + token.slice(position + remove)
          }, userToken),
        ),
      )
      await fc.assert(
        fc.asyncProperty(candidate, async (token) => expectRefusedUnlessOriginal(token, userToken)),
        { numRuns: FUZZ_RUNS * 4 },
      )
      await expectOriginalsStillWork()
    },
    FUZZ_TIMEOUT_MS,
  )
})
