// Reads a request body up to a limit. The whole body is needed before forwarding: the model of
// OpenAI-style calls is in it, a client's SigV4 signature covers its hash, and Bedrock's upstream
// signature must hash it again. Responses, by contrast, are streamed and never collected.
import type { IncomingMessage } from 'node:http'
import type { Http2ServerRequest } from 'node:http2'

export const TOO_LARGE = Symbol('too-large')
const EMPTY = Buffer.alloc(0)

export function readBody(req: IncomingMessage | Http2ServerRequest, limitBytes: number): Promise<Buffer | typeof TOO_LARGE> {
  const declared = req.headers['content-length']
  if (declared !== undefined && Number(declared) > limitBytes) return Promise.resolve(TOO_LARGE)
  return new Promise((resolve, reject) => {
    let first: Buffer | undefined
    let chunks: Buffer[] | undefined
    let size = 0
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size > limitBytes) {
        cleanup()
        resolve(TOO_LARGE)
        return
      }
      if (first === undefined) first = chunk
      else (chunks ??= [first]).push(chunk)
    }
    const onEnd = (): void => {
      cleanup()
      resolve(chunks !== undefined ? Buffer.concat(chunks, size) : first ?? EMPTY)
    }
    const onError = (err: Error): void => {
      cleanup()
      reject(err)
    }
    const onAborted = (): void => onError(new Error('client aborted the request body'))
    function cleanup(): void {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.off('aborted', onAborted)
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
    req.on('aborted', onAborted)
  })
}
