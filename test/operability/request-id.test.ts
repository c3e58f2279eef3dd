import { connect } from 'node:net'
import { requestIdFor } from '../../src/plugins/request-id.ts'
import { describe, expect, it } from 'vitest'
import { attemptLogin } from '../helpers/api.ts'
import { closedAfterEach } from '../helpers/hooks.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/** GET /healthz over a raw socket, so header bytes reach the server exactly as written. */
function rawGet(
  baseUrl: string,
  requestId: string,
): Promise<{ status: number; requestId: string | undefined }> {
  const { hostname, port } = new URL(baseUrl)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    let text = ''
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')))
    socket.on('error', reject)
    socket.on('end', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)
      resolve({ status, requestId: /\r\nx-request-id: ([^\r]*)\r\n/i.exec(text)?.[1] })
    })
    socket.end(
      Buffer.from(
        `GET /healthz HTTP/1.1\r\nHost: ${hostname}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n`,
        'utf8',
      ),
    )
  })
}

describe('X-Request-Id', () => {
  const fresh = closedAfterEach()

  it('is on every response: a new UUIDv7 when none was sent, the caller’s when well-formed', async () => {
    const server = await fresh.server()
    const generated = await fetch(`${server.baseUrl}/healthz`)
    expect(generated.headers.get('x-request-id')).toMatch(UUID)
    const other = await fetch(`${server.baseUrl}/healthz`)
    expect(other.headers.get('x-request-id')).not.toBe(generated.headers.get('x-request-id'))

    for (const kept of ['0b8f7c52-3a53-4a5e-9d1c-7a9f9a0e6f11', 'edge-lb:1a2b3c/4', 'x'.repeat(128)]) {
      const response = await fetch(`${server.baseUrl}/healthz`, { headers: { 'x-request-id': kept } })
      expect(response.headers.get('x-request-id')).toBe(kept)
    }
    // 404s, 401s and router errors carry it too.
    for (const path of ['/no-such-path', '/profile', '/%E0%A4%A']) {
      const response = await fetch(`${server.baseUrl}${path}`, { headers: { 'x-request-id': 'trace-7' } })
      expect(response.status).toBeGreaterThanOrEqual(400)
      expect(response.headers.get('x-request-id')).toBe('trace-7')
    }
  })

  it('replaces one that is too long or holds spaces, control or non-ASCII characters', async () => {
    const server = await fresh.server()
    for (const refused of [
      'x'.repeat(129),
      'two words',
      'tab\there',
      'caf\u00e9',
      '\u0442\u0435\u0441\u0442',
    ]) {
      const response = await rawGet(server.baseUrl, refused)
      expect(response.status).toBe(200)
      expect(response.requestId).toMatch(UUID)
    }
    // Node's parser answers 400 itself to most control characters; the check refuses them anyway.
    for (const refused of ['a\u0007b', 'nul\u0000', 'line\nbreak', '\u007f', '']) {
      expect(requestIdFor({ headers: { 'x-request-id': refused } })).toMatch(UUID)
    }
  })

  it('is recorded with the audit event and returned in 5xx bodies', async () => {
    const { app } = await fresh.app()
    const failed = await attemptLogin(app, 'nobody', 'wrong password here', {
      headers: { 'x-request-id': 'login-trace-1' },
    })
    expect(failed.headers['x-request-id']).toBe('login-trace-1')
    const row = await app.services.db
      .selectFrom('audit_events')
      .select(['action', 'request_id'])
      .where('action', '=', 'login.failure')
      .executeTakeFirstOrThrow()
    expect(row.request_id).toBe('login-trace-1')

    await app.services.db.destroy()
    const broken = await app.inject({
      method: 'GET',
      url: '/readyz',
      headers: { 'x-request-id': 'outage-9' },
    })
    expect(broken.statusCode).toBe(503)
    expect(broken.headers['x-request-id']).toBe('outage-9')
    expect(broken.json()).toMatchObject({
      status: 'not_ready',
      code: 'database_unavailable',
      request_id: 'outage-9',
      components: { database: { status: 'down' }, signing_key: { status: 'up' } },
    })
    expect(broken.headers['retry-after']).toBe('5')
  })
})
