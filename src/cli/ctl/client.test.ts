// The admin client against scripted HTTP servers on port 0: success bodies, the admin error shape,
// foreign servers, and each way of not reaching anything.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { AdminApiError, AdminUnreachableError, createAdminClient } from './client.js'

let server: Server | undefined
afterEach(async () => {
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined))
  server = undefined
})

async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<string> {
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
    req.on('end', () => handler(req, res, body))
  })
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`
}

const failure = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => expect.fail('should reject'), (err: unknown) => err)

describe('createAdminClient', () => {
  it('sends the bearer token and a JSON body, and returns the parsed answer', async () => {
    const seen: unknown[] = []
    const url = await serve((req, res, body) => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, type: req.headers['content-type'], body })
      res.setHeader('content-type', 'application/json')
      res.end('{"ok":true}')
    })
    const client = createAdminClient({ url: `${url}/`, token: 'tok-0123456789abcdef' })
    expect(await client.request('DELETE', '/v1/kill-switches/model/a%3Ab', { reason: 'r' })).toEqual({ ok: true })
    expect(seen).toEqual([
      { method: 'DELETE', url: '/v1/kill-switches/model/a%3Ab', auth: 'Bearer tok-0123456789abcdef', type: 'application/json', body: '{"reason":"r"}' },
    ])
  })

  it('maps {statusCode, code, message, problems} to AdminApiError', async () => {
    const url = await serve((_req, res) => {
      res.statusCode = 400
      res.end(JSON.stringify({ statusCode: 400, code: 'SLUICE_ERR_ADMIN_INVALID', error: 'Bad Request', message: 'Nope.', problems: ['a: b'] }))
    })
    const err = await failure(createAdminClient({ url, token: undefined }).request('GET', '/v1/flags'))
    expect(err).toBeInstanceOf(AdminApiError)
    expect(err).toMatchObject({ status: 400, code: 'SLUICE_ERR_ADMIN_INVALID', message: 'Nope.', problems: ['a: b'] })
  })

  it.each([
    ['<html>not found</html>', 'HTTP 404: <html>not found</html>'],
    ['', 'HTTP 404 with an empty body'],
    ['{"error":{"message":"No provider mount matches","type":"not_found_error"}}', 'No provider mount matches'],
  ])('reads a foreign 404 body %j as HTTP_404', async (body, message) => {
    const url = await serve((_req, res) => {
      res.statusCode = 404
      res.end(body)
    })
    const err = await failure(createAdminClient({ url, token: undefined }).request('GET', '/v1/status'))
    expect(err).toMatchObject({ code: 'HTTP_404', message })
  })

  it('reports a refused connection as unreachable, not applied', async () => {
    const url = await serve(() => undefined)
    await new Promise((resolve) => server!.close(resolve))
    const err = await failure(createAdminClient({ url, token: undefined }).request('PUT', '/v1/kill-switches/model/x', { reason: 'r' }))
    expect(err).toBeInstanceOf(AdminUnreachableError)
    expect(err).toMatchObject({ url, maybeApplied: false })
    expect((err as Error).message).toContain('connection refused')
  })

  it('gives up after the timeout; a change may have been applied', async () => {
    const url = await serve(() => undefined) // accepts, never answers
    const client = createAdminClient({ url, token: undefined, timeoutMs: 50 })
    expect(await failure(client.request('POST', '/v1/emergency-shutdown', { reason: 'r' }))).toMatchObject({ maybeApplied: true })
    const read = await failure(client.request('GET', '/v1/status'))
    expect(read).toMatchObject({ maybeApplied: false })
    expect((read as Error).message).toContain('no answer within 0.05 s')
  })
})
