import { Type } from '@sinclair/typebox'

// The WebAuthn JSON shapes (W3C WebAuthn Level 3 §5.1.8, PublicKeyCredential.toJSON()), as far as the
// server reads them; the library checks the inner structure, these schemas bound sizes and kinds.

const Base64Url = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '^[A-Za-z0-9_-]+$' })
const Transports = Type.Array(
  Type.Union(
    ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'].map((transport) =>
      Type.Literal(transport),
    ),
  ),
  { maxItems: 10 },
)

const CredentialCommon = {
  id: Base64Url(1400),
  rawId: Base64Url(1400),
  type: Type.Literal('public-key'),
  clientExtensionResults: Type.Object({}, { additionalProperties: true }),
  authenticatorAttachment: Type.Optional(
    Type.Union([Type.Literal('platform'), Type.Literal('cross-platform')]),
  ),
}

/** The browser's registration response (navigator.credentials.create(...).toJSON()). */
export const RegistrationResponseSchema = Type.Object(
  {
    ...CredentialCommon,
    response: Type.Object(
      {
        clientDataJSON: Base64Url(4096),
        attestationObject: Base64Url(65_536),
        authenticatorData: Type.Optional(Base64Url(65_536)),
        transports: Type.Optional(Transports),
        publicKeyAlgorithm: Type.Optional(Type.Integer()),
        publicKey: Type.Optional(Base64Url(65_536)),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)

/** The browser's authentication response (navigator.credentials.get(...).toJSON()). */
export const AuthenticationResponseSchema = Type.Object(
  {
    ...CredentialCommon,
    response: Type.Object(
      {
        clientDataJSON: Base64Url(4096),
        authenticatorData: Base64Url(65_536),
        signature: Base64Url(4096),
        userHandle: Type.Optional(Base64Url(512)),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)

/** PublicKeyCredentialCreationOptionsJSON, for navigator.credentials.create (parseCreationOptionsFromJSON). */
export const CreationOptionsSchema = Type.Object({
  challenge: Type.String(),
  rp: Type.Object({ id: Type.Optional(Type.String()), name: Type.String() }),
  user: Type.Object({ id: Type.String(), name: Type.String(), displayName: Type.String() }),
  pubKeyCredParams: Type.Array(Type.Object({ type: Type.String(), alg: Type.Integer() })),
  timeout: Type.Optional(Type.Integer()),
  excludeCredentials: Type.Optional(
    Type.Array(
      Type.Object({ id: Type.String(), type: Type.String(), transports: Type.Optional(Transports) }),
    ),
  ),
  authenticatorSelection: Type.Optional(
    Type.Object({
      authenticatorAttachment: Type.Optional(Type.String()),
      requireResidentKey: Type.Optional(Type.Boolean()),
      residentKey: Type.Optional(Type.String()),
      userVerification: Type.Optional(Type.String()),
    }),
  ),
  hints: Type.Optional(Type.Array(Type.String())),
  attestation: Type.Optional(Type.String()),
  extensions: Type.Optional(Type.Object({ credProps: Type.Optional(Type.Boolean()) })),
})

/** PublicKeyCredentialRequestOptionsJSON, for navigator.credentials.get (parseRequestOptionsFromJSON). */
export const RequestOptionsSchema = Type.Object({
  challenge: Type.String(),
  timeout: Type.Optional(Type.Integer()),
  rpId: Type.Optional(Type.String()),
  allowCredentials: Type.Optional(
    Type.Array(
      Type.Object({ id: Type.String(), type: Type.String(), transports: Type.Optional(Transports) }),
    ),
  ),
  userVerification: Type.Optional(Type.String()),
  hints: Type.Optional(Type.Array(Type.String())),
})

/** A registered passkey as its owner sees it. */
export const CredentialSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  device_type: Type.String({ description: 'singleDevice or multiDevice (synced)' }),
  backed_up: Type.Boolean(),
  created_at: Type.String({ format: 'date-time' }),
  last_used_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
})
