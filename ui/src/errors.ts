import { ApiError } from './api/client.ts'
import { hasMessage, type I18n } from './i18n/index.ts'

/**
 * The text shown for a failed call. English pages show the API's own `detail` (it is precise: "Password
 * must be at least 8 characters"); other languages show the catalog's message for the stable `code` when
 * there is one, and the API's detail otherwise. A wait from Retry-After is always added.
 */
export function describeError(error: unknown, { language, t }: I18n): string {
  if (!(error instanceof ApiError)) return t('error.unexpected')
  if (error.code === 'network_error') return t('error.network')
  const key = `error.${error.code}`
  let text: string
  // The browser's own words for a cancelled passkey prompt are too technical to show.
  if (error.status === 0 && hasMessage(key)) text = t(key)
  else if (error.issues.length > 0) text = language === 'en' ? error.detail : t('error.validation_failed')
  else if (language !== 'en' && hasMessage(key)) text = t(key)
  else text = error.detail || t('error.unexpected')
  if (error.retryAfterSeconds !== undefined) {
    text = `${text} ${t('error.retryAfter', { seconds: error.retryAfterSeconds })}`
  }
  return text
}
