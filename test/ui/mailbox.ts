import { simpleParser } from 'mailparser'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SMTPServer } from 'smtp-server'
import { freePort } from '../helpers/browser.ts'

/** A test SMTP server the page tests read Gatehouse's messages from. */
export interface Mailbox {
  /** Environment that points Gatehouse at this server (STARTTLS with a private CA, and AUTH). */
  env: Record<string, string>
  /** The text of the next message to `address` that has not been read, waiting for it to arrive. */
  next(address: string): Promise<string>
  /** Drops what `address` has received so far, so `next` waits for a message sent after this call. */
  forget(address: string): void
  close(): Promise<void>
}

const USER = 'gatehouse'
const PASSWORD = 'smtp test password'

/**
 * Starts an SMTP server on a free port with STARTTLS (a throwaway self-signed certificate for 127.0.0.1,
 * which Gatehouse trusts through GATEHOUSE_SMTP_CA_FILE) and AUTH PLAIN/LOGIN, and parses what arrives
 * with mailparser, as a real mail client would.
 */
export async function startMailbox(): Promise<Mailbox> {
  const directory = mkdtempSync(join(tmpdir(), 'gatehouse-mailbox-'))
  const keyFile = join(directory, 'key.pem')
  const certFile = join(directory, 'cert.pem')
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  )

  const inboxes = new Map<string, string[]>()
  const waiters = new Set<() => void>()
  const server = new SMTPServer({
    key: readFileSync(keyFile),
    cert: readFileSync(certFile),
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === USER && auth.password === PASSWORD) callback(null, { user: USER })
      else callback(new Error('Invalid username or password'))
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          for (const recipient of session.envelope.rcptTo) {
            const address = recipient.address.toLowerCase()
            inboxes.set(address, [...(inboxes.get(address) ?? []), parsed.text ?? ''])
          }
          for (const wake of waiters) wake()
          callback()
        })
        .catch((error: Error) => callback(error))
    },
  })
  const port = await freePort()
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))

  const next = (address: string) =>
    new Promise<string>((resolve, reject) => {
      const key = address.toLowerCase()
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(new Error(`no message to ${address} arrived within 15 s`))
      }, 15_000)
      function check() {
        const message = inboxes.get(key)?.shift()
        if (message === undefined) return
        clearTimeout(timer)
        waiters.delete(check)
        resolve(message)
      }
      waiters.add(check)
      check()
    })

  return {
    env: {
      GATEHOUSE_SMTP_URL: `smtp://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}`,
      GATEHOUSE_SMTP_CA_FILE: certFile,
      GATEHOUSE_MAIL_FROM: 'Gatehouse <gatehouse@example.test>',
    },
    next,
    forget: (address) => inboxes.delete(address.toLowerCase()),
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      rmSync(directory, { recursive: true, force: true })
    },
  }
}
