import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, startTestServer, type TestApp } from '../helpers/app.ts'

const HEADERS_TIMEOUT_SECONDS = 2
const TRICKLE_INTERVAL_MS = 400

/** Opens a socket and sends a request line, then one header byte every TRICKLE_INTERVAL_MS, forever. */
function trickle(port: number): { socket: Socket; closed: Promise<{ afterMs: number; answer: string }> } {
  const socket = connect(port, '127.0.0.1')
  const started = Date.now()
  let answer = ''
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => (answer += chunk))
  socket.on('error', () => {})
  socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ')
  const timer = setInterval(() => socket.write('a'), TRICKLE_INTERVAL_MS)
  const closed = new Promise<{ afterMs: number; answer: string }>((resolve) => {
    socket.on('close', () => {
      clearInterval(timer)
      resolve({ afterMs: Date.now() - started, answer })
    })
  })
  return { socket, closed }
}

// Regression (issue 16, finding 5): the README promised a 10 s headers timeout, but Node only checks it
// every connectionsCheckingInterval (30 s by default), so a socket sending a byte every 5 s lived 25-36 s.
// Real time on purpose: the bound under test is the server's own timer. The timeout is configured small.
describe('slow headers', () => {
  let testApp: TestApp & { baseUrl: string }
  let port: number
  beforeAll(async () => {
    testApp = await startTestServer({ env: { GATEHOUSE_HEADERS_TIMEOUT: String(HEADERS_TIMEOUT_SECONDS) } })
    port = Number(new URL(testApp.baseUrl).port)
  })
  afterAll(async () => {
    await testApp.close()
  })

  it('finding 5: cuts a client that trickles its headers within a second of the headers timeout', async () => {
    const { socket, closed } = trickle(port)
    const guard = setTimeout(() => socket.destroy(), 15_000)
    const { afterMs, answer } = await closed
    clearTimeout(guard)
    expect(answer).toMatch(/^HTTP\/1\.1 408 /)
    expect(afterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_SECONDS * 1000 - 100)
    // The timeout plus one connection sweep (1 s), with room for a loaded machine.
    expect(afterMs).toBeLessThan(HEADERS_TIMEOUT_SECONDS * 1000 + 2_000)
  })

  it('still serves a client that sends its headers in time (the control)', async () => {
    const response = await fetch(`${testApp.baseUrl}/healthz`)
    expect(response.status).toBe(200)
  })

  it('defaults to the 10 s the README states, swept every second', async () => {
    const defaults = await createTestApp()
    try {
      expect(defaults.app.server.headersTimeout).toBe(10_000)
      const { connectionsCheckingInterval } = defaults.app.server as { connectionsCheckingInterval?: number }
      expect(connectionsCheckingInterval).toBe(1_000)
    } finally {
      await defaults.close()
    }
  })
})
