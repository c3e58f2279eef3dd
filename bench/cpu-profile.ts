// Summarises a V8 .cpuprofile (node --cpu-prof): the functions with the most self time, as a share of
// all samples and of the busy (non-idle) samples.
//
//   npx tsx bench/cpu-profile.ts <file.cpuprofile> [top=15]
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
}
interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
}

const [file, topArgument] = process.argv.slice(2)
if (!file) throw new Error('usage: bench/cpu-profile.ts <file.cpuprofile> [top]')
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const selfSamples = new Map<string, number>()
for (const id of profile.samples) {
  const frame = byId.get(id)?.callFrame
  if (!frame) continue
  const where = frame.url
    ? frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/src\//, 'src/')
    : ''
  const name = `${frame.functionName || '(anonymous)'} ${where}${where ? `:${frame.lineNumber + 1}` : ''}`
  selfSamples.set(name, (selfSamples.get(name) ?? 0) + 1)
}
const total = profile.samples.length
const idle = selfSamples.get('(idle) ') ?? 0
const busy = total - idle
console.log(`samples ${total}, idle ${((idle / total) * 100).toFixed(1)}%`)
console.log('self % of all | % of busy | function')
const top = [...selfSamples.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(topArgument ?? 15))
for (const [name, count] of top) {
  console.log(
    `${((count / total) * 100).toFixed(1).padStart(5)}% | ${((count / busy) * 100).toFixed(1).padStart(5)}% | ${name}`,
  )
}
