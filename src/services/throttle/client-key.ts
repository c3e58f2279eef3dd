import { isIPv4, isIPv6 } from 'node:net'

/**
 * The key per-address limits count a client under. An IPv6 client usually holds a whole /64 (often far
 * more), so counting each of its addresses separately would give it 2^64 fresh starts: IPv6 clients are
 * counted by their /64. An IPv6 address that carries an IPv4 address counts as that IPv4 address.
 */
export function clientKey(ip: string): string {
  // A zone id (fe80::1%eth0) names one of our interfaces, not a different client.
  const address = ip.split('%', 1)[0] ?? ip
  if (isIPv4(address)) return address
  // Not an address at all (the 'unknown' of a request without one): counted as given.
  if (!isIPv6(address)) return ip
  const groups = ipv6Groups(address)
  const carried = carriedIPv4(groups)
  if (carried !== undefined) return carried
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`
}

// The eight 16-bit groups of a valid IPv6 address, with `::` expanded and a dotted IPv4 tail as two groups,
// so every spelling of one address (leading zeros, upper case, `::` anywhere) gives the same groups.
function ipv6Groups(address: string): number[] {
  let text = address
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address)
  if (dotted) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted.slice(1).map(Number)
    text = `${address.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const headGroups = head === '' ? [] : head.split(':')
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':')
  const zeros = tail === undefined ? [] : Array<string>(8 - headGroups.length - tailGroups.length).fill('0')
  return [...headGroups, ...zeros, ...tailGroups].map((group) => Number.parseInt(group, 16))
}

// ::ffff:a.b.c.d is how a dual-stack socket shows an IPv4 client. 64:ff9b::a.b.c.d (RFC 6052) is how a
// server behind NAT64 sees every IPv4 client: counted by /64, they would all share one counter, and one
// attacker could lock out every IPv4 user.
const IPV4_MAPPED = [0, 0, 0, 0, 0, 0xffff]
const NAT64_WELL_KNOWN = [0x64, 0xff9b, 0, 0, 0, 0]

function carriedIPv4(groups: number[]): string | undefined {
  const startsWith = (prefix: number[]) => prefix.every((group, index) => groups[index] === group)
  if (!startsWith(IPV4_MAPPED) && !startsWith(NAT64_WELL_KNOWN)) return undefined
  const [high = 0, low = 0] = groups.slice(6)
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.')
}
