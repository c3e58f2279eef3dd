import { useState } from 'preact/hooks'
import { rename } from '../../api/account.ts'
import type { Profile } from '../../api/types.ts'
import { ErrorAlert, StatusMessage } from '../../components/Alert.tsx'
import { Field } from '../../components/Field.tsx'
import { formatDateTime } from '../../format.ts'
import { useForm } from '../../form.ts'
import { useI18n } from '../../i18n/index.ts'
import { updateUser } from '../../session.ts'

/** The profile, and the username change (which needs the current password as proof). */
export function ProfileSection({ user }: { user: Profile }) {
  const { t, language } = useI18n()
  const [done, setDone] = useState<string | undefined>(undefined)
  const form = useForm({
    initial: { username: '', password: '' },
    fieldForCode: {
      username_taken: 'username',
      invalid_username: 'username',
      invalid_credentials: 'password',
    },
    validate: (values) => ({
      ...(values.username.trim() === '' ? { username: 'field.required' as const } : {}),
      ...(values.password === '' ? { password: 'field.required' as const } : {}),
    }),
    submit: async (values) => {
      setDone(undefined)
      const { username } = await rename(values.username.trim(), values.password)
      updateUser({ ...user, username })
      form.reset()
      setDone(t('profile.renamed', { username }))
    },
  })
  return (
    <section aria-labelledby="profile-heading">
      <h2 id="profile-heading">{t('profile.heading')}</h2>
      <dl class="facts">
        <dt>{t('field.username')}</dt>
        <dd>{user.username}</dd>
        <dt>{t('profile.role')}</dt>
        <dd>{t(user.role === 'admin' ? 'role.admin' : 'role.user')}</dd>
        <dt>{t('profile.memberSince')}</dt>
        <dd>{formatDateTime(user.created_at, language)}</dd>
      </dl>
      <h3>{t('profile.renameHeading')}</h3>
      <form ref={form.formRef} onSubmit={form.handleSubmit} noValidate>
        <ErrorAlert>{form.formError}</ErrorAlert>
        <Field
          label={t('profile.newUsername')}
          name="username"
          autoComplete="username"
          value={form.values.username}
          onInput={form.set('username')}
          error={form.errors.username}
        />
        <Field
          label={t('field.currentPassword')}
          name="password"
          type="password"
          autoComplete="current-password"
          value={form.values.password}
          onInput={form.set('password')}
          error={form.errors.password}
        />
        <div class="actions">
          <button type="submit" disabled={form.pending}>
            {t('profile.renameSubmit')}
          </button>
        </div>
        <StatusMessage>{done}</StatusMessage>
      </form>
    </section>
  )
}
