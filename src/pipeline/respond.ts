// Writes Sluice's own answers (denials and failures) in the client's dialect (SPEC §10).
import type { IncomingHttpHeaders } from 'node:http'
import type { SluiceError } from '../errors.js'
import type { ProviderAdapter } from '../providers/adapter.js'
import { adapters } from '../providers/index.js'
import type { Decision } from './facts.js'

/** What the data plane needs of a response; both http.ServerResponse and Http2ServerResponse fit. */
export interface Response {
  readonly headersSent: boolean
  readonly req: { readonly httpVersionMajor: number }
  writeHead(status: number, headers: Record<string, string | string[]>): unknown
  write(chunk: Buffer, callback?: () => void): boolean
  end(): unknown
  end(chunk: string | Buffer): unknown
  destroy(error?: Error): unknown
  once(event: 'close' | 'drain', listener: () => void): unknown
}

export function sendError(
  res: Response,
  adapter: ProviderAdapter,
  error: SluiceError,
  decision: Decision,
  closeConnection = false,
  extraHeaders?: Readonly<Record<string, string>>,
): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const rendered = adapter.renderError(error)
  const headers: Record<string, string> = {
    ...extraHeaders,
    ...rendered.headers,
    'content-length': String(Buffer.byteLength(rendered.body)),
    'x-sluice-request-id': error.requestId,
    'x-sluice-decision': decision,
  }
  // HTTP/1.1 only: a request body we refused to read would otherwise desynchronise keep-alive.
  if (closeConnection && res.req.httpVersionMajor === 1) headers.connection = 'close'
  res.writeHead(rendered.status, headers)
  res.end(rendered.body)
}

/**
 * Requests that match no mount still deserve an error their SDK can parse; guess the dialect from
 * the tell-tale signs each SDK leaves (SigV4 or Bedrock paths, Google's key header or `:verb` paths).
 */
export function guessAdapter(path: string, headers: IncomingHttpHeaders): ProviderAdapter {
  const auth = headers.authorization
  if ((typeof auth === 'string' && auth.startsWith('AWS4-')) || path.includes('/model/')) return adapters.bedrock
  if (headers['x-goog-api-key'] !== undefined || path.includes(':generateContent') || path.includes(':streamGenerateContent')) {
    return adapters.gemini
  }
  return adapters.openai
}
