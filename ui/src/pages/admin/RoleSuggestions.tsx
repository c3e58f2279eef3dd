import { ROLE_LIST_ID, SUGGESTED_ROLES } from './roles.ts'

/**
 * Suggestions for role fields. Roles beyond these may be configured on the server, so the field stays
 * free text, and the API refuses an unknown role with a message naming the known ones.
 */
export function RoleSuggestions() {
  return (
    <datalist id={ROLE_LIST_ID}>
      {SUGGESTED_ROLES.map((role) => (
        <option key={role} value={role} />
      ))}
    </datalist>
  )
}
