import { useEffect, useState } from 'preact/hooks'

const CHANGE = 'gatehouse:navigate'

/** Where the page is: the path under /ui and its query. */
export interface Location {
  path: string
  query: URLSearchParams
}

function readLocation(): Location {
  return { path: location.pathname.replace(/\/+$/, '') || '/', query: new URLSearchParams(location.search) }
}

/**
 * Moves to another page without reloading: the access token lives only in this page's memory, so a full
 * navigation would sign the person out.
 */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', to)
  else history.pushState(null, '', to)
  window.dispatchEvent(new Event(CHANGE))
}

/** The current location, re-rendering on navigation and on the browser's back and forward buttons. */
export function useLocation(): Location {
  const [current, setCurrent] = useState(readLocation)
  useEffect(() => {
    const update = () => setCurrent(readLocation())
    window.addEventListener('popstate', update)
    window.addEventListener(CHANGE, update)
    // Children's effects run first: a page may have navigated before this listener existed.
    update()
    return () => {
      window.removeEventListener('popstate', update)
      window.removeEventListener(CHANGE, update)
    }
  }, [])
  return current
}

/**
 * Only our own pages may be a `next` destination: a path under /ui/, never `//host` or a scheme, so a
 * crafted sign-in link cannot send someone to another site after they sign in.
 */
export function safeNextPath(value: string | null): string | undefined {
  if (value === null || !value.startsWith('/ui/') || value.startsWith('//') || value.includes('\\')) {
    return undefined
  }
  return value
}

/** Handles a click on an in-app link: plain left clicks navigate in place, others act as the browser does. */
export function followLink(event: MouseEvent, href: string): void {
  if (event.defaultPrevented || event.button !== 0) return
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
  event.preventDefault()
  navigate(href)
}
