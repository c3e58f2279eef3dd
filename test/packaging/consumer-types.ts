import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'

// TypeScript users of the package, one importing it (ESM) and one requiring it (CommonJS). Each
// `@ts-expect-error` line also proves the types are real: were an export typed `any`, the line would
// have no error to expect and the check would fail.
const ESM_CONSUMER = `
import { createVerifier, VerifyError, type AccessTokenClaims, type VerifyErrorCode } from '@gatehouse/verify'
import { fastifyGatehouse, getAuth } from '@gatehouse/verify/fastify'
import { expressGatehouse } from '@gatehouse/verify/express'
import Fastify from 'fastify'
import express from 'express'

const verifier = createVerifier({ issuer: 'https://id.example.com', audience: 'gatehouse' })
const claims: AccessTokenClaims = await verifier.verify('token')
export const role: string | undefined = claims.role
export const code = (error: unknown): VerifyErrorCode | undefined => (error instanceof VerifyError ? error.code : undefined)
const fastify = Fastify()
await fastify.register(fastifyGatehouse, { verifier })
fastify.get('/me', { preHandler: fastify.requireAuth({ role: 'admin' }) }, async (request) => getAuth(request).sub)
express().get('/me', expressGatehouse({ verifier }), (request, response) => {
  response.json({ sub: request.auth?.sub })
})
// @ts-expect-error the subject is a string
export const wrong: number = claims.sub
`

const COMMONJS_CONSUMER = `
import { createVerifier, VerifyError } from '@gatehouse/verify'
import { fastifyGatehouse } from '@gatehouse/verify/fastify'
import { expressGatehouse } from '@gatehouse/verify/express'
import express = require('express')

const verifier = createVerifier({ issuer: 'https://id.example.com', audience: 'gatehouse' })
export const subject: Promise<string> = verifier.verify('token').then((claims) => claims.sub)
export const isVerifyError = (error: unknown): boolean => error instanceof VerifyError
export const plugin = fastifyGatehouse
express().get('/admin', expressGatehouse({ verifier, role: 'admin' }), (request, response) => {
  response.json({ sub: request.auth?.sub })
})
// @ts-expect-error a verifier needs an audience
createVerifier({ issuer: 'https://id.example.com' })
`

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    types: ['node'],
    noEmit: true,
    skipLibCheck: true,
  },
  files: ['consumer.mts', 'consumer.cts'],
}

/**
 * Type-checks both consumers in the scratch project with this repository's TypeScript, run from
 * outside it: the scratch project has declarations (`@types/…`) but no compiler and no loader.
 * Resolves with tsc's output; rejects if it finds errors.
 */
export async function typecheckConsumers(directory: string): Promise<string> {
  writeFileSync(join(directory, 'consumer.mts'), ESM_CONSUMER)
  writeFileSync(join(directory, 'consumer.cts'), COMMONJS_CONSUMER)
  writeFileSync(join(directory, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2))
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [tsc, '-p', directory], { cwd: directory })
    return stdout
  } catch (error) {
    // tsc reports type errors on stdout; say what they are, not only that it exited with 2.
    throw new Error(
      `tsc found errors in the consumers:\n${(error as { stdout?: string }).stdout ?? String(error)}`,
    )
  }
}
