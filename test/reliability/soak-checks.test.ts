import { describe, expect, it } from 'vitest'
import { linearSlope, memoryFloor, rssTrendCheck, sessionChecks } from '../../scripts/soak/checks.ts'
import type { SessionRecord } from '../../scripts/soak/protocol.ts'
import type { Tally } from '../../scripts/soak/workload.ts'

// The soak's verdicts must be able to fail: a growing RSS floor, a phantom or lost session row, a logout
// that did not revoke. `npm run soak` itself runs in CI after the tests.

const MIB = 1024 * 1024
const NOW = 1_000_000
const LIFETIME = 60_000

function tally(loggedIn: string[], loggedOut: string[]): Tally {
  return {
    latencies: new Map(),
    serverErrors: [],
    unexpected: new Map(),
    loggedIn: new Map(loggedIn.map((id) => [id, NOW - 1000])),
    loggedOut: new Set(loggedOut),
  }
}

const live = (id: string): SessionRecord => ({
  id,
  expires_at: NOW + LIFETIME,
  revoked_at: null,
  revoked_reason: null,
})
const loggedOut = (id: string): SessionRecord => ({ ...live(id), revoked_at: NOW, revoked_reason: 'logout' })
const expired = (id: string): SessionRecord => ({ ...live(id), expires_at: NOW - 1 })

describe('the soak checks', () => {
  it('fit a slope, and judge RSS by its floor so one 19 MiB hash does not look like a leak', () => {
    expect(linearSlope([1, 2, 3, 4].map((x) => ({ x, y: 2 * x + 1 })))).toBeCloseTo(2)
    const flatWithSpikes = Array.from({ length: 60 }, (_, second) => ({
      seconds: second,
      rss: 200 * MIB + (second % 5 === 2 ? 40 * MIB : 0),
    }))
    expect(memoryFloor(flatWithSpikes, 5).every((sample) => sample.rss === 200 * MIB)).toBe(true)
    expect(rssTrendCheck(flatWithSpikes, 10, 24).ok).toBe(true)
    const leaking = flatWithSpikes.map((sample) => ({ ...sample, rss: sample.rss + sample.seconds * MIB }))
    expect(rssTrendCheck(leaking, 10, 24).ok).toBe(false)
  })

  it('accept a sessions table that matches what the client was told, expiries included', () => {
    const checks = sessionChecks(
      tally(['a', 'b', 'c'], ['b']),
      [live('a'), loggedOut('b'), expired('c')],
      NOW,
      LIFETIME,
    )
    expect(checks.map((check) => check.ok)).toEqual([true, true, true])
  })

  it('fail on a phantom row, a lost row, and a logout that did not revoke', () => {
    const phantom = sessionChecks(tally(['a'], []), [live('a'), live('x')], NOW, LIFETIME)
    expect(phantom.map((check) => check.ok)).toEqual([false, true, false])
    const lost = sessionChecks(tally(['a', 'b'], []), [live('a')], NOW, LIFETIME)
    expect(lost.map((check) => check.ok)).toEqual([false, true, false])
    const stillLive = sessionChecks(tally(['a', 'b'], ['b']), [live('a'), live('b')], NOW, LIFETIME)
    expect(stillLive.map((check) => check.ok)).toEqual([true, false, false])
  })
})
