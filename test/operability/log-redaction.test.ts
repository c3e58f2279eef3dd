import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { GATEHOUSE_BIN } from '../helpers/cli.ts'
import { TEST_SECRET } from '../helpers/config.ts'
import { removeDirectory, temporaryDirectory } from '../helpers/files.ts'
import { callJson } from '../helpers/http.ts'
import { keyOfSecret } from '../helpers/mfa.ts'
import { totpCode } from '../../src/services/mfa/totp.ts'
import { ADMIN, ADMIN_ENV } from '../helpers/users.ts'
import { waitFor } from '../helpers/wait.ts'
import { randomPort } from '../helpers/server-process.ts'

// A real server at debug level, a full flow over HTTP, and every secret that crossed the wire or was
// stored looked for in what the process wrote to stdout and stderr.

const FIRST_PASSWORD = 'first-Passw0rd-for-alice'
const SECOND_PASSWORD = 'second-Passw0rd-for-alice'
const WRONG_PASSWORD = 'wrong-Passw0rd-typed-by-mallory'

interface TokenBody {
  access_token: string
  refresh_token: string
  device_token?: string
}

describe('the log at debug level', () => {
  const folder = temporaryDirectory('redaction')
  let child: ChildProcess | undefined
  afterAll(() => {
    child?.kill('SIGKILL')
    removeDirectory(folder)
  })

  it('holds no password, token, refresh token, device token, one-time code or hash, and names each security event', async () => {
    const port = String(randomPort())
    const base = `http://127.0.0.1:${port}`
    const databasePath = join(folder, 'gatehouse.db')
    let output = ''
    child = spawn(process.execPath, [GATEHOUSE_BIN, 'serve'], {
      cwd: folder,
      env: {
        PATH: process.env.PATH ?? '',
        PORT: port,
        GATEHOUSE_SECRET: TEST_SECRET,
        GATEHOUSE_DATABASE_URL: `sqlite:${databasePath}`,
        GATEHOUSE_ARGON2_MEMORY_KIB: '64',
        GATEHOUSE_ARGON2_ITERATIONS: '1',
        GATEHOUSE_LOG_LEVEL: 'debug',
        ...ADMIN_ENV,
      },
    })
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const server = child
    await waitFor(
      async () => {
        if (server.exitCode !== null) throw new Error(`server exited: ${output}`)
        return (await fetch(`${base}/healthz`).catch(() => undefined))?.ok === true
      },
      60_000,
      100,
    )

    let code = ''
    const secrets: string[] = [FIRST_PASSWORD, SECOND_PASSWORD, WRONG_PASSWORD, ADMIN.password, TEST_SECRET]
    const keep = (body: Record<string, unknown>) => {
      const tokens = body as unknown as TokenBody
      for (const value of [tokens.access_token, tokens.refresh_token, tokens.device_token]) {
        if (typeof value !== 'string') continue
        secrets.push(value)
        // A JWT's payload or signature alone would be a leak too, and so would the secret half of an
        // id.secret token (its id half is a public user or token id, fine in a log).
        const parts = value.split('.')
        if (parts.length === 3) secrets.push(...parts.slice(1))
        else if (parts.length === 2) secrets.push(parts[1] ?? '')
      }
      return tokens
    }
    const form = (fields: Record<string, string>) =>
      fetch(`${base}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'flow-token' },
        body: new URLSearchParams(fields).toString(),
      })

    expect(
      (await callJson(base, 'POST', '/register', { body: { username: 'alice', password: FIRST_PASSWORD } }))
        .status,
    ).toBe(201)
    const first = await callJson(base, 'POST', '/login', {
      body: { username: 'alice', password: FIRST_PASSWORD },
    })
    const pair = keep(first.body)
    expect((await callJson(base, 'GET', '/profile', { token: pair.access_token })).status).toBe(200)
    const rotated = await form({ grant_type: 'refresh_token', refresh_token: pair.refresh_token })
    keep((await rotated.json()) as Record<string, unknown>)
    expect((await form({ grant_type: 'refresh_token', refresh_token: pair.refresh_token })).status).toBe(400)
    const password = await form({ grant_type: 'password', username: 'alice', password: FIRST_PASSWORD })
    const second = keep((await password.json()) as Record<string, unknown>)
    const change = await callJson(base, 'POST', '/profile/password', {
      token: second.access_token,
      body: { current_password: FIRST_PASSWORD, new_password: SECOND_PASSWORD },
    })
    expect(change.status).toBe(200)

    // A second factor: the TOTP secret, a code, the recovery codes and the mfa_token are secrets too.
    const enroll = await callJson(base, 'POST', '/mfa/totp', {
      token: second.access_token,
      body: { password: SECOND_PASSWORD },
    })
    expect(enroll.status).toBe(200)
    const totpSecret = String(enroll.body.secret)
    code = totpCode(keyOfSecret(totpSecret), Date.now())
    const confirm = await callJson(base, 'POST', '/mfa/totp/confirm', {
      token: second.access_token,
      body: { code },
    })
    expect(confirm.status).toBe(200)
    const recoveryCodes = (confirm.body as { recovery_codes: string[] }).recovery_codes
    secrets.push(totpSecret, ...recoveryCodes)
    const challenge = await callJson(base, 'POST', '/login', {
      body: { username: 'alice', password: SECOND_PASSWORD },
    })
    expect(challenge.status).toBe(403)
    const mfaToken = String(challenge.body.mfa_token)
    secrets.push(mfaToken)
    const secondStep = await callJson(base, 'POST', '/login/mfa', {
      body: { mfa_token: mfaToken, recovery_code: recoveryCodes[0] },
    })
    expect(secondStep.status).toBe(200)
    keep(secondStep.body)
    expect(
      (await callJson(base, 'POST', '/login', { body: { username: 'alice', password: WRONG_PASSWORD } }))
        .status,
    ).toBe(401)
    const root = keep(
      (
        await callJson(base, 'POST', '/login', {
          body: { username: ADMIN.username, password: ADMIN.password },
        })
      ).body,
    )
    const users = await callJson(base, 'GET', '/admin/users?q=alice', { token: root.access_token })
    const alice = (users.body as { items: Array<{ id: string; username: string }> }).items.find(
      (user) => user.username === 'alice',
    )
    expect(alice).toBeDefined()
    const promote = await callJson(base, 'PATCH', `/admin/users/${alice?.id ?? ''}`, {
      token: root.access_token,
      body: { role: 'admin' },
    })
    expect(promote.status).toBe(200)
    expect((await callJson(base, 'POST', '/admin/keys/rotate', { token: root.access_token })).status).toBe(
      200,
    )
    const revoke = await fetch(`${base}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: second.refresh_token }).toString(),
    })
    expect(revoke.status).toBe(200)
    expect(
      (
        await fetch(`${base}/logout`, {
          method: 'POST',
          headers: { authorization: `Bearer ${root.access_token}` },
        })
      ).status,
    ).toBe(204)

    // The stored hashes (passwords, refresh tokens) must not be in the log either.
    const database = new SQLite(databasePath, { readonly: true })
    try {
      for (const row of database.prepare('select password_hash from users').all() as Array<{
        password_hash: string
      }>)
        secrets.push(row.password_hash)
      for (const row of database.prepare('select token_hash from refresh_tokens').all() as Array<{
        token_hash: string
      }>)
        secrets.push(row.token_hash)
    } finally {
      database.close()
    }

    server.kill('SIGTERM')
    await new Promise((resolve) => server.once('exit', resolve))
    expect(output.length).toBeGreaterThan(1000)
    for (const secret of secrets.filter((value) => value.length >= 8)) {
      expect(output.includes(secret), `the log holds a secret (${secret.slice(0, 6)}…)`).toBe(false)
    }

    // Six digits also occur inside timestamps by chance: look for the code as a value of its own.
    expect(output).not.toMatch(new RegExp(`[":=]${code}(?!\\d)`))

    const lines = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    // Debug level was really on, and every request line carries its request id.
    expect(lines.some((line) => line.level === 20)).toBe(true)
    const requestLines = lines.filter((line) => line.req !== undefined || line.res !== undefined)
    // One access-log line per request (plugins/access-log.ts), for the 15 or so requests above.
    expect(requestLines.length).toBeGreaterThan(10)
    for (const line of requestLines) expect(line.request_id).toEqual(expect.any(String))
    const events = lines.filter((line) => typeof line.security_event === 'string')
    const named = new Set(events.map((line) => line.security_event))
    for (const name of [
      'account.registered',
      'auth.login.succeeded',
      'auth.login.failed',
      'auth.refresh.succeeded',
      'auth.refresh.reuse_detected',
      'account.password.changed',
      'admin.user.role_changed',
      'account.mfa.totp_enabled',
      'auth.mfa.recovery_code_used',
      'keys.rotated',
      'auth.session.revoked',
      'auth.logout',
    ]) {
      expect(named, name).toContain(name)
    }
    // Alerts key on level and name: a failed login and a reuse are warnings, with the request id.
    const reuse = events.find((line) => line.security_event === 'auth.refresh.reuse_detected')
    expect(reuse).toMatchObject({ level: 40, request_id: 'flow-token' })
    expect(events.find((line) => line.security_event === 'auth.login.failed')).toMatchObject({
      level: 40,
      reason: 'wrong_password',
    })
  }, 180_000)
})
