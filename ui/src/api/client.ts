import { refreshAccessToken } from '../browser-session.ts'
import { currentSession, endSession } from '../session.ts'

/** One schema problem from a 422: where (`["body", "username"]`) and what. */
export interface ValidationIssue {
  loc: Array<string | number>
  msg: string
  type: string
}

/** An error answer from the API, or a request that never got one (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly issues: ValidationIssue[] = [],
    readonly retryAfterSeconds: number | undefined = undefined,
    /** The whole error body, for answers that carry more than a detail (`mfa_token`, `methods`). */
    readonly body: Record<string, unknown> = {},
  ) {
    super(detail)
    this.name = 'ApiError'
  }
}

/** What a call sends beside its method and path. */
export interface RequestOptions {
  body?: unknown
  query?: Record<string, string | undefined>
  /** Send the session's access token; a 401 then means the session is over. */
  authenticated?: boolean
  /** Send this token instead (right after sign-in, before the session exists). */
  accessToken?: string
  /** Extra request headers. */
  headers?: Record<string, string>
}

function withQuery(path: string, query: RequestOptions['query']): string {
  const parameters = new URLSearchParams()
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') parameters.set(name, value)
  }
  const text = parameters.toString()
  return text === '' ? path : `${path}?${text}`
}

async function toApiError(response: Response): Promise<ApiError> {
  const retryAfter = Number(response.headers.get('retry-after'))
  const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined
  let body: Record<string, unknown> = {}
  try {
    body = (await response.json()) as typeof body
  } catch {
    // Not JSON (a proxy's error page): the status alone has to do.
  }
  const code = typeof body.code === 'string' ? body.code : `http_${response.status}`
  if (Array.isArray(body.detail)) {
    const issues = body.detail as ValidationIssue[]
    return new ApiError(response.status, code, issues.map((issue) => issue.msg).join('; '), issues)
  }
  const detail = typeof body.detail === 'string' ? body.detail : response.statusText
  return new ApiError(response.status, code, detail, [], retryAfterSeconds, body)
}

async function send(method: string, path: string, options: RequestOptions, token: string | undefined) {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  if (token !== undefined) headers.authorization = `Bearer ${token}`
  try {
    return await fetch(withQuery(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      credentials: 'same-origin',
      cache: 'no-store',
    })
  } catch {
    throw new ApiError(0, 'network_error', 'The server could not be reached')
  }
}

// The 401 codes that mean the access token is no good. Other 401s are about what the request itself
// offered (a wrong code, an old sign-in that needs step-up): the session is fine and must not end.
// A 401 without a JSON code (a proxy's page) counts as expiry too, as toApiError names it http_401.
const EXPIRY_CODES = new Set(['invalid_token', 'not_authenticated', 'http_401'])

/** True when a 401 says the access token expired or was revoked. */
async function tokenRefused(response: Response): Promise<boolean> {
  if (response.status !== 401) return false
  try {
    const body = (await response.clone().json()) as { code?: unknown }
    return typeof body.code !== 'string' || EXPIRY_CODES.has(body.code)
  } catch {
    return true
  }
}

/**
 * Calls Gatehouse's public API, the same endpoints any client uses: JSON in, JSON out, the access token
 * from memory in the Authorization header. Errors become ApiError. When an authenticated call gets 401
 * (the access token expired), the refresh cookie is used once for a new token and the call is retried;
 * if that fails too, the session is over. Other 401s (a wrong code, `reauthentication_required`) go
 * back to the caller as they are.
 */
export async function apiRequest<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const token = options.accessToken ?? (options.authenticated ? currentSession()?.accessToken : undefined)
  if (options.authenticated && token === undefined) {
    throw new ApiError(401, 'not_authenticated', 'Not signed in')
  }
  let response = await send(method, path, options, token)
  if (options.authenticated && (await tokenRefused(response))) {
    const renewed = await refreshAccessToken()
    if (renewed !== undefined) response = await send(method, path, options, renewed)
  }
  if (!response.ok) {
    const error = await toApiError(response)
    if (options.authenticated && error.status === 401 && EXPIRY_CODES.has(error.code)) endSession('expired')
    throw error
  }
  if (response.status === 204) return undefined as T
  return (await response.json()) as T
}
