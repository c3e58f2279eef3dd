import type { ComponentChildren } from 'preact'
import { useEffect, useRef } from 'preact/hooks'
import { useI18n } from '../i18n/index.ts'

let firstPage = true

/**
 * A page's heading and title. After an in-app navigation the heading takes focus, so screen-reader and
 * keyboard users start at the new content, as they would after a full page load.
 */
export function Page(props: { title: string; wide?: boolean; children: ComponentChildren }) {
  const { t } = useI18n()
  const heading = useRef<HTMLHeadingElement>(null)
  useEffect(() => {
    document.title = `${props.title} · ${t('app.name')}`
  }, [props.title, t])
  useEffect(() => {
    if (firstPage) firstPage = false
    else heading.current?.focus()
  }, [])
  return (
    <main id="main" class={props.wide ? 'page page-wide' : 'page'}>
      <h1 ref={heading} tabIndex={-1}>
        {props.title}
      </h1>
      {props.children}
    </main>
  )
}
