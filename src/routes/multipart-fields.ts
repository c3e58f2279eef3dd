import multipart from '@fastify/multipart'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AppError } from '../errors.ts'

// Bounds for the one multipart body we take (the /login form): a handful of short text fields. A password
// may be 4096 characters, up to 16 KiB of UTF-8; nothing else comes close.
const LIMITS = {
  fieldNameSize: 64,
  fieldSize: 16_384,
  fields: 8,
  // Busboy skips a file part's data and reports the limit: that becomes the 415 below.
  files: 0,
  fileSize: 0,
  parts: 8,
  headerPairs: 16,
}

const NO_FILES = 'multipart/form-data here takes text fields only, not files'

/**
 * Registers the multipart parser in the calling plugin's scope only (it is encapsulated there), so
 * `/token` and every other route keep refusing multipart/form-data with 415.
 */
export async function acceptMultipartFields(app: FastifyInstance): Promise<void> {
  await app.register(multipart, { limits: LIMITS })
}

/** Turns @fastify/multipart's limit errors and busboy's parse errors into our stable 4xx answers. */
function toClientError(error: unknown): unknown {
  if (error instanceof AppError) return error
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'FST_FILES_LIMIT') return new AppError(415, 'unsupported_media_type', NO_FILES)
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
    return new AppError(413, 'body_too_large', 'Too many form fields')
  }
  if (code === 'FST_PROTO_VIOLATION') return new AppError(422, 'validation_failed', 'Forbidden field name')
  // Anything else the parser raises (no boundary, truncated body, a JSON field that is not JSON) is the
  // client's malformed body, never a server error.
  return new AppError(400, 'validation_failed', 'Malformed multipart/form-data body')
}

/**
 * A preValidation hook: reads a multipart/form-data body into `{name: value}` for the route's schema,
 * like the urlencoded form. A file part is refused (415), a truncated name or value too (413: busboy
 * truncates silently, and a cut password must never be checked), and a repeated field becomes an array,
 * which the string-only schema refuses. Other media types pass through untouched.
 */
export async function readMultipartFields(request: FastifyRequest): Promise<void> {
  if (!request.isMultipart()) return
  const fields = new Map<string, string | string[]>()
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') throw new AppError(415, 'unsupported_media_type', NO_FILES)
      if (part.fieldnameTruncated || part.valueTruncated) {
        throw new AppError(413, 'body_too_large', 'A form field is too long')
      }
      if (typeof part.value !== 'string') throw new AppError(415, 'unsupported_media_type', NO_FILES)
      const earlier = fields.get(part.fieldname)
      fields.set(
        part.fieldname,
        earlier === undefined ? part.value : [...(Array.isArray(earlier) ? earlier : [earlier]), part.value],
      )
    }
  } catch (error) {
    throw toClientError(error)
  }
  request.body = Object.fromEntries(fields)
}
