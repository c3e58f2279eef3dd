// Compares @gatehouse/verify's verify() with a raw jose.jwtVerify on a local key, on the same tokens in
// the same process (issue 5: the library may cost at most 1.2× the raw call). The JWKS comes from an
// in-memory fetch, fetched once in the warm-up, so no network is measured.
//
//   npx tsx bench/verify.ts [seconds-per-round=1] [rounds=5] [EdDSA|ES256|RS256]
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWTVerifyOptions } from 'jose'
import { createVerifier } from '../packages/verify/src/index.ts'

const ISSUER = 'https://id.example.com'
const AUDIENCE = 'gatehouse'
const TOKEN_COUNT = 1000
const secondsPerRound = Number(process.argv[2] ?? 1)
const rounds = Number(process.argv[3] ?? 5)
const algorithm = (process.argv[4] ?? 'EdDSA') as 'EdDSA' | 'ES256' | 'RS256'

const { publicKey, privateKey } = await generateKeyPair(algorithm, { extractable: true })
const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'bench', alg: algorithm, use: 'sig' }] }
const now = Math.floor(Date.now() / 1000)
const tokens = await Promise.all(
  Array.from({ length: TOKEN_COUNT }, (_, index) =>
    new SignJWT({ client_id: 'gatehouse', sid: 'session', role: 'user' })
      .setProtectedHeader({ alg: algorithm, typ: 'at+jwt', kid: 'bench' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(`user-${index}`)
      .setJti(`jti-${index}`)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(privateKey),
  ),
)

// The same checks the library makes, so the comparison measures only the library's own overhead.
const rawOptions: JWTVerifyOptions = {
  issuer: ISSUER,
  audience: AUDIENCE,
  typ: 'at+jwt',
  algorithms: ['EdDSA', 'ES256', 'RS256'],
  requiredClaims: ['sub', 'exp', 'iat', 'jti', 'client_id'],
  clockTolerance: 30,
}
const verifier = createVerifier({
  issuer: ISSUER,
  audience: AUDIENCE,
  jwksUri: `${ISSUER}/.well-known/jwks.json`,
  cacheMaxAgeMs: 3_600_000,
  fetch: async () =>
    new Response(JSON.stringify(jwks), { status: 200, headers: { 'content-type': 'application/json' } }),
})

const candidates: Record<string, (token: string) => Promise<unknown>> = {
  'raw jose.jwtVerify (local key)': (token) => jwtVerify(token, publicKey, rawOptions),
  '@gatehouse/verify verify()': (token) => verifier.verify(token),
}

const BATCH = 200

async function timeBatch(run: (token: string) => Promise<unknown>, offset: number): Promise<number> {
  const started = performance.now()
  for (let index = 0; index < BATCH; index++) await run(tokens[(offset + index) % TOKEN_COUNT] ?? '')
  return performance.now() - started
}

// Warm up both paths (JIT, key import caches, the one JWKS fetch) before measuring.
for (const run of Object.values(candidates)) for (const token of tokens) await run(token)

// Short batches alternate A B B A, so load from other processes and CPU frequency changes hit both
// sides alike; each round's ratio is kept and the median ratio reported, which resists outliers.
const names = Object.keys(candidates)
const totals = new Map(names.map((name) => [name, { milliseconds: 0, operations: 0 }]))
const ratios: number[] = []
for (let round = 0; round < rounds; round++) {
  const roundTime = new Map(names.map((name) => [name, 0]))
  const deadline = performance.now() + secondsPerRound * 1000
  let offset = 0
  while (performance.now() < deadline) {
    for (const name of [...names, ...[...names].reverse()]) {
      const run = candidates[name]
      if (run) roundTime.set(name, (roundTime.get(name) ?? 0) + (await timeBatch(run, offset)))
      offset += BATCH
    }
  }
  for (const name of names) {
    const total = totals.get(name)
    if (!total) continue
    total.milliseconds += roundTime.get(name) ?? 0
    total.operations += (offset / BATCH / names.length) * BATCH
  }
  const [baseline = '', library = ''] = names
  ratios.push((roundTime.get(library) ?? 0) / (roundTime.get(baseline) ?? 1))
}
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN

console.log(
  `node ${process.version}, ${algorithm}, ${rounds} rounds × ${secondsPerRound}s, interleaved batches of ${BATCH}`,
)
for (const name of names) {
  const { milliseconds, operations } = totals.get(name) ?? { milliseconds: 1, operations: 0 }
  console.log(
    `  ${name.padEnd(32)} ${Math.round(operations / (milliseconds / 1000)).toLocaleString('en')} ops/s`,
  )
}
const ratio = median(ratios)
const perRound = ratios.map((value) => value.toFixed(2)).join(', ')
console.log(`  cost ratio library/raw: ${ratio.toFixed(3)}× (median of rounds: ${perRound})`)
console.log(`  target ≤ 1.2×: ${ratio <= 1.2 ? 'OK' : 'OVER BUDGET'}`)
