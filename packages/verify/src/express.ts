import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { bearerChallenge, extractBearerToken } from './bearer.ts'
import type { AccessTokenClaims } from './claims.ts'
import { VerifyError } from './errors.ts'
import { createVerifier, type Verifier, type VerifierOptions } from './verifier.ts'

declare global {
  // Express's documented way to type what middleware adds to a request.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The claims `expressGatehouse` accepted; unset on routes it does not guard. */
      auth?: AccessTokenClaims
    }
  }
}

/**
 * Verifier options (or a shared verifier), and the role the guarded routes require.
 *
 * @example
 * ```ts
 * app.use('/admin', expressGatehouse({ issuer, audience, role: 'admin' }))
 * ```
 */
export type ExpressGatehouseOptions = (VerifierOptions | { verifier: Verifier }) & {
  /** The token's `role` claim must equal this. */
  role?: string
}

/**
 * Express middleware: verifies the Bearer token, sets `req.auth`, and answers RFC 6750 challenges
 * (401, 403 for a missing role, 503 when Gatehouse cannot be reached). The role is the token's
 * `role` claim, as issued; Gatehouse's own endpoints read the database instead.
 *
 * Create one verifier and share it when several middlewares need different roles, so they share a
 * JWKS cache.
 *
 * @example
 * ```ts
 * const verifier = createVerifier({ issuer: 'https://id.example.com', audience: 'gatehouse' })
 * app.get('/orders', expressGatehouse({ verifier }), (req, res) => res.json(listOrders(req.auth!.sub)))
 * app.delete('/orders/:id', expressGatehouse({ verifier, role: 'admin' }), deleteOrder)
 * ```
 */
export function expressGatehouse(options: ExpressGatehouseOptions): RequestHandler {
  const verifier = 'verifier' in options ? options.verifier : createVerifier(options)
  const role = options.role
  return (request: Request, response: Response, next: NextFunction) => {
    verifier.verify(extractBearerToken(request.headers.authorization)).then(
      (claims) => {
        if (role !== undefined && claims.role !== role) {
          const challenge = bearerChallenge('insufficient_scope')
          response.status(challenge.status).set(challenge.headers).json(challenge.body)
          return
        }
        request.auth = claims
        next()
      },
      (error: unknown) => {
        if (!(error instanceof VerifyError)) {
          next(error)
          return
        }
        const challenge = bearerChallenge(error)
        response.status(challenge.status).set(challenge.headers).json(challenge.body)
      },
    )
  }
}
