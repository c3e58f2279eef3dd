import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { AppError, DatabaseUnavailableError, OAuthError } from '../errors.ts'
import { isDatabaseUnavailable } from '../db/errors.ts'
import { ThrottledError } from '../services/throttle/errors.ts'
import { rateLimitHeaders } from '../services/throttle/rate-limit-info.ts'

interface ValidationIssue {
  loc: Array<string | number>
  msg: string
  type: string
}

// Every problem is reported (ajv's allErrors), so a client fixes a form in one round; the list is
// bounded so a huge body with many bad fields cannot make a huge answer.
const MAX_VALIDATION_ISSUES = 20

/** What a `const` failure says: the expected value, and where a wrong grant_type should go instead. */
function constMessage(path: string[], allowed: unknown): string {
  const expected = `Input should be ${JSON.stringify(allowed)}`
  return path.at(-1) === 'grant_type'
    ? `${expected}: this endpoint takes the password grant only; other grants go to POST /token`
    : expected
}

/** FastAPI's 422 shape, so seed clients keep parsing validation errors: `detail` is a list of issues. */
function validationIssues(error: FastifyError): ValidationIssue[] {
  const context = error.validationContext ?? 'body'
  return (error.validation ?? []).slice(0, MAX_VALIDATION_ISSUES).map((issue) => {
    const path = issue.instancePath.split('/').filter(Boolean)
    const params: Record<string, unknown> = issue.params
    if (typeof params.missingProperty === 'string') path.push(params.missingProperty)
    if (typeof params.additionalProperty === 'string') path.push(params.additionalProperty)
    const type =
      issue.keyword === 'additionalProperties'
        ? 'extra_forbidden'
        : issue.keyword === 'required'
          ? 'missing'
          : issue.keyword
    const msg =
      issue.keyword === 'additionalProperties'
        ? 'Extra inputs are not permitted'
        : issue.keyword === 'const'
          ? constMessage(path, params.allowedValue)
          : (issue.message ?? 'Invalid value')
    return { loc: [context, ...path], msg, type }
  })
}

// Fastify's own client errors, mapped to our stable codes. Anything else it raises is a 4xx we pass through.
const FASTIFY_CLIENT_ERRORS: Record<string, { status: number; code: AppError['code']; detail: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'body_too_large', detail: 'Request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    detail: 'Unsupported content type',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'invalid_json',
    detail: 'Content-Length does not match the body',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json', detail: 'Body must not be empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json', detail: 'Body is not valid JSON' },
}

function send(reply: FastifyReply, status: number, body: unknown, headers: Record<string, string> = {}) {
  return reply.code(status).headers(headers).type('application/json; charset=utf-8').send(body)
}

/** The one place errors become HTTP responses. Causes go to the log; bodies never carry internals. */
export const errorHandlerPlugin = fp(async (app: FastifyInstance) => {
  app.setErrorHandler(async (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof OAuthError) {
      return send(
        reply,
        error.statusCode,
        { error: error.error, error_description: error.description, ...error.extra },
        { ...error.headers, 'cache-control': 'no-store', pragma: 'no-cache' },
      )
    }
    if (error instanceof ThrottledError) {
      return send(
        reply,
        429,
        { detail: error.detail, code: error.code },
        { ...rateLimitHeaders(error.rateLimit), 'retry-after': String(error.retryAfterSeconds) },
      )
    }
    if (error.validation) {
      return send(reply, 422, { detail: validationIssues(error), code: 'validation_failed' })
    }
    const known = error.code ? FASTIFY_CLIENT_ERRORS[error.code] : undefined
    if (known) return send(reply, known.status, { detail: known.detail, code: known.code })
    // JSON.parse errors and Fastify's own body-parser failures.
    if (error instanceof SyntaxError || (error.statusCode === 400 && error.code?.startsWith('FST_ERR_CTP'))) {
      return send(reply, 400, { detail: 'Body is not valid JSON', code: 'invalid_json' })
    }

    const appError =
      error instanceof AppError
        ? error
        : isDatabaseUnavailable(error)
          ? new DatabaseUnavailableError(error)
          : undefined
    if (appError) {
      if (appError.statusCode >= 500) request.log.warn({ err: appError.cause ?? appError }, appError.code)
      return send(
        reply,
        appError.statusCode,
        // 5xx bodies carry the request id, so an operator can find the logged cause.
        appError.statusCode >= 500
          ? { detail: appError.detail, code: appError.code, request_id: request.id }
          : { detail: appError.detail, code: appError.code },
        { ...appError.headers },
      )
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return send(reply, error.statusCode, { detail: 'Bad request', code: 'validation_failed' })
    }
    request.log.error({ err: error }, 'unhandled error')
    return send(reply, 500, {
      detail: 'Internal server error',
      code: 'internal_error',
      request_id: request.id,
    })
  })

  app.setNotFoundHandler(async (request, reply) => {
    // A known path with a method it does not serve is a 405 naming the methods it does (RFC 9110 §15.5.6).
    const allowed = app.hasDecorator('allowedMethods')
      ? app.allowedMethods(request.url.split('?')[0] ?? '')
      : []
    if (allowed.length > 0) {
      return send(
        reply,
        405,
        { detail: 'Method Not Allowed', code: 'method_not_allowed' },
        { allow: allowed.join(', ') },
      )
    }
    return send(reply, 404, { detail: 'Not Found', code: 'not_found' })
  })
})
