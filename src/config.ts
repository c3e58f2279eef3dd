import { cleanEnv, port, str } from 'envalid'
import { availableParallelism } from 'node:os'
import { loadDevelopmentSecret } from './dev-secret.ts'
import { readMetricsConfig, type MetricsConfig } from './config/metrics.ts'
import {
  databaseUrl,
  integer,
  introspectionClients,
  issuerUrl,
  list,
  trustProxy,
} from './config/validators.ts'
import { emailConfig, emailEnvironment, type EmailConfig } from './config/email.ts'
import { mfaConfig, mfaSpecs, type MfaConfig } from './config/mfa.ts'
import { shutdownEnvironment, shutdownSettings, type ShutdownSettings } from './config/shutdown.ts'
import { readWorkerSettings, type WorkerSettings } from './config/workers.ts'

export { parseDatabaseUrl } from './config/validators.ts'

/** Signing algorithms Gatehouse can issue access tokens with. */
export type SigningAlgorithm = 'EdDSA' | 'ES256' | 'RS256' | 'HS256'

/** Where the data lives: the embedded SQLite file (or memory), or a PostgreSQL server. */
export type DatabaseTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string }

/** The validated, frozen configuration every part of the server receives. */
export interface Config extends MfaConfig, WorkerSettings {
  readonly production: boolean
  readonly port: number
  readonly host: string
  readonly database: DatabaseTarget
  readonly databasePoolMax: number
  readonly databaseStatementTimeoutMs: number
  readonly secret: string
  readonly secretPrevious: string | undefined
  /** True when the secret was generated into the data folder because none was configured. */
  readonly secretGenerated: boolean
  readonly issuer: string
  /** Base of the links Gatehouse puts in emails and of the WebAuthn origin; defaults to the issuer. */
  readonly publicUrl: string
  readonly audience: string
  readonly jwtAlgorithm: SigningAlgorithm
  readonly hs256Secret: string | undefined
  readonly accessTokenTtlSeconds: number
  readonly refreshTokenIdleTtlSeconds: number
  readonly refreshTokenAbsoluteTtlSeconds: number
  readonly refreshReuseGraceSeconds: number
  /** Resource servers allowed to call /introspect with HTTP Basic credentials. */
  readonly introspectionClients: ReadonlyArray<{ readonly id: string; readonly secret: string }>
  readonly clockSkewSeconds: number
  readonly argon2: { readonly memoryKib: number; readonly iterations: number; readonly parallelism: number }
  readonly hashConcurrency: number
  readonly hashQueueMax: number
  readonly bodyLimitBytes: number
  /** Seconds a client gets to send its request headers (slowloris). */
  readonly headersTimeoutSeconds: number
  /** Seconds between automatic signing-key rotations; 0 turns rotation off. */
  readonly keyRotationIntervalSeconds: number
  readonly loginMaxFailures: number
  readonly loginWindowSeconds: number
  readonly loginMaxBackoffSeconds: number
  readonly registerPerIpPerHour: number
  /** Whether anyone may create an account with POST /register (and the /ui/register page). */
  readonly registration: 'open' | 'closed'
  /** false, or the number of proxy hops whose X-Forwarded-For entries are trusted. */
  readonly trustProxyHops: number
  readonly redisUrl: string | undefined
  readonly redisFailureMode: 'open' | 'closed'
  /** Namespaces Gatehouse's keys, so deployments (or test runs) can share one Redis. */
  readonly redisKeyPrefix: string
  readonly corsOrigins: readonly string[]
  readonly auditRetentionDays: number
  /** Roles beyond the built-in user and admin. */
  readonly extraRoles: readonly string[]
  readonly adminUsername: string | undefined
  readonly adminPassword: string | undefined
  readonly logLevel: string
  /** Email addresses, reset and change flows, and how mail is sent (src/config/email.ts). */
  readonly email: EmailConfig
  /** GET /metrics: off unless a bearer token or a loopback listener is configured. */
  readonly metrics: MetricsConfig
  /** Draining and the time limit on SIGTERM (src/config/shutdown.ts). */
  readonly shutdown: ShutdownSettings
}

