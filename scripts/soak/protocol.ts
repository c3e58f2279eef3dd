import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

// The questions the soak asks its server process over IPC, and a small client for them.

/** What the soak may ask the server process. */
export type SoakQuestion =
  | { kind: 'memory' }
  | { kind: 'reset-loop-delay' }
  | { kind: 'loop-delay' }
  | { kind: 'sessions' }
  | { kind: 'stop' }

/** One row of the sessions table, as the session check needs it. */
export interface SessionRecord {
  id: string
  expires_at: number
  revoked_at: number | null
  revoked_reason: string | null
}

/** The server process's answers. */
export type SoakAnswer =
  | { kind: 'ready'; port: number }
  | { kind: 'done' }
  | { kind: 'memory'; rss: number; heapUsed: number }
  | { kind: 'loop-delay'; p50Ms: number; p99Ms: number; maxMs: number }
  | { kind: 'sessions'; now: number; rows: SessionRecord[] }

/** A running soak server and the way to ask it things. */
export interface SoakServer {
  baseUrl: string
  ask<K extends SoakQuestion['kind']>(kind: K): Promise<Extract<SoakAnswer, { kind: AnswerKind<K> }>>
  child: ChildProcess
}

type AnswerKind<K> = K extends 'memory' | 'loop-delay' | 'sessions' ? K : 'done'

/** Forks scripts/soak/server.ts with `env` and waits until it listens. */
export function startSoakServer(env: Record<string, string>): Promise<SoakServer> {
  const child = fork(fileURLToPath(new URL('./server.ts', import.meta.url)), [], {
    env: { PATH: process.env.PATH ?? '', ...env },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const waiting = new Map<number, { resolve(value: SoakAnswer): void; reject(error: Error): void }>()
  let nextId = 1
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      const error = new Error(`the soak server exited (${code})`)
      for (const pending of waiting.values()) pending.reject(error)
      reject(error)
    })
    child.on('message', (message: { id: number; reply?: SoakAnswer; error?: string }) => {
      if (message.id === 0 && message.reply?.kind === 'ready') {
        const ask = (kind: SoakQuestion['kind']) =>
          new Promise<SoakAnswer>((resolveAnswer, rejectAnswer) => {
            const id = nextId++
            waiting.set(id, { resolve: resolveAnswer, reject: rejectAnswer })
            child.send({ id, question: { kind } })
          })
        resolve({
          baseUrl: `http://127.0.0.1:${message.reply.port}`,
          ask: ask as SoakServer['ask'],
          child,
        })
        return
      }
      const pending = waiting.get(message.id)
      waiting.delete(message.id)
      if (message.error !== undefined) pending?.reject(new Error(message.error))
      else if (message.reply) pending?.resolve(message.reply)
    })
  })
}
