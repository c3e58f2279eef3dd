import type { Language, MessageKey, MessageParams } from './i18n/index.ts'

/** A date and time in the page's language and the browser's time zone. */
export function formatDateTime(iso: string | null, language: Language): string {
  if (iso === null) return '—'
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))
}

const BROWSERS: Array<[RegExp, string]> = [
  [/Edg\//, 'Edge'],
  [/OPR\//, 'Opera'],
  [/Firefox\//, 'Firefox'],
  [/Chrom(e|ium)\//, 'Chrome'],
  [/Safari\//, 'Safari'],
  [/^curl\//, 'curl'],
]
const SYSTEMS: Array<[RegExp, string]> = [
  [/Android/, 'Android'],
  [/iPhone|iPad|iOS/, 'iOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
]

/**
 * A short name for the device behind a session ("Chrome on Linux") from its User-Agent. The header is
 * whatever the client sent, so it is only ever shown as text (Preact escapes it), and cut short.
 */
export function describeDevice(
  userAgent: string | null,
  t: (key: MessageKey, params?: MessageParams) => string,
): string {
  if (!userAgent) return t('device.unknown')
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1]
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1]
  if (browser && system) return t('device.browserOnSystem', { browser, system })
  return browser ?? system ?? (userAgent.length > 40 ? `${userAgent.slice(0, 40)}…` : userAgent)
}
