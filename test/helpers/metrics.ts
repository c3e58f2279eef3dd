// Reading Prometheus' text exposition in tests: one sample by name and labels.

/** The value of the sample `name{labels}` in a scrape, or undefined when the series is absent. */
export function sampleValue(
  scrape: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of scrape.split('\n')) {
    if (line.startsWith('#')) continue
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!match || match[1] !== name) continue
    const present = new Map<string, string>()
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      present.set(pair[1] ?? '', pair[2] ?? '')
    }
    if (Object.entries(labels).every(([key, value]) => present.get(key) === value)) return Number(match[3])
  }
  return undefined
}

/** GETs /metrics over real HTTP with a bearer token and returns the text; fails on any other status. */
export async function scrape(url: string, token?: string): Promise<string> {
  const response = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {})
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`)
  return response.text()
}
