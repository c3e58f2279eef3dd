import { isIPv4, isIPv6 } from 'node:net'

/**
 * The key per-address limits count a client under. An IPv6 client usually holds a whole /64 (often far
 * more), so counting each of its addresses separately would give it 2^64 fresh starts: IPv6 clients are
 * counted by their /64. IPv4-mapped IPv6 addresses count as the IPv4 address they carry.
 */
export function clientKey(ip: string): string {
  const address = ip.split('%')[0] ?? ip // a zone id names an interface, not a different client
  if (isIPv4(address)) return address
  if (!isIPv6(address)) return address
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped?.[1]) return mapped[1]
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`
}

function expandIPv6(address: string): string[] {
  const [head = '', tail] = address.split('::')
  const headGroups = head === '' ? [] : head.split(':')
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':')
  // An embedded IPv4 tail (::1.2.3.4) fills two groups; only the first four groups matter here.
  const missing = 8 - headGroups.length - tailGroups.length
  const groups =
    tail === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups]
  return groups.map((group) => (group.includes('.') ? group : Number.parseInt(group, 16).toString(16)))
}
