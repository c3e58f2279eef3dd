import type { Command } from 'commander'
import { parseEmail } from '../services/email/addresses.ts'
import { renderEmail } from '../services/email/templates.ts'
import { describeSendError, mailTransport } from '../services/email/transport.ts'
import { newId } from '../services/random.ts'
import { withServiceContext } from './context.ts'

/** `gatehouse mail test <address>`: send one message with the configured transport, now. */
export function registerMailCommands(program: Command): void {
  const mail = program.command('mail').description('email delivery')
  mail
    .command('test')
    .description(
      'send a test message to <address> with the configured transport (GATEHOUSE_SMTP_URL, or an .eml ' +
        'file in GATEHOUSE_OUTBOX_DIR without it), directly rather than through the outbox',
    )
    .argument('<address>')
    .action(async (address: string) => {
      if (!parseEmail(address)) throw new Error(`"${address}" is not an email address`)
      await withServiceContext(async (context) => {
        const { email } = context.config
        const transport = mailTransport(email)
        const rendered = renderEmail('test', { app_name: email.appName }, email.templatesDirectory)
        try {
          const { file } = await transport.send({ id: newId(), to: address, ...rendered })
          process.stdout.write(
            file === undefined
              ? `Sent a test message to ${address} over SMTP\n`
              : `GATEHOUSE_SMTP_URL is not set: wrote the test message to ${file}\n`,
          )
        } catch (error) {
          throw new Error(`sending failed (${describeSendError(error)}): ${(error as Error).message}`)
        }
      })
    })
}
