import type { ComponentChildren } from 'preact'
import { followLink } from '../router.ts'

/** A link to another page of the app, followed without a reload (the token lives in memory). */
export function Link(props: {
  href: string
  children: ComponentChildren
  current?: boolean
  class?: string
}) {
  return (
    <a
      href={props.href}
      class={props.class}
      aria-current={props.current ? 'page' : undefined}
      onClick={(event) => followLink(event, props.href)}
    >
      {props.children}
    </a>
  )
}
