import { createHmac, createPublicKey, generateKeyPairSync, sign, type JsonWebKey } from 'node:crypto'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { getWithToken, loginToken, registerUser, type PublicUser } from '../helpers/api.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { defined } from '../helpers/defined.ts'
import { useTestApp } from '../helpers/hooks.ts'
import {
  decodeToken,
  encodeSegment,
  expectInvalidToken,
  resignToken,
  signWithServerKey,
} from '../helpers/tokens.ts'
import { createCoreApp } from './app.ts'

// Each forgery below is built by hand. Where a header trick needs a valid signature to be meaningful,
// the token is re-signed with the server's own key, so only the check under test can refuse it.

const TTL = 1800
const SKEW = 30

describe.each(DIALECTS)('access token verification on %s', (dialect) => {
  const testApp = useTestApp(() => createCoreApp({ dialect }))
  let user: PublicUser
  let other: PublicUser
  let token: string
  beforeAll(async () => {
    user = await registerUser(testApp.app, 'token-user')
    other = await registerUser(testApp.app, 'token-other')
  })
  beforeEach(async () => {
    token = await loginToken(testApp.app, user.username)
  })

  const profile = (bearerToken: string) => getWithToken(testApp.app, '/profile', bearerToken)
  const segments = () => token.split('.') as [string, string, string]
  const resign = (change: Parameters<typeof resignToken>[2]) => resignToken(testApp.app, token, change)

  it('accepts the unmodified token and an unchanged re-signing of it (the control for every case below)', async () => {
    expect((await profile(token)).statusCode).toBe(200)
    expect((await profile(resign(() => {}))).statusCode).toBe(200)
  })

  it('refuses a tampered payload under the original signature', async () => {
    const [header, , signature] = segments()
    const { payload } = decodeToken(token)
    for (const change of [{ sub: other.id }, { role: 'admin' }, { exp: (payload.exp as number) + 3600 }]) {
      expectInvalidToken(await profile(`${header}.${encodeSegment({ ...payload, ...change })}.${signature}`))
    }
  })

  it('refuses a tampered signature', async () => {
    const [header, payload, signature] = segments()
    const bytes = Buffer.from(signature, 'base64url')
    bytes[10] = defined(bytes[10]) ^ 0x01
    expectInvalidToken(await profile(`${header}.${payload}.${bytes.toString('base64url')}`))
    expectInvalidToken(await profile(`${header}.${payload}.`))
  })

  it('accepts a token until exp plus the clock skew, and refuses it after', async () => {
    testApp.clock.advanceSeconds(TTL + SKEW - 1)
    expect((await profile(token)).statusCode).toBe(200)
    testApp.clock.advanceSeconds(2)
    const response = await profile(token)
    expectInvalidToken(response)
    expect(response.json()).toMatchObject({ detail: 'Token has expired' })
  })

  it('refuses a token issued in the future beyond the skew', async () => {
    const future = Math.floor(testApp.clock.now() / 1000) + SKEW + 60
    expectInvalidToken(await profile(resign(({ payload }) => Object.assign(payload, { iat: future }))))
    expectInvalidToken(await profile(resign(({ payload }) => Object.assign(payload, { nbf: future }))))
  })

  it.each(['EdDSA', 'RS256', 'HS256', 'ES256 '])(
    'refuses a validly signed token whose alg says %s',
    async (alg) => {
      expectInvalidToken(await profile(resign(({ header }) => Object.assign(header, { alg }))))
    },
  )

  it.each(['none', 'None', 'NONE', 'nOnE'])('refuses alg %s with and without a signature', async (alg) => {
    const [, payload, signature] = segments()
    const noneHeader = encodeSegment({ ...decodeToken(token).header, alg })
    expectInvalidToken(await profile(`${noneHeader}.${payload}.`))
    expectInvalidToken(await profile(`${noneHeader}.${payload}.${signature}`))
    expectInvalidToken(await profile(`${noneHeader}.${payload}`))
  })

  it.each(['attacker-key', '../../../../etc/passwd', "' OR '1'='1", '', 'x'.repeat(300)])(
    'refuses a token signed by a key of its own choosing under kid %j',
    async (kid) => {
      const { privateKey } = generateKeyPairSync('ed25519')
      const { payload } = decodeToken(token)
      const signingInput = `${encodeSegment({ alg: 'EdDSA', typ: 'at+jwt', kid })}.${encodeSegment(payload)}`
      const signature = sign(null, Buffer.from(signingInput), privateKey).toString('base64url')
      expectInvalidToken(await profile(`${signingInput}.${signature}`))
    },
  )

  it('refuses HS256 signed with the server public key in every encoding (RFC 8725 §2.1 key confusion)', async () => {
    const { header, payload } = decodeToken(token)
    const jwks = (await testApp.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<{
      keys: Array<Record<string, string>>
    }>()
    const jwk = defined(jwks.keys.find((key) => key.kid === header.kid))
    const publicKey = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' })
    const secrets: Array<string | Buffer> = [
      publicKey.export({ type: 'spki', format: 'pem' }),
      publicKey.export({ type: 'spki', format: 'der' }),
      Buffer.from(defined(jwk.x), 'base64url'),
      defined(jwk.x),
      JSON.stringify(jwk),
    ]
    const signingInput = `${encodeSegment({ ...header, alg: 'HS256' })}.${encodeSegment(payload)}`
    for (const secret of secrets) {
      const signature = createHmac('sha256', secret).update(signingInput).digest('base64url')
      expectInvalidToken(await profile(`${signingInput}.${signature}`))
    }
  })

  it.each([['JWT'], ['jwt'], ['application/jwt'], [undefined], [42]])(
    'refuses typ %j (RFC 9068 §4)',
    async (typ) => {
      expectInvalidToken(await profile(resign(({ header }) => Object.assign(header, { typ }))))
    },
  )

  it.each([
    ['jku', 'https://attacker.example/jwks.json'],
    ['jwk', { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }],
    ['x5u', 'https://attacker.example/cert.pem'],
    ['x5c', ['MIIBszCCAVmgAwIBAgIU']],
    ['crit', ['exp']],
    ['crit', []],
  ])('refuses a validly signed token whose header carries %s', async (name, value) => {
    expectInvalidToken(await profile(resign(({ header }) => Object.assign(header, { [name]: value }))))
  })

  it.each([
    ['iss', 'http://attacker.example'],
    ['aud', 'someone-else'],
    ['exp', '9999999999'],
    ['sid', '00000000-0000-7000-8000-000000000000'],
  ])('refuses a validly signed token with a wrong %s', async (claim, value) => {
    expectInvalidToken(await profile(resign(({ payload }) => Object.assign(payload, { [claim]: value }))))
  })

  it("refuses a validly signed token whose sub names another user than its session's", async () => {
    expectInvalidToken(await profile(resign(({ payload }) => Object.assign(payload, { sub: other.id }))))
  })

  it.each(['sub', 'sid', 'exp', 'iat', 'jti', 'client_id'])(
    'refuses a validly signed token without %s',
    async (claim) => {
      expectInvalidToken(await profile(resign(({ payload }) => delete payload[claim])))
    },
  )

  describe('strict compact serialization', () => {
    const signRaw = (header: string, payload: string) => signWithServerKey(testApp.app, header, payload)
    // Adds a filler claim until the encoded payload shows the property a case needs.
    const payloadSegmentWhere = (test: (segment: string) => boolean) => {
      const { payload } = decodeToken(token)
      for (let length = 0; length < 64; length += 1) {
        // One character more each time, so every length modulo 4 comes up whatever the claims are.
        const filler = '~?>'.repeat(Math.floor(length / 3)) + '~'.repeat(length % 3)
        const segment = encodeSegment({ ...payload, filler })
        if (test(segment)) return segment
      }
      throw new Error('no payload encoding matched')
    }

    it('refuses padding on any segment', async () => {
      const [header, payload, signature] = segments()
      const unpadded = payloadSegmentWhere((segment) => segment.length % 4 !== 0)
      const padded = unpadded + '='.repeat(4 - (unpadded.length % 4))
      expect((await profile(signRaw(header, unpadded))).statusCode).toBe(200)
      expectInvalidToken(await profile(signRaw(header, padded)))
      expectInvalidToken(await profile(`${header}.${payload}.${signature}==`))
    })

    it('refuses standard base64 characters', async () => {
      const [header] = segments()
      const urlSafe = payloadSegmentWhere((segment) => /[-_]/.test(segment))
      expect((await profile(signRaw(header, urlSafe))).statusCode).toBe(200)
      expectInvalidToken(await profile(signRaw(header, urlSafe.replaceAll('-', '+').replaceAll('_', '/'))))
    })

    it('refuses a non-canonical encoding of the same bytes', async () => {
      const [header] = segments()
      const canonical = payloadSegmentWhere((segment) => segment.length % 4 === 2)
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
      const variant = [...alphabet]
        .map((last) => canonical.slice(0, -1) + last)
        .find(
          (candidate) =>
            candidate !== canonical &&
            Buffer.from(candidate, 'base64url').equals(Buffer.from(canonical, 'base64url')),
        )
      expect(variant).toBeDefined()
      expectInvalidToken(await profile(signRaw(header, defined(variant))))
    })

    it.each([
      ['whitespace inside', (t: string) => t.replace('.', '. ')],
      ['a tab inside', (t: string) => t.replace('.', '.\t')],
      ['two segments', (t: string) => t.split('.').slice(0, 2).join('.')],
      ['four segments', (t: string) => `${t}.${t.split('.')[2]}`],
      ['a JSON array header', (t: string) => `${encodeSegment([1])}.${t.split('.').slice(1).join('.')}`],
      [
        'a header that is not JSON',
        (t: string) => `${Buffer.from('{oops').toString('base64url')}.${t.split('.').slice(1).join('.')}`,
      ],
      ['8 KiB of junk', () => 'a'.repeat(9000)],
    ])('refuses a token with %s', async (_label, mangle) => {
      expectInvalidToken(await profile(mangle(token)))
    })
  })

  it.each([
    ['Basic scheme', (t: string) => `Basic ${t}`],
    ['Bearer with no token', () => 'Bearer '],
    ['two tokens', (t: string) => `Bearer ${t} ${t}`],
  ])('refuses an Authorization header with %s as invalid_token', async (_label, header) => {
    const response = await testApp.app.inject({
      method: 'GET',
      url: '/profile',
      headers: { authorization: header(token) },
    })
    expectInvalidToken(response)
  })

  it('ignores a token in the query string (RFC 6750 §2.3 is not supported)', async () => {
    for (const name of ['access_token', 'token']) {
      const response = await testApp.app.inject({ method: 'GET', url: `/profile?${name}=${token}` })
      expect(response.statusCode).toBe(401)
      expect(response.headers['www-authenticate']).toBe('Bearer')
      expect(response.json()).toMatchObject({ code: 'not_authenticated' })
    }
  })

  it('never echoes the presented token in an error body', async () => {
    const tampered = `${token}x`
    const response = await profile(tampered)
    expectInvalidToken(response)
    expect(response.body).not.toContain(token.split('.')[1])
  })
})
