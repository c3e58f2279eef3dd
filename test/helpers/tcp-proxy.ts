import { connect, createServer, type Server, type Socket } from 'node:net'

/**
 * How the proxy fails: `reset` drops every connection (a server restart or crash), `blackhole` stops
 * forwarding and holds new connections silent (a network partition: no RST, no FIN, only silence).
 */
export type OutageMode = 'reset' | 'blackhole'

/** A TCP proxy in front of a real server, which a test can cut and restore at will. */
export interface TcpProxy {
  port: number
  cut(mode: OutageMode): void
  restore(): void
  close(): Promise<void>
}

/** Starts a proxy on an ephemeral port of 127.0.0.1 that forwards to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let outage: OutageMode | undefined
  const pairs = new Set<{ client: Socket; upstream: Socket | undefined }>()

  const server: Server = createServer((client) => {
    const pair: { client: Socket; upstream: Socket | undefined } = { client, upstream: undefined }
    pairs.add(pair)
    client.on('close', () => pairs.delete(pair))
    client.on('error', () => client.destroy())
    if (outage === 'reset') return void client.destroy()
    if (outage === 'blackhole') return // accepted, never answered
    const upstream = connect(target.port, target.host)
    pair.upstream = upstream
    upstream.on('error', () => client.destroy())
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address')

  const destroyAll = () => {
    for (const { client, upstream } of pairs) {
      client.destroy()
      upstream?.destroy()
    }
    pairs.clear()
  }

  return {
    port: address.port,
    cut(mode) {
      outage = mode
      if (mode === 'reset') return destroyAll()
      // Stop moving bytes both ways, as a dropped link would; the sockets stay open.
      for (const { client, upstream } of pairs) {
        client.unpipe()
        upstream?.unpipe()
        client.pause()
        upstream?.pause()
      }
    },
    restore() {
      // Connections frozen by the partition stay frozen: the server forgot them (it restarted, or
      // timed them out), and a client that sends nothing never learns. Only new connections work.
      outage = undefined
    },
    async close() {
      destroyAll()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
