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

async function opsPerSecond(run: (token: string) => Promise<unknown>): Promise<number> {
  const deadline = performance.now() + secondsPerRound * 1000
  const started = performance.now()
  let operations = 0
  while (performance.now() < deadline) {
    // Batches of 100 keep the clock reads out of the measurement.
    for (let index = 0; index < 100; index++) await run(tokens[(operations + index) % TOKEN_COUNT]!)
    operations += 100
  }
  return operations / ((performance.now() - started) / 1000)
}

// Warm up both paths (JIT, key import caches, the one JWKS fetch) before measuring.
for (const run of Object.values(candidates)) for (const token of tokens) await run(token)

const samples: Record<string, number[]> = Object.fromEntries(
  Object.keys(candidates).map((name) => [name, []]),
)
// Interleaved rounds, so drift in CPU frequency or load hits both sides alike; medians resist outliers.
for (let round = 0; round < rounds; round++) {
  for (const [name, run] of Object.entries(candidates)) samples[name]!.push(await opsPerSecond(run))
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const [raw, library] = Object.keys(candidates).map((name) => median(samples[name]!)) as [number, number]

console.log(`node ${process.version}, ${algorithm}, ${rounds} rounds × ${secondsPerRound}s, median ops/s`)
for (const name of Object.keys(candidates))
  console.log(`  ${name.padEnd(32)} ${Math.round(median(samples[name]!)).toLocaleString('en')} ops/s`)
const ratio = raw / library
console.log(
  `  cost ratio library/raw: ${ratio.toFixed(3)}× (target ≤ 1.2×) ${ratio <= 1.2 ? 'OK' : 'OVER BUDGET'}`,
)
