import { createReadStream } from 'node:fs'
import { basename } from 'node:path'
import { createInterface } from 'node:readline'
import type { ImportSource, SourceRow } from './rows.ts'

const FIELDS = new Set(['username', 'password_hash', 'role', 'email', 'email_verified'])

async function* lines(path: string): AsyncGenerator<{ number: number; text: string }> {
  const reader = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })
  let number = 0
  for await (const text of reader) {
    number += 1
    if (text.trim() !== '') yield { number, text }
  }
}

/** Parses one line; unknown fields make the row invalid, as unknown body fields do in the API. */
export function parseJsonlRow(number: number, text: string): SourceRow {
  const ref = `line ${number}`
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { ref, username: undefined, passwordHash: undefined, role: undefined, problem: 'invalid_json' }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ref, username: undefined, passwordHash: undefined, role: undefined, problem: 'invalid_json' }
  }
  const record = value as Record<string, unknown>
  const problem = Object.keys(record).some((key) => !FIELDS.has(key)) ? ('unknown_field' as const) : undefined
  return {
    ref,
    username: record.username,
    passwordHash: record.password_hash,
    role: record.role,
    email: record.email,
    emailVerified: record.email_verified,
    ...(problem ? { problem } : {}),
  }
}

/** Opens a JSON Lines file of `{username, password_hash, role?, email?, email_verified?}`; counts its rows first for the progress bar. */
export async function openJsonl(path: string): Promise<ImportSource> {
  let total = 0
  for await (const _line of lines(path)) total += 1
  return {
    kind: 'jsonl',
    name: basename(path),
    total,
    rows: async function* () {
      for await (const { number, text } of lines(path)) yield parseJsonlRow(number, text)
    },
    close: () => {},
  }
}
