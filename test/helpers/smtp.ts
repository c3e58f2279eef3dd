import { simpleParser, type AddressObject } from 'mailparser'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { SMTPServer, type SMTPServerOptions } from 'smtp-server'
import { waitFor } from './wait.ts'

// A real SMTP server for the email tests: smtp-server with STARTTLS (a self-signed certificate for
// localhost and 127.0.0.1, valid until 2126, in test/fixtures/smtp-tls) and AUTH PLAIN/LOGIN, refused
// before TLS. What arrives is parsed with mailparser, and the link token and code are picked out.

/** The certificate authority file that makes Gatehouse trust the test server's certificate. */
export const SMTP_CA_FILE = fileURLToPath(new URL('../fixtures/smtp-tls/cert.pem', import.meta.url))
const KEY = readFileSync(new URL('../fixtures/smtp-tls/key.pem', import.meta.url))
const CERT = readFileSync(SMTP_CA_FILE)

/** The credentials the server accepts. */
export const SMTP_USER = 'gatehouse'
export const SMTP_PASSWORD = 'smtp-test-password'

/** One message as the server received it. */
export interface ReceivedEmail {
  to: string[]
  from: string
  subject: string
  text: string
  html: string
  /** Whether the session had upgraded to TLS (STARTTLS) before the message. */
  secure: boolean
  /** The authenticated user of the session. */
  user: string | undefined
  /** The link in the message, if any, and the token in its fragment. */
  link: string | undefined
  token: string | undefined
  code: string | undefined
}

/** A running test SMTP server. */
export interface TestSmtpServer {
  readonly port: number
  readonly messages: ReceivedEmail[]
  /** GATEHOUSE_SMTP_URL and GATEHOUSE_SMTP_CA_FILE for an app sending here. */
  env(): Record<string, string>
  /** Refuses the next `count` messages at DATA with `responseCode` (a temporary 451 by default). */
  refuseNext(count: number, responseCode?: number): void
  /** The messages sent to an address so far. */
  messagesTo(address: string): ReceivedEmail[]
  /** Waits until `count` messages have reached `address`; returns the newest. */
  waitForMessageTo(address: string, count?: number, timeoutMs?: number): Promise<ReceivedEmail>
  /** Stops listening (connections are refused) until `start()`; the port is kept. */
  stop(): Promise<void>
  start(): Promise<void>
  close(): Promise<void>
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value]
  return list.flatMap((entry) => entry.value.map((address) => address.address ?? ''))
}

/** Starts a test SMTP server on a free port of 127.0.0.1. */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const messages: ReceivedEmail[] = []
  let refusals: Array<number> = []
  let server: SMTPServer | undefined
  let port = 0

  const options: SMTPServerOptions = {
    key: KEY,
    cert: CERT,
    logger: false,
    authMethods: ['PLAIN', 'LOGIN'],
    // AUTH only after STARTTLS (the default), so a client that skipped TLS cannot send at all.
    allowInsecureAuth: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) callback(null, { user: SMTP_USER })
      else callback(new Error('Invalid username or password'))
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        const refusal = refusals.shift()
        if (refusal !== undefined) {
          callback(Object.assign(new Error('Try again later'), { responseCode: refusal }))
          return
        }
        simpleParser(Buffer.concat(chunks)).then(
          (parsed) => {
            const text = parsed.text ?? ''
            const link = /https?:\/\/\S+#token=[A-Za-z0-9_-]+/.exec(text)?.[0]
            messages.push({
              to: addresses(parsed.to),
              from: addresses(parsed.from)[0] ?? '',
              subject: parsed.subject ?? '',
              text,
              html: typeof parsed.html === 'string' ? parsed.html : '',
              secure: session.secure,
              user: typeof session.user === 'string' ? session.user : undefined,
              link,
              token: link === undefined ? undefined : link.split('#token=')[1],
              code: /Code: (\d{6})/.exec(text)?.[1],
            })
            callback()
          },
          (error: unknown) => callback(error as Error),
        )
      })
    },
  }

  const listen = async () => {
    const instance = new SMTPServer(options)
    instance.on('error', () => {})
    await new Promise<void>((resolve, reject) => {
      instance.server.once('error', reject)
      instance.listen(port, '127.0.0.1', () => resolve())
    })
    port = (instance.server.address() as AddressInfo).port
    server = instance
  }
  const stop = async () => {
    const running = server
    server = undefined
    if (running) await new Promise<void>((resolve) => running.close(() => resolve()))
  }
  await listen()

  const messagesTo = (address: string) =>
    messages.filter((message) => message.to.some((to) => to.toLowerCase() === address.toLowerCase()))
  return {
    get port() {
      return port
    },
    messages,
    env: () => ({
      GATEHOUSE_SMTP_URL: `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${port}`,
      GATEHOUSE_SMTP_CA_FILE: SMTP_CA_FILE,
      GATEHOUSE_MAIL_FROM: 'Gatehouse Test <no-reply@gatehouse.test>',
    }),
    refuseNext: (count, responseCode = 451) => {
      refusals = Array<number>(count).fill(responseCode)
    },
    messagesTo,
    waitForMessageTo: async (address, count = 1, timeoutMs = 15_000) => {
      await waitFor(() => Promise.resolve(messagesTo(address).length >= count), timeoutMs)
      const newest = messagesTo(address).at(-1)
      if (!newest) throw new Error(`no message to ${address}`)
      return newest
    },
    stop,
    start: listen,
    close: stop,
  }
}
