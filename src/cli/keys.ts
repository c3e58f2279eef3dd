import { Option, type Command } from 'commander'
import { readFileSync } from 'node:fs'
import { listAllSigningKeys } from '../db/keys.ts'
import { parsePrivateKey } from '../services/keys/import.ts'
import { retireKeyNow, rotateNow, type RotationContext } from '../services/keys/rotation.ts'
import { KEY_PREPUBLICATION_MS, keyState, type KeyState } from '../services/keys/schedule.ts'
import { newId } from '../services/random.ts'
import type { ServiceContext } from '../services/context.ts'
import { withServiceContext } from './context.ts'

// The API's state names (next, active, retiring, retired, expired) read, on a terminal, as if a rotation
// had logged everyone out (issue 15). The CLI names each state by what the key still does.
const CLI_STATE_NAMES: Record<KeyState, string> = {
  next: 'next',
  active: 'signing',
  retiring: 'verifying',
  retired: 'verifying',
  expired: 'ended',
}

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString())

function rotationContext(context: ServiceContext): RotationContext {
  const { db, keys, config, clock } = context
  return { db, keys, config, clock, instanceId: `cli-${newId()}` }
}

/** `gatehouse keys list|rotate|retire|import`. */
export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('manage token signing keys')

  keys
    .command('list')
    .description(
      'show every key: kid, algorithm, state and dates. States: next (published, signs later), signing ' +
        '(signs new tokens), verifying (stopped signing after a rotation; still verifies the tokens it ' +
        'signed until published_until, so nobody is logged out), ended (verifies nothing: published_until ' +
        'passed, or `keys retire` ended it)',
    )
    .action(async () => {
      await withServiceContext(async (context) => {
        const now = context.clock.now()
        const signingKid = context.keys.signingKid()
        process.stdout.write('kid\talg\tstate\tcreated\tsigns_from\tretired\tpublished_until\n')
        for (const row of await listAllSigningKeys(context.db)) {
          const state = CLI_STATE_NAMES[keyState(row, signingKid, now)]
          const fields = [row.kid, row.algorithm, state, iso(row.created_at)]
          fields.push(iso(row.not_before), iso(row.retired_at), iso(row.published_until))
          process.stdout.write(`${fields.join('\t')}\n`)
        }
      })
    })

  keys
    .command('rotate')
    .description(
      'emergency rotation: the next key signs now on every instance (within 30 s); old keys stay published until their tokens expire',
    )
    .action(async () => {
      const outcome = await withServiceContext((context) => rotateNow(rotationContext(context)))
      const previous = outcome.retiredKids.join(', ')
      process.stdout.write(
        `Now signing with ${outcome.createdKid}` +
          (previous
            ? `; ${previous} stopped signing and keeps verifying the tokens it signed until they expire ` +
              '(nobody is logged out; `gatehouse keys retire <kid>` ends them at once)\n'
            : '\n'),
      )
    })

  keys
    .command('retire')
    .description('retire a key at once (for a compromised key): tokens it signed stop working immediately')
    .argument('<kid>')
    // A kid is base64url and may start with "-": take it as the argument, not as an unknown option.
    .allowUnknownOption()
    .action(async (kid: string) => {
      const outcome = await withServiceContext((context) => retireKeyNow(rotationContext(context), kid))
      const replacement = outcome.createdKid ? `; ${outcome.createdKid} signs from now on` : ''
      process.stdout.write(`Retired ${kid}${replacement}\n`)
    })

  keys
    .command('import')
    .description('import a private key (JWK JSON or PEM) bound to one algorithm')
    .argument('<file>')
    .addOption(
      new Option('--alg <alg>', 'the algorithm the key is for')
        .choices(['EdDSA', 'ES256', 'RS256'])
        .makeOptionMandatory(),
    )
    .option('--now', 'sign with it at once instead of after the pre-publication wait')
    .action(async (file: string, options: { alg: 'EdDSA' | 'ES256' | 'RS256'; now?: boolean }) => {
      const key = await parsePrivateKey(readFileSync(file, 'utf8'), options.alg)
      await withServiceContext(async (context) => {
        const now = context.clock.now()
        await context.keys.storeKey(key, options.now ? now : now + KEY_PREPUBLICATION_MS)
        if (options.now) await rotateNow(rotationContext(context))
      })
      process.stdout.write(`Imported ${key.kid} (${options.alg})\n`)
    })
}
