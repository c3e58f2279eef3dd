/** The password every test user gets unless a test says otherwise; it passes the password policy. */
export const PASSWORD = 'correct horse battery staple'

/** The bootstrap admin of an app started with ADMIN_ENV. */
export const ADMIN = { username: 'root', password: 'root-password-42' } as const

/** The environment that makes Gatehouse create ADMIN at start. */
export const ADMIN_ENV: Record<string, string> = {
  GATEHOUSE_ADMIN_USERNAME: ADMIN.username,
  GATEHOUSE_ADMIN_PASSWORD: ADMIN.password,
}
