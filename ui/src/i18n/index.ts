import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import { en, type Messages } from './en.ts'
import { ko } from './ko.ts'

/** The languages the pages speak. */
export type Language = 'en' | 'ko'

/** A message's name in the catalogs. */
export type MessageKey = keyof Messages

/** Values substituted for `{name}` placeholders in a message. */
export type MessageParams = Record<string, string | number>

/** Each language's catalog and its name in that language (what the switch shows). */
export const LANGUAGES: Record<Language, { name: string; messages: Messages }> = {
  en: { name: 'English', messages: en },
  ko: { name: '한국어', messages: ko },
}

const PREFERENCE_COOKIE = 'gatehouse_lang'

function isLanguage(value: string): value is Language {
  return value === 'en' || value === 'ko'
}

/** Looks a message up and fills its placeholders. */
export function translate(language: Language, key: MessageKey, params: MessageParams = {}): string {
  return LANGUAGES[language].messages[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  )
}

/** True when a catalog has a message of this name (for messages chosen by an API error code). */
export function hasMessage(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key)
}

/**
 * The language the server chose for this page (from the preference cookie or Accept-Language) and wrote
 * into `<html lang>`, so the first paint is already in the right language.
 */
export function initialLanguage(): Language {
  const lang = document.documentElement.lang
  return isLanguage(lang) ? lang : 'en'
}

/**
 * Remembers a choice in a plain preference cookie, the only thing the pages ever store: it holds the
 * language code and nothing else, and the server reads it to pick the language of the next page load.
 */
export function rememberLanguage(language: Language): void {
  const secure = location.protocol === 'https:' ? '; Secure' : ''
  document.cookie = `${PREFERENCE_COOKIE}=${language}; Path=/ui; Max-Age=31536000; SameSite=Lax${secure}`
  document.documentElement.lang = language
}

/** What components read: the current language, a way to change it, and the translate function. */
export interface I18n {
  language: Language
  setLanguage: (language: Language) => void
  t: (key: MessageKey, params?: MessageParams) => string
}

/** Provided once by the app. */
export const I18nContext = createContext<I18n>({
  language: 'en',
  setLanguage: () => undefined,
  t: (key, params) => translate('en', key, params),
})

/** The current language and translate function. */
export function useI18n(): I18n {
  return useContext(I18nContext)
}
