import type { FastifyRequest } from 'fastify'
import { AppError } from '../errors.ts'

/** A preValidation hook that refuses any body that is not one of the given media types with 415. */
export function requireContentType(...mediaTypes: string[]) {
  return async (request: FastifyRequest): Promise<void> => {
    const mediaType = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase()
    if (mediaType === undefined || !mediaTypes.includes(mediaType)) {
      throw new AppError(415, 'unsupported_media_type', `Content-Type must be ${mediaTypes.join(' or ')}`)
    }
  }
}
