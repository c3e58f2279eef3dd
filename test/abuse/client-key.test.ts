import { describe, expect, it } from 'vitest'
import { clientKey } from '../../src/services/throttle/client-key.ts'
import { attemptLogin, attemptRegister, registerUser } from '../helpers/api.ts'
import { closedAfterEach } from '../helpers/hooks.ts'
import { PASSWORD } from '../helpers/users.ts'

// Regression (security review): per-IP limits keyed each IPv6 address separately, so a client holding a
// /64 had 2^64 fresh counters.
describe('the key per-address limits count a client under', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['::FFFF:203.0.113.9', '203.0.113.9'],
    ['0:0:0:0:0:ffff:cb00:7109', '203.0.113.9'],
    ['64:ff9b::203.0.113.9', '203.0.113.9'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:0:0:0:1', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['1::2:3:4:5:1.2.3.4', '1:0:2:3::/64'],
    ['1:0:2:3:4:5:1.2.3.4', '1:0:2:3::/64'],
    ['::', '0:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['fe80::2%2', 'fe80:0:0:0::/64'],
    ['unknown', 'unknown'],
  ])('%s → %s', (ip, key) => {
    expect(clientKey(ip)).toBe(key)
  })
})

describe('two addresses in one IPv6 /64', () => {
  const fresh = closedAfterEach()

  it('share the per-IP login limit', async () => {
    // Threshold 1 per account, so the per-IP threshold is 10; each guess names another account so only
    // the per-IP scope can add them up.
    const { app } = await fresh.app({ env: { GATEHOUSE_LOGIN_MAX_FAILURES: '1' } })
    const attempt = (username: string, remoteAddress: string) =>
      attemptLogin(app, username, 'a-guess', { remoteAddress })
    for (let index = 1; index <= 10; index += 1) {
      expect((await attempt(`spray-${index}`, `2001:db8:1:2::${index}`)).statusCode).toBe(401)
    }
    expect((await attempt('spray-11', '2001:db8:1:2::ffff')).statusCode).toBe(429)
    expect((await attempt('spray-12', '2001:db8:1:3::1')).statusCode).toBe(401)
  })

  it('share the (account, IP) limit', async () => {
    // A backoff cap of 1 s is reached by the first block, so the account-wide block no longer applies and
    // each address answers for itself through its (account, IP) counter (see no-lockout.test.ts).
    const { app } = await fresh.app({
      env: { GATEHOUSE_LOGIN_MAX_FAILURES: '2', GATEHOUSE_LOGIN_MAX_BACKOFF: '1' },
    })
    await registerUser(app, 'target')
    const attempt = (password: string, remoteAddress: string) =>
      attemptLogin(app, 'target', password, { remoteAddress })
    expect((await attempt('a-guess', '2001:db8:5:6::1')).statusCode).toBe(401)
    expect((await attempt('a-guess', '2001:db8:5:6::1')).statusCode).toBe(401)
    // Another address of the same /64 is still the same client, even with the right password...
    expect((await attempt(PASSWORD, '2001:db8:5:6:ffff::2')).statusCode).toBe(429)
    // ...while the next /64 is someone else.
    expect((await attempt(PASSWORD, '2001:db8:5:7::1')).statusCode).toBe(200)
  })

  it('share the registration limit', async () => {
    const { app } = await fresh.app({ env: { GATEHOUSE_REGISTER_PER_IP_PER_HOUR: '2' } })
    const registerFrom = (username: string, remoteAddress: string) =>
      attemptRegister(app, username, PASSWORD, { remoteAddress })
    expect((await registerFrom('v6-a', '2001:db8:9:9::1')).statusCode).toBe(201)
    expect((await registerFrom('v6-b', '2001:db8:9:9::2')).statusCode).toBe(201)
    expect((await registerFrom('v6-c', '2001:db8:9:9::3')).statusCode).toBe(429)
    expect((await registerFrom('v6-d', '2001:db8:9:a::1')).statusCode).toBe(201)
  })
})
