import { useEffect, useRef } from 'preact/hooks'
import { useI18n } from '../i18n/index.ts'

/**
 * The ten recovery codes, shown this once: the server keeps only their hashes. The list takes focus so
 * a screen reader starts reading there, and the person moves on only by saying they saved them.
 */
export function RecoveryCodes({
  codes,
  onDone,
  level = 3,
}: {
  codes: string[]
  onDone: () => void
  /** The heading level that fits where the codes appear. */
  level?: 2 | 3
}) {
  const { t } = useI18n()
  const Heading = level === 2 ? 'h2' : 'h3'
  const heading = useRef<HTMLHeadingElement>(null)
  useEffect(() => heading.current?.focus(), [])
  return (
    <div class="recovery-codes" aria-labelledby="recovery-codes-heading" role="group">
      <Heading id="recovery-codes-heading" ref={heading} tabIndex={-1}>
        {t('recovery.heading')}
      </Heading>
      <p class="warning">{t('recovery.once')}</p>
      <ol class="codes" aria-label={t('recovery.listLabel')}>
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div class="actions">
        <button type="button" onClick={onDone}>
          {t('recovery.saved')}
        </button>
      </div>
    </div>
  )
}
