import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import nodemailer from 'nodemailer'
import type { EmailConfig } from '../../config/email.ts'
import { ensurePrivateFolder, makeFilePrivate } from '../../file-permissions.ts'

/** One message as the transport sends it. */
export interface OutgoingEmail {
  /** The outbox id: the Message-ID's left part and the .eml file name. */
  id: string
  to: string
  subject: string
  text: string
  html: string
}

/** Sends messages over SMTP, or writes them as .eml files when no SMTP server is configured. */
export interface MailTransport {
  readonly kind: 'smtp' | 'files'
  /** Delivers one message; for the file transport, returns the file written. */
  send(message: OutgoingEmail): Promise<{ file?: string }>
  close(): void
}

const transports = new WeakMap<EmailConfig, MailTransport>()

/** The transport for these settings, created once and shared (nodemailer keeps no connection open). */
export function mailTransport(config: EmailConfig): MailTransport {
  let transport = transports.get(config)
  if (!transport) {
    transport = config.smtpUrl === undefined ? fileTransport(config) : smtpTransport(config, config.smtpUrl)
    transports.set(config, transport)
  }
  return transport
}

function envelope(config: EmailConfig, message: OutgoingEmail) {
  const fromDomain = /@([^>\s]+)>?\s*$/.exec(config.mailFrom)?.[1] ?? 'localhost'
  return {
    from: config.mailFrom,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: `<${message.id}@${fromDomain}>`,
  }
}

function smtpTransport(config: EmailConfig, url: string): MailTransport {
  const transporter = nodemailer.createTransport({
    url,
    // smtp:// must upgrade with STARTTLS: links and codes are never sent in clear text. A URL may say
    // ?requireTLS=false for a relay on the same host.
    requireTLS: true,
    ...(config.smtpCaFile ? { tls: { ca: readFileSync(config.smtpCaFile, 'utf8') } } : {}),
    // A slow or silent server fails the attempt, which the outbox retries; it never holds a request.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  })
  return {
    kind: 'smtp',
    send: async (message) => {
      await transporter.sendMail(envelope(config, message))
      return {}
    },
    close: () => transporter.close(),
  }
}

function fileTransport(config: EmailConfig): MailTransport {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' })
  const directory = resolve(config.outboxDirectory)
  return {
    kind: 'files',
    send: async (message) => {
      const info = await transporter.sendMail(envelope(config, message))
      const content = (info as unknown as { message: Buffer }).message
      // The folder and each file are private: they hold live reset links and codes.
      ensurePrivateFolder(directory)
      const file = join(directory, `${message.id}.eml`)
      writeFileSync(file, content, { mode: 0o600 })
      makeFilePrivate(file)
      return { file }
    },
    close: () => transporter.close(),
  }
}

/** A short, secret-free description of a send failure: the SMTP reply code or the error's code. */
export function describeSendError(error: unknown): string {
  const details = error as { responseCode?: unknown; code?: unknown; name?: unknown } | null
  const parts = [details?.code, details?.responseCode].filter(
    (part) => typeof part === 'string' || typeof part === 'number',
  )
  return parts.length > 0 ? parts.join(' ') : typeof details?.name === 'string' ? details.name : 'Error'
}
