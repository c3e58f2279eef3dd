import { updateUser } from '../../api/admin.ts'
import type { AdminUserDetail } from '../../api/types.ts'
import { ErrorAlert } from '../../components/Alert.tsx'
import { Field } from '../../components/Field.tsx'
import { useForm } from '../../form.ts'
import { useI18n } from '../../i18n/index.ts'
import { ROLE_LIST_ID } from './roles.ts'
import { RoleSuggestions } from './RoleSuggestions.tsx'

/** Changes a user's role; it takes effect on their next request (the API reads it from the database). */
export function UserRoleForm(props: {
  user: AdminUserDetail
  onChanged: (message: string) => Promise<void>
}) {
  const { t } = useI18n()
  const form = useForm({
    initial: { role: props.user.role },
    // An unknown role (422) and "the last admin" (409) are both about this field.
    fieldForCode: { validation_failed: 'role', last_admin: 'role' },
    validate: (values) => (values.role.trim() === '' ? { role: 'field.required' as const } : {}),
    submit: async (values) => {
      const updated = await updateUser(props.user.id, { role: values.role.trim() })
      await props.onChanged(t('user.roleChanged', { role: updated.role }))
    },
  })
  return (
    <section aria-labelledby="user-role">
      <h2 id="user-role">{t('user.roleHeading')}</h2>
      <form ref={form.formRef} onSubmit={form.handleSubmit} noValidate class="inline-form">
        <ErrorAlert>{form.formError}</ErrorAlert>
        <Field
          label={t('users.role')}
          name="role"
          value={form.values.role}
          onInput={form.set('role')}
          list={ROLE_LIST_ID}
          error={form.errors.role}
        />
        <RoleSuggestions />
        <div class="actions">
          <button type="submit" disabled={form.pending}>
            {t('user.roleSubmit')}
          </button>
        </div>
      </form>
    </section>
  )
}
