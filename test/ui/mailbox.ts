import { startSmtpServer } from '../helpers/smtp.ts'

/** What the page tests read from the test SMTP server (test/helpers/smtp.ts), one message at a time. */
export interface Mailbox {
  /** Environment that points Gatehouse at the server (STARTTLS with the fixture CA, and AUTH). */
  env: Record<string, string>
  /** The text of the next message to `address` not read yet, waiting for it to arrive. */
  next(address: string): Promise<string>
  close(): Promise<void>
}

/** Starts the test SMTP server and reads each address's messages in the order they arrive. */
export async function startMailbox(): Promise<Mailbox> {
  const smtp = await startSmtpServer()
  const read = new Map<string, number>()
  return {
    env: smtp.env(),
    next: async (address) => {
      const key = address.toLowerCase()
      const count = (read.get(key) ?? 0) + 1
      read.set(key, count)
      await smtp.waitForMessageTo(address, count, 15_000)
      return smtp.messagesTo(address)[count - 1]?.text ?? ''
    },
    close: () => smtp.close(),
  }
}
