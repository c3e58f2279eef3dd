// Our synchronous access-token check (node:crypto on the request thread) against jose's jwtVerify
// (WebCrypto, which queues on libuv's thread pool), on the same Ed25519 token in the same run.
//
//   npx tsx bench/token-verify.ts [iterations=20000]
import { createPublicKey } from 'node:crypto'
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose'
import { verifyAccessToken } from '../src/services/tokens/verify.ts'

const iterations = Number(process.argv[2] ?? 20_000)
const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })
const now = Math.floor(Date.now() / 1000)
const token = await new SignJWT({ client_id: 'gatehouse', sid: 'session' })
  .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: 'bench' })
  .setIssuer('https://id.example.com')
  .setAudience('gatehouse')
  .setSubject('user')
  .setJti('jti')
  .setIssuedAt(now)
  .setExpirationTime(now + 3600)
  .sign(privateKey)
const key = {
  kid: 'bench',
  algorithm: 'EdDSA' as const,
  key: createPublicKey({ key: await exportJWK(publicKey), format: 'jwk' }),
}
const options = {
  lookupKey: () => key,
  issuer: 'https://id.example.com',
  audience: 'gatehouse',
  nowSeconds: now,
  leewaySeconds: 30,
  maxLifetimeSeconds: 1800,
}

async function time(label: string, run: () => unknown): Promise<number> {
  for (let index = 0; index < 1000; index += 1) await run()
  const start = process.hrtime.bigint()
  for (let index = 0; index < iterations; index += 1) await run()
  const perSecond = iterations / (Number(process.hrtime.bigint() - start) / 1e9)
  console.log(`${label.padEnd(36)} ${perSecond.toFixed(0)} verifications/s`)
  return perSecond
}

const ours = await time('gatehouse verifyAccessToken (sync)', () => verifyAccessToken(token, options))
const jose = await time('jose jwtVerify (WebCrypto)', () =>
  jwtVerify(token, publicKey, { issuer: options.issuer, audience: 'gatehouse' }),
)
console.log(`ratio ours/jose: ${(ours / jose).toFixed(2)}x`)
