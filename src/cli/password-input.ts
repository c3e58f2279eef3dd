import { createInterface } from 'node:readline'

/** Reads all of standard input (for --password-stdin), without the trailing newline. */
export async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
}

/** Prompts for a password on a terminal without echoing it. */
export async function promptPassword(question: string): Promise<string> {
  if (!process.stdin.isTTY)
    throw new Error('no terminal to prompt on: pass the password with --password-stdin')
  const readline = createInterface({ input: process.stdin, output: process.stdout, terminal: true })
  const output = readline as unknown as { _writeToOutput: (text: string) => void }
  let prompted = false
  // Echo the question once, then nothing of what is typed.
  output._writeToOutput = (text: string) => {
    if (!prompted) {
      process.stdout.write(text)
      prompted = true
    }
  }
  try {
    return await new Promise<string>((resolve) => readline.question(question, resolve))
  } finally {
    readline.close()
    process.stdout.write('\n')
  }
}

/**
 * Asks for a new password twice and returns it when both agree: a typo in a single hidden prompt made an
 * account nobody could log in to (issue 15).
 */
export async function promptNewPassword(ask: (question: string) => Promise<string>): Promise<string> {
  const password = await ask('Password: ')
  const repeated = await ask('Repeat the password: ')
  if (password !== repeated) throw new Error('the two passwords differ; nothing was created')
  return password
}
