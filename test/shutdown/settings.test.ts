import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/config.ts'
import { testConfig } from '../helpers/config.ts'

describe('shutdown settings', () => {
  it('default to a 5 s drain within a 10 s limit', () => {
    expect(testConfig().shutdown).toEqual({ drainSeconds: 5, timeoutSeconds: 10 })
  })

  it('refuse a drain that leaves no time to finish requests', () => {
    const config = () => testConfig({ GATEHOUSE_SHUTDOWN_DRAIN: '10', GATEHOUSE_SHUTDOWN_TIMEOUT: '10' })
    expect(config).toThrow(ConfigError)
    expect(config).toThrow('GATEHOUSE_SHUTDOWN_DRAIN: must be shorter than GATEHOUSE_SHUTDOWN_TIMEOUT')
  })

  it('refuse a timeout that is not a whole number of seconds', () => {
    expect(() => testConfig({ GATEHOUSE_SHUTDOWN_TIMEOUT: '2.5' })).toThrow('GATEHOUSE_SHUTDOWN_TIMEOUT')
  })
})
