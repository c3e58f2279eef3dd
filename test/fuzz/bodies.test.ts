import fc from 'fast-check'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp } from '../helpers/app.ts'
import { bearer, login, registerUser } from '../helpers/api.ts'
import { LENIENT_LIMITS_ENV } from '../helpers/config.ts'
import { ADMIN, ADMIN_ENV } from '../helpers/users.ts'
import {
  formText,
  jsonText,
  multipartBody,
  otherContentType,
  edgeString,
  type FuzzBody,
} from './arbitraries.ts'
import {
  bodyOperations,
  FUZZ_RUNS,
  FUZZ_TIMEOUT_MS,
  storeFingerprint,
  type BodyOperation,
  type PropertySchema,
} from './fuzz-support.ts'

// Issue 16, fuzzing: every endpoint that takes a JSON, form or multipart body gets generated bodies and
// must answer a 4xx or a 2xx its OpenAPI document lists, never a 5xx; a refusal leaves the store as it was.

const started = await createTestApp({ env: { ...ADMIN_ENV, ...LENIENT_LIMITS_ENV } })
await started.app.ready()
const { app } = started
const operations = bodyOperations(app)
const statusCounts = new Map<string, Map<number, number>>()
let userToken = ''
let adminToken = ''
let targetId = ''

// A password the generators cannot produce: the deep run once guessed the shared test password from its
// list of troublemakers and deleted the fuzz user, leaving later endpoints nothing but 401s to answer.
const FUZZ_PASSWORD = `fuzz ${randomBytes(12).toString('hex')}`

beforeAll(async () => {
  adminToken = (await login(app, ADMIN.username, ADMIN.password)).access_token
  await registerUser(app, 'fuzzuser', FUZZ_PASSWORD)
  userToken = (await login(app, 'fuzzuser', FUZZ_PASSWORD)).access_token
  targetId = (await registerUser(app, 'fuzztarget', FUZZ_PASSWORD)).id
})

afterAll(async () => {
  const lines = [...statusCounts].map(
    ([operation, counts]) =>
      `${operation}: ${[...counts].map(([status, count]) => `${status}×${count}`).join(' ')}`,
  )
  console.log(`[fuzz] bodies, ${FUZZ_RUNS} runs per property\n${lines.join('\n')}`)
  await started.close()
})

/** The body arbitrary for one media type of an operation; now and then sent with a wrong Content-Type. */
function bodies(type: string, properties: Record<string, PropertySchema>): fc.Arbitrary<FuzzBody> {
  const declared: fc.Arbitrary<FuzzBody> =
    type === 'multipart/form-data'
      ? multipartBody(properties)
      : (type === 'application/json' ? jsonText(properties) : formText(properties)).map((payload) => ({
          contentType: type,
          payload,
        }))
  const mislabelled = fc
    .tuple(otherContentType, fc.oneof(jsonText(properties), formText(properties), edgeString))
    .map(([contentType, payload]) => ({ contentType, payload }))
  return fc.oneof({ weight: 6, arbitrary: declared }, { weight: 1, arbitrary: mislabelled })
}

function tokenFor(operation: BodyOperation): string | undefined {
  // /introspect authorizes its caller before reading the form: an admin token lets bodies reach the parser.
  if (operation.path.startsWith('/admin') || operation.path === '/introspect') return adminToken
  return operation.secured ? userToken : undefined
}

function count(operation: string, status: number): void {
  const counts = statusCounts.get(operation) ?? new Map<number, number>()
  counts.set(status, (counts.get(status) ?? 0) + 1)
  statusCounts.set(operation, counts)
}

describe('fuzzed request bodies', () => {
  it('covers every body-taking endpoint the OpenAPI document lists', () => {
    const names = operations.map((operation) => `${operation.method} ${operation.path}`)
    for (const expected of [
      'POST /register',
      'POST /login',
      'POST /token',
      'PUT /profile',
      'POST /admin/users',
    ])
      expect(names).toContain(expected)
  })

  for (const operation of operations) {
    for (const { type, properties } of operation.media) {
      const name = `${operation.method} ${operation.path} (${type})`
      it(
        `${name}: a 4xx or a documented 2xx, never a 5xx; refusals change nothing`,
        async () => {
          const url = operation.path.replace(/\{[^}]+\}/g, targetId)
          const token = tokenFor(operation)
          let before = await storeFingerprint(app)
          await fc.assert(
            fc.asyncProperty(bodies(type, properties), async (body) => {
              const response = await app.inject({
                method: operation.method as 'POST',
                url,
                payload: body.payload,
                headers: {
                  ...(body.contentType === undefined ? {} : { 'content-type': body.contentType }),
                  ...(token ? bearer(token) : {}),
                },
              })
              count(name, response.statusCode)
              expect(response.statusCode, response.body).toBeLessThan(500)
              const after = await storeFingerprint(app)
              if (response.statusCode >= 400)
                expect(after, `${response.statusCode} changed the store`).toEqual(before)
              else expect(operation.documentedSuccess, response.body).toContain(response.statusCode)
              before = after
            }),
            { numRuns: FUZZ_RUNS },
          )
        },
        FUZZ_TIMEOUT_MS,
      )
    }
  }
})
