// The dialect of Sluice's own errors for a request that matched no mount (docs/errors.md).
import type { IncomingHttpHeaders } from 'node:http'
import type { Dialect } from '../core/wire.js'
import { adapters } from '../providers/index.js'

/**
 * Requests that match no mount still deserve an error their SDK can parse; guess the dialect from
 * the tell-tale signs each SDK leaves (SigV4 or Bedrock paths, Google's key header or `:verb` paths).
 */
export function guessDialect(path: string, headers: IncomingHttpHeaders): Dialect {
  const auth = headers.authorization
  if ((typeof auth === 'string' && auth.startsWith('AWS4-')) || path.includes('/model/')) return adapters.bedrock
  if (headers['x-goog-api-key'] !== undefined || path.includes(':generateContent') || path.includes(':streamGenerateContent')) {
    return adapters.gemini
  }
  return adapters.openai
}
