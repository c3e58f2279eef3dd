import type { ComponentChildren } from 'preact'
import { useId } from 'preact/hooks'

/**
 * A table that scrolls sideways inside its own box on a narrow screen instead of widening the page. The
 * box is focusable and named by the caption, so keyboard users can scroll it too.
 */
export function TableRegion(props: { caption: string; children: ComponentChildren }) {
  const captionId = useId()
  return (
    <div class="table-scroll" role="region" aria-labelledby={captionId} tabIndex={0}>
      <table>
        <caption id={captionId}>{props.caption}</caption>
        {props.children}
      </table>
    </div>
  )
}
