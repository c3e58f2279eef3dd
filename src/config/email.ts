import { bool, makeValidator, str } from 'envalid'
import { integer } from './validators.ts'

// Settings of issue 11 (email addresses, reset, change, the outbox). Spread into config.ts's schema.

/** How Gatehouse delivers mail and what its messages say. */
export interface EmailConfig {
  /** smtp:// (STARTTLS required) or smtps:// URL with optional user:password; undefined writes .eml files. */
  readonly smtpUrl: string | undefined
  /** A PEM file of extra certificate authorities to trust for the SMTP server (a private CA). */
  readonly smtpCaFile: string | undefined
  readonly mailFrom: string
  readonly appName: string
  /** A folder whose <kind>.subject / .txt / .html files replace the built-in templates. */
  readonly templatesDirectory: string | undefined
  /** Where messages go as .eml files when no SMTP server is configured. */
  readonly outboxDirectory: string
  readonly requireEmail: boolean
  readonly requireVerifiedEmail: boolean
  /** Lifetime of email links and codes, in seconds. */
  readonly tokenTtlSeconds: number
  readonly perAddressPerHour: number
  readonly perAccountPerHour: number
  readonly perIpPerHour: number
}

/** GATEHOUSE_SMTP_URL: smtp:// or smtps://, a host, optional credentials. */
export const smtpUrl = makeValidator<string>((input) => {
  let url: URL
  try {
    url = new URL(input)
  } catch {
    throw new Error('must be a URL such as smtp://user:password@mail.example.com:587')
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
    throw new Error('must start with smtp:// or smtps://')
  if (url.hostname === '') throw new Error('must name a host')
  return input
})

/** The environment variables of this section, with their defaults. */
export const emailEnvironment = {
  GATEHOUSE_SMTP_URL: smtpUrl({ default: undefined }),
  GATEHOUSE_SMTP_CA_FILE: str({ default: undefined }),
  GATEHOUSE_MAIL_FROM: str({ default: undefined }),
  GATEHOUSE_APP_NAME: str({ default: 'Gatehouse' }),
  GATEHOUSE_TEMPLATES_DIR: str({ default: undefined }),
  GATEHOUSE_OUTBOX_DIR: str({ default: './data/outbox' }),
  GATEHOUSE_REQUIRE_EMAIL: bool({ default: false }),
  GATEHOUSE_REQUIRE_VERIFIED_EMAIL: bool({ default: false }),
  GATEHOUSE_EMAIL_TOKEN_TTL: integer(60, 7 * 86_400)({ default: 1800 }),
  GATEHOUSE_MAIL_PER_ADDRESS_PER_HOUR: integer(1, 10_000)({ default: 5 }),
  GATEHOUSE_MAIL_PER_ACCOUNT_PER_HOUR: integer(1, 10_000)({ default: 10 }),
  GATEHOUSE_MAIL_PER_IP_PER_HOUR: integer(1, 1_000_000)({ default: 30 }),
}

type EmailEnvironment = {
  [K in keyof typeof emailEnvironment]: ReturnType<(typeof emailEnvironment)[K]['_parse']> | undefined
}

/** Builds the email settings and adds the cross-checks' problems to `problems`. */
export function emailConfig(
  raw: Partial<Record<keyof typeof emailEnvironment, unknown>>,
  context: { production: boolean; issuer: string },
  problems: string[],
): EmailConfig {
  const env = raw as EmailEnvironment
  const requireEmail = env.GATEHOUSE_REQUIRE_EMAIL === true
  const requireVerifiedEmail = env.GATEHOUSE_REQUIRE_VERIFIED_EMAIL === true
  // Accounts that cannot exist or sign in without mail must not depend on files nobody reads.
  if (context.production && env.GATEHOUSE_SMTP_URL === undefined && (requireEmail || requireVerifiedEmail)) {
    problems.push(
      'GATEHOUSE_SMTP_URL: required when NODE_ENV=production and GATEHOUSE_REQUIRE_EMAIL or ' +
        'GATEHOUSE_REQUIRE_VERIFIED_EMAIL is on (without it mail is only written to files)',
    )
  }
  const appName = env.GATEHOUSE_APP_NAME ?? 'Gatehouse'
  let host = 'localhost'
  try {
    host = new URL(context.issuer).hostname || host
  } catch {
    // The issuer's own validator reports a bad URL.
  }
  return {
    smtpUrl: env.GATEHOUSE_SMTP_URL,
    smtpCaFile: env.GATEHOUSE_SMTP_CA_FILE,
    mailFrom: env.GATEHOUSE_MAIL_FROM ?? `${appName} <no-reply@${host}>`,
    appName,
    templatesDirectory: env.GATEHOUSE_TEMPLATES_DIR,
    outboxDirectory: env.GATEHOUSE_OUTBOX_DIR ?? './data/outbox',
    requireEmail,
    requireVerifiedEmail,
    tokenTtlSeconds: env.GATEHOUSE_EMAIL_TOKEN_TTL ?? 1800,
    perAddressPerHour: env.GATEHOUSE_MAIL_PER_ADDRESS_PER_HOUR ?? 5,
    perAccountPerHour: env.GATEHOUSE_MAIL_PER_ACCOUNT_PER_HOUR ?? 10,
    perIpPerHour: env.GATEHOUSE_MAIL_PER_IP_PER_HOUR ?? 30,
  }
}
