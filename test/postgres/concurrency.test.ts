import bcrypt from 'bcryptjs'
import { describe, expect, it } from 'vitest'
import { countUsers, findUserByCanonicalName, insertUser } from '../../src/db/users.ts'
import { usernameSkeleton } from '../../src/services/usernames.ts'
import { revokeSession } from '../../src/db/sessions.ts'
import { bearer } from '../helpers/api.ts'
import type { TestServer } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { defined } from '../helpers/defined.ts'
import { closedAfterEach } from '../helpers/hooks.ts'
import { postJson } from '../helpers/http.ts'
import { skipWithout } from '../helpers/services.ts'

const PARALLEL = 20
const SPELLINGS = ['race', 'RACE', 'ｒａｃｅ'] // the last is full-width: NFKC folds it to "race"
const password = 'correct horse battery'

const fresh = closedAfterEach()
let server: TestServer
const post = (path: string, body: unknown) => postJson(server.baseUrl, path, body)

describe.each(DIALECTS)('parallel requests over HTTP on %s', (dialect) => {
  it(`${PARALLEL} registrations of one name in three spellings create exactly one account`, async () => {
    server = await fresh.server({ dialect })
    const responses = await Promise.all(
      Array.from({ length: PARALLEL }, (_, index) =>
        post('/register', { username: SPELLINGS[index % SPELLINGS.length], password }),
      ),
    )
    const statuses = responses.map((response) => response.status)
    expect(statuses.filter((status) => status === 201)).toHaveLength(1)
    expect(statuses.filter((status) => status === 409)).toHaveLength(PARALLEL - 1)
    expect(await countUsers(server.app.services.db)).toBe(1)
  })
})

describe.skipIf(skipWithout(['postgres'], 'the PostgreSQL part of concurrency.test'))(
  'parallel logins on PostgreSQL',
  () => {
    it(`${PARALLEL} parallel logins each open their own working session`, async () => {
      server = await fresh.server({ dialect: 'postgres' })
      expect((await post('/register', { username: 'many', password })).status).toBe(201)
      const logins = await Promise.all(
        Array.from({ length: PARALLEL }, () => post('/login', { username: 'many', password })),
      )
      expect(logins.map((response) => response.status)).toEqual(logins.map(() => 200))
      const tokens = await Promise.all(
        logins.map(async (response) => ((await response.json()) as { access_token: string }).access_token),
      )
      const profiles = await Promise.all(
        tokens.map((token) => fetch(`${server.baseUrl}/profile`, { headers: bearer(token) })),
      )
      expect(profiles.map((response) => response.status)).toEqual(profiles.map(() => 200))
      const sessions = await server.app.services.db.selectFrom('sessions').select('id').execute()
      expect(new Set(sessions.map((session) => session.id)).size).toBe(PARALLEL)

      // Revocation is a conditional update: of parallel revocations of one session exactly one wins.
      const sessionId = defined(sessions[0]).id
      const now = server.clock.now()
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, () => revokeSession(server.app.services.db, sessionId, now, 'logout')),
      )
      expect(outcomes.filter(Boolean)).toHaveLength(1)
    })

    it('two parallel logins of a bcrypt user both succeed and leave one valid argon2id hash', async () => {
      server = await fresh.server({ dialect: 'postgres' })
      const { db, passwords, clock } = server.app.services
      const legacyHash = bcrypt.hashSync(password, 4)
      expect(legacyHash).toMatch(/^\$2b\$/)
      const now = clock.now()
      await insertUser(db, {
        id: 'legacy-user',
        username: 'legacy',
        username_canonical: 'legacy',
        username_skeleton: usernameSkeleton('legacy'),
        password_hash: legacyHash,
        role: 'user',
        created_at: now,
        updated_at: now,
        disabled_at: null,
        last_login_at: null,
      })
      const logins = await Promise.all([
        post('/login', { username: 'legacy', password }),
        post('/login', { username: 'legacy', password }),
      ])
      expect(logins.map((response) => response.status)).toEqual([200, 200])
      const stored = defined(await findUserByCanonicalName(db, 'legacy')).password_hash
      expect(stored).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/)
      expect(await passwords.verify(stored, password)).toEqual({ ok: true, needsRehash: false })
      expect((await post('/login', { username: 'legacy', password })).status).toBe(200)
    })
  },
)
