import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { exportPKCS8, generateKeyPair } from 'jose'
import { afterAll, describe, expect, it } from 'vitest'
import { CLI_TEST_TIMEOUT_MS, cliOutput, sqliteCliEnv } from '../helpers/cli.ts'
import { defined } from '../helpers/defined.ts'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'

describe('gatehouse keys', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  const folder = temporaryDirectory('keys-cli')
  afterAll(() => removeDirectory(folder))
  const env = sqliteCliEnv(join(folder, 'g.db'))
  const gatehouse = (...args: string[]) => cliOutput(args, { env })
  const rows = async () =>
    (await gatehouse('keys', 'list'))
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => {
        const [kid, alg, state] = line.split('\t')
        return { kid: defined(kid), alg: defined(alg), state: defined(state) }
      })

  it('lists, rotates, imports and retires keys', async () => {
    const [first] = await rows()
    expect(first).toMatchObject({ alg: 'ES256', state: 'signing' })

    expect(await gatehouse('keys', 'rotate')).toMatch(
      /^Now signing with \S+; \S+ stopped signing and keeps verifying the tokens it signed until they expire \(nobody is logged out/,
    )
    const afterRotate = await rows()
    expect(afterRotate.map((row) => row.state).sort()).toEqual(['signing', 'verifying'])

    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })
    const file = join(folder, 'key.pem')
    writeFileSync(file, await exportPKCS8(privateKey))
    const imported = /^Imported (\S+) \(EdDSA\)/.exec(
      await gatehouse('keys', 'import', file, '--alg', 'EdDSA'),
    )?.[1]
    expect(imported).toBeDefined()
    expect((await rows()).find((row) => row.kid === imported)?.state).toBe('next')

    const active = defined((await rows()).find((row) => row.state === 'signing'))
    expect(await gatehouse('keys', 'retire', active.kid)).toMatch(
      new RegExp(`^Retired ${active.kid}; \\S+ signs from now on`),
    )
    const final = await rows()
    expect(final.find((row) => row.kid === active.kid)?.state).toBe('ended')
    expect(final.filter((row) => row.state === 'signing')).toHaveLength(1)
  })

  it('takes a kid that starts with "-" as the kid, not as an option', async () => {
    await expect(gatehouse('keys', 'retire', '-starts-with-a-dash')).rejects.toMatchObject({
      // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types asymmetric matchers as any
      stderr: expect.stringContaining('no signing key with kid -starts-with-a-dash'),
    })
  })

  it('refuses to import a key that does not fit the algorithm', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true })
    const file = join(folder, 'p256.pem')
    writeFileSync(file, await exportPKCS8(privateKey))
    await expect(gatehouse('keys', 'import', file, '--alg', 'EdDSA')).rejects.toMatchObject({
      // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types asymmetric matchers as any
      stderr: expect.stringContaining('cannot be used for EdDSA'),
    })
  })
})
