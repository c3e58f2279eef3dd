import { str } from 'envalid'
import { integer } from './validators.ts'

// Second-factor settings (issue 12), read by config.ts through one spread.

/** Who must have a second factor: nobody, admins, or everyone. */
export type MfaPolicy = 'optional' | 'required-for-admins' | 'required'

/** The second-factor part of the configuration. */
export interface MfaConfig {
  readonly mfa: {
    readonly policy: MfaPolicy
    /** Seconds after a login during which sensitive changes need no new proof (step-up). */
    readonly reauthMaxAgeSeconds: number
    /** The WebAuthn relying-party id; undefined means the host of the public URL. */
    readonly webauthnRpId: string | undefined
  }
}

/** The environment variables of this section, for envalid. */
export const mfaSpecs = {
  GATEHOUSE_MFA: str({ choices: ['optional', 'required-for-admins', 'required'], default: 'optional' }),
  // Any value from 1 s up, so tests (and strict deployments) can make it short.
  GATEHOUSE_REAUTH_MAX_AGE: integer(1)({ default: 900 }),
  GATEHOUSE_WEBAUTHN_RP_ID: str({ default: undefined }),
}

/** Builds the section from validated values. */
export function mfaConfig(raw: {
  GATEHOUSE_MFA: string
  GATEHOUSE_REAUTH_MAX_AGE: number
  GATEHOUSE_WEBAUTHN_RP_ID: string | undefined
}): MfaConfig {
  return {
    mfa: {
      policy: raw.GATEHOUSE_MFA as MfaPolicy,
      reauthMaxAgeSeconds: raw.GATEHOUSE_REAUTH_MAX_AGE,
      webauthnRpId: raw.GATEHOUSE_WEBAUTHN_RP_ID,
    },
  }
}