/** Thrown when the environment is invalid; its message lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

const MIN_SECRET_BYTES = 32

/** Reads, validates and freezes the configuration from an environment (normally process.env). */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const problems: string[] = []
  const failed = new Set<string>()
  const validated = cleanEnv(
    env,
    {
      NODE_ENV: str({ default: 'development' }),
      PORT: port({ default: 8000 }),
      HOST: str({ default: '127.0.0.1' }),
      GATEHOUSE_DATABASE_URL: databaseUrl({ default: { kind: 'sqlite', path: './data/gatehouse.db' } }),
      GATEHOUSE_DB_POOL_MAX: integer(1, 1000)({ default: 10 }),
      GATEHOUSE_DB_STATEMENT_TIMEOUT_MS: integer(100)({ default: 5000 }),
      GATEHOUSE_SECRET: str({ default: undefined }),
      GATEHOUSE_SECRET_PREVIOUS: str({ default: undefined }),
      GATEHOUSE_ISSUER: issuerUrl({ default: undefined }),
      GATEHOUSE_PUBLIC_URL: issuerUrl({ default: undefined }),
      GATEHOUSE_AUDIENCE: str({ default: 'gatehouse' }),
      GATEHOUSE_JWT_ALG: str({ choices: ['EdDSA', 'ES256', 'RS256', 'HS256'], default: 'ES256' }),
      GATEHOUSE_HS256_SECRET: str({ default: undefined }),
      GATEHOUSE_ACCESS_TOKEN_TTL: integer(30, 86_400)({ default: 1800 }),
      GATEHOUSE_REFRESH_TOKEN_IDLE_TTL: integer(60)({ default: 14 * 86_400 }),
      GATEHOUSE_REFRESH_TOKEN_ABSOLUTE_TTL: integer(60)({ default: 30 * 86_400 }),
      GATEHOUSE_REFRESH_REUSE_GRACE: integer(0, 60)({ default: 0 }),
      GATEHOUSE_INTROSPECTION_CLIENTS: introspectionClients({ default: [] }),
      GATEHOUSE_CLOCK_SKEW: integer(0, 300)({ default: 30 }),
      GATEHOUSE_ARGON2_MEMORY_KIB: integer(8, 4_194_304)({ default: 19_456 }),
      GATEHOUSE_ARGON2_ITERATIONS: integer(1, 100)({ default: 2 }),
      GATEHOUSE_ARGON2_PARALLELISM: integer(1, 16)({ default: 1 }),
      GATEHOUSE_HASH_CONCURRENCY: integer(1, 64)({ default: defaultHashConcurrency() }),
      GATEHOUSE_HASH_QUEUE_MAX: integer(0, 100_000)({ default: 200 }),
      GATEHOUSE_BODY_LIMIT: integer(1024, 10_485_760)({ default: 65_536 }),
      // At most the 30 s request timeout: Node refuses a headers timeout longer than the request timeout.
      GATEHOUSE_HEADERS_TIMEOUT: integer(1, 30)({ default: 10 }),
      GATEHOUSE_KEY_ROTATION_INTERVAL: integer(0)({ default: 30 * 86_400 }),
      GATEHOUSE_LOGIN_MAX_FAILURES: integer(1, 1000)({ default: 5 }),
      GATEHOUSE_LOGIN_WINDOW: integer(1, 86_400)({ default: 900 }),
      GATEHOUSE_LOGIN_MAX_BACKOFF: integer(1, 86_400)({ default: 900 }),
      GATEHOUSE_REGISTER_PER_IP_PER_HOUR: integer(1, 1_000_000)({ default: 20 }),
      GATEHOUSE_REGISTRATION: str({ choices: ['open', 'closed'], default: 'open' }),
      GATEHOUSE_TRUST_PROXY: trustProxy({ default: 0 }),
      GATEHOUSE_REDIS_URL: str({ default: undefined }),
      GATEHOUSE_REDIS_FAILURE_MODE: str({ choices: ['open', 'closed'], default: 'closed' }),
      GATEHOUSE_REDIS_KEY_PREFIX: str({ default: 'gatehouse' }),
      GATEHOUSE_CORS_ORIGINS: list({ default: [] }),
      GATEHOUSE_AUDIT_RETENTION_DAYS: integer(1, 36_500)({ default: 365 }),
      GATEHOUSE_ROLES: list({ default: [] }),
      GATEHOUSE_ADMIN_USERNAME: str({ default: undefined }),
      GATEHOUSE_ADMIN_PASSWORD: str({ default: undefined }),
      ...mfaSpecs,
      GATEHOUSE_LOG_LEVEL: str({
        choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
        default: 'info',
      }),
      ...emailEnvironment,
      ...shutdownEnvironment,
    },
    {
      reporter: ({ errors }) => {
        for (const [name, error] of Object.entries(errors)) {
          if (error) {
            problems.push(`${name}: ${error.message}`)
            failed.add(name)
          }
        }
      },
    },
  )
  // envalid's result throws when a name that failed validation is read; the cross-checks below read
  // freely, so they see a failed name as unset and every problem still reaches the one message.
  const raw = new Proxy(validated, {
    get: (target, name, receiver) =>
      typeof name === 'string' && failed.has(name)
        ? undefined
        : (Reflect.get(target, name, receiver) as unknown),
  })

  const production = raw.NODE_ENV === 'production'
  const byteLength = (value: string | undefined) => Buffer.byteLength(value ?? '', 'utf8')

  if (raw.GATEHOUSE_SECRET !== undefined && byteLength(raw.GATEHOUSE_SECRET) < MIN_SECRET_BYTES) {
    problems.push(`GATEHOUSE_SECRET: must be at least ${MIN_SECRET_BYTES} bytes`)
  }
  if (
    raw.GATEHOUSE_SECRET_PREVIOUS !== undefined &&
    byteLength(raw.GATEHOUSE_SECRET_PREVIOUS) < MIN_SECRET_BYTES
  ) {
    problems.push(`GATEHOUSE_SECRET_PREVIOUS: must be at least ${MIN_SECRET_BYTES} bytes`)
  }
  if (production && raw.GATEHOUSE_SECRET === undefined) {
    problems.push(
      'GATEHOUSE_SECRET: required when NODE_ENV=production (a generated secret is for development only)',
    )
  }
  if (production && raw.GATEHOUSE_ISSUER === undefined && !failed.has('GATEHOUSE_ISSUER')) {
    problems.push('GATEHOUSE_ISSUER: required when NODE_ENV=production (it is the public URL tokens name)')
  }
  if (raw.GATEHOUSE_JWT_ALG === 'HS256' && byteLength(raw.GATEHOUSE_HS256_SECRET) < MIN_SECRET_BYTES) {
    problems.push(
      `GATEHOUSE_HS256_SECRET: GATEHOUSE_JWT_ALG=HS256 needs a secret of at least ${MIN_SECRET_BYTES} bytes`,
    )
  }
  if ((raw.GATEHOUSE_ADMIN_USERNAME === undefined) !== (raw.GATEHOUSE_ADMIN_PASSWORD === undefined)) {
    problems.push('GATEHOUSE_ADMIN_USERNAME and GATEHOUSE_ADMIN_PASSWORD: set both or neither')
  }
  if (raw.GATEHOUSE_REFRESH_TOKEN_IDLE_TTL > raw.GATEHOUSE_REFRESH_TOKEN_ABSOLUTE_TTL) {
    problems.push('GATEHOUSE_REFRESH_TOKEN_IDLE_TTL: must not exceed GATEHOUSE_REFRESH_TOKEN_ABSOLUTE_TTL')
  }
  const issuerForLinks = raw.GATEHOUSE_ISSUER ?? `http://localhost:${raw.PORT}`
  const email = emailConfig(raw, { production, issuer: issuerForLinks }, problems)
  const metrics = readMetricsConfig(env, problems)
  const shutdown = shutdownSettings(raw, problems)
  const workerSettings = readWorkerSettings(env, raw.GATEHOUSE_DATABASE_URL, problems)
  if (problems.length > 0) throw new ConfigError(problems)

  const database = raw.GATEHOUSE_DATABASE_URL
  let secret = raw.GATEHOUSE_SECRET
  const secretGenerated = secret === undefined
  if (secret === undefined) secret = loadDevelopmentSecret(database)
  const issuer = raw.GATEHOUSE_ISSUER ?? `http://localhost:${raw.PORT}`

  return deepFreeze({
    ...workerSettings,
    production,
    port: raw.PORT,
    host: raw.HOST,
    database,
    databasePoolMax: raw.GATEHOUSE_DB_POOL_MAX,
    databaseStatementTimeoutMs: raw.GATEHOUSE_DB_STATEMENT_TIMEOUT_MS,
    secret,
    secretPrevious: raw.GATEHOUSE_SECRET_PREVIOUS,
    secretGenerated,
    issuer,
    publicUrl: (raw.GATEHOUSE_PUBLIC_URL ?? issuer).replace(/\/+$/, ''),
    audience: raw.GATEHOUSE_AUDIENCE,
    jwtAlgorithm: raw.GATEHOUSE_JWT_ALG,
    hs256Secret: raw.GATEHOUSE_HS256_SECRET,
    accessTokenTtlSeconds: raw.GATEHOUSE_ACCESS_TOKEN_TTL,
    refreshTokenIdleTtlSeconds: raw.GATEHOUSE_REFRESH_TOKEN_IDLE_TTL,
    refreshTokenAbsoluteTtlSeconds: raw.GATEHOUSE_REFRESH_TOKEN_ABSOLUTE_TTL,
    refreshReuseGraceSeconds: raw.GATEHOUSE_REFRESH_REUSE_GRACE,
    introspectionClients: raw.GATEHOUSE_INTROSPECTION_CLIENTS,
    clockSkewSeconds: raw.GATEHOUSE_CLOCK_SKEW,
    argon2: {
      memoryKib: raw.GATEHOUSE_ARGON2_MEMORY_KIB,
      iterations: raw.GATEHOUSE_ARGON2_ITERATIONS,
      parallelism: raw.GATEHOUSE_ARGON2_PARALLELISM,
    },
    hashConcurrency: raw.GATEHOUSE_HASH_CONCURRENCY,
    hashQueueMax: raw.GATEHOUSE_HASH_QUEUE_MAX,
    bodyLimitBytes: raw.GATEHOUSE_BODY_LIMIT,
    headersTimeoutSeconds: raw.GATEHOUSE_HEADERS_TIMEOUT,
    keyRotationIntervalSeconds: raw.GATEHOUSE_KEY_ROTATION_INTERVAL,
    loginMaxFailures: raw.GATEHOUSE_LOGIN_MAX_FAILURES,
    loginWindowSeconds: raw.GATEHOUSE_LOGIN_WINDOW,
    loginMaxBackoffSeconds: raw.GATEHOUSE_LOGIN_MAX_BACKOFF,
    registerPerIpPerHour: raw.GATEHOUSE_REGISTER_PER_IP_PER_HOUR,
    registration: raw.GATEHOUSE_REGISTRATION,
    trustProxyHops: raw.GATEHOUSE_TRUST_PROXY,
    redisUrl: raw.GATEHOUSE_REDIS_URL,
    redisFailureMode: raw.GATEHOUSE_REDIS_FAILURE_MODE,
    redisKeyPrefix: raw.GATEHOUSE_REDIS_KEY_PREFIX,
    corsOrigins: raw.GATEHOUSE_CORS_ORIGINS,
    auditRetentionDays: raw.GATEHOUSE_AUDIT_RETENTION_DAYS,
    extraRoles: raw.GATEHOUSE_ROLES,
    adminUsername: raw.GATEHOUSE_ADMIN_USERNAME,
    adminPassword: raw.GATEHOUSE_ADMIN_PASSWORD,
    logLevel: raw.GATEHOUSE_LOG_LEVEL,
    email,
    ...mfaConfig(raw),
    metrics,
    shutdown,
  })
}

/**
 * Hashes running at once by default: one core fewer than the machine has, so the event loop keeps a core
 * for token checks during a login storm, and never more than 3, so libuv's 4-thread pool always has a
 * thread left for other work (bench/login-storm.ts measures the difference).
 */
function defaultHashConcurrency(): number {
  return Math.min(3, Math.max(1, availableParallelism() - 1))
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}
