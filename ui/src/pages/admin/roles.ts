/** The built-in roles, suggested in role fields; an installation may add more (GATEHOUSE_ROLES). */
export const SUGGESTED_ROLES = ['user', 'admin'] as const

/** The id of the shared <datalist> of suggested roles. */
export const ROLE_LIST_ID = 'known-roles'
