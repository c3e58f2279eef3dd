import { Agent, request } from 'node:http'

// A client that sends many requests over a few reused connections, as a busy API client or a proxy
// does: races then meet the server on keep-alive sockets, not one fresh connection per request.

/** A response read in full. */
export interface KeepAliveResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  /** The body parsed as JSON (an empty object when it is empty or not JSON). */
  json: Record<string, unknown>
}

/** What one request sends: a JSON or form body, and extra headers. */
export interface KeepAliveRequest {
  json?: unknown
  form?: Record<string, string>
  /** A raw body, sent as it is with the given headers. */
  raw?: string | Buffer
  headers?: Record<string, string>
}

/** A keep-alive client bound to one server. */
export interface KeepAliveClient {
  send(method: string, path: string, options?: KeepAliveRequest): Promise<KeepAliveResponse>
  /** How many distinct sockets answered so far (fewer than requests proves reuse). */
  socketsUsed(): number
  close(): void
}

function encodeBody(options: KeepAliveRequest): { body: string | Buffer | undefined; type?: string } {
  if (options.json !== undefined) return { body: JSON.stringify(options.json), type: 'application/json' }
  if (options.form !== undefined)
    return {
      body: new URLSearchParams(options.form).toString(),
      type: 'application/x-www-form-urlencoded',
    }
  return { body: options.raw }
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

/** A client keeping at most `connections` sockets open to `baseUrl` and reusing them. */
export function keepAliveClient(baseUrl: string, connections = 4): KeepAliveClient {
  const agent = new Agent({ keepAlive: true, maxSockets: connections })
  const sockets = new WeakSet<object>()
  let socketCount = 0
  const send = (method: string, path: string, options: KeepAliveRequest = {}) => {
    const { body, type } = encodeBody(options)
    const headers: Record<string, string | number> = { ...options.headers }
    if (type) headers['content-type'] = type
    if (body !== undefined) headers['content-length'] = Buffer.byteLength(body)
    return new Promise<KeepAliveResponse>((resolve, reject) => {
      const outgoing = request(`${baseUrl}${path}`, { method, agent, headers }, (incoming) => {
        if (!sockets.has(incoming.socket)) {
          sockets.add(incoming.socket)
          socketCount += 1
        }
        const chunks: Buffer[] = []
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
        incoming.on('error', reject)
        incoming.on('end', () => {
          const text = Buffer.concat(chunks).toString()
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: text,
            json: parseJson(text),
          })
        })
      })
      outgoing.on('error', reject)
      outgoing.end(body)
    })
  }
  return { send, socketsUsed: () => socketCount, close: () => agent.destroy() }
}
