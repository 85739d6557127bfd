// Bad input gets a clear error in the client's own dialect, nothing reaches upstream, and the
// next good request still works.
import net from 'node:net'
import { GoogleGenAI } from '@google/genai'
import OpenAI, { APIError, PermissionDeniedError } from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rejectionOf } from '../support/rejection.js'
import { CLIENT, startStack, type Stack } from '../support/stack.js'

let stack: Stack
let openai: OpenAI

beforeAll(async () => {
  stack = await startStack()
  openai = new OpenAI({ baseURL: `${stack.sluice.dataUrl}/openai/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
})
afterAll(async () => {
  await stack.close()
})

const json = { 'content-type': 'application/json' }
const bearer = { authorization: `Bearer ${CLIENT.credentials.apiKey}` }

async function post(path: string, body: string, headers: Record<string, string>): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(`${stack.sluice.dataUrl}${path}`, { method: 'POST', headers, body })
  const text = await res.text()
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) }
}

async function goodCallStillWorks(): Promise<void> {
  const result = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'still there?' }] })
  expect(result.choices[0]?.message.content).toBeTruthy()
}

describe('bad input', () => {
  it('malformed JSON → 400 in OpenAI dialect, upstream untouched', async () => {
    const before = stack.emulators.openai.requests.count
    const res = await post('/openai/v1/chat/completions', '{"model": "gpt', { ...json, ...bearer })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'SLUICE_ERR_REQUEST_MALFORMED' })
    expect(res.headers.get('x-sluice-decision')).toBe('deny')
    expect(res.body.error.message).toContain(res.headers.get('x-sluice-request-id'))
    expect(stack.emulators.openai.requests.count).toBe(before)
    await goodCallStillWorks()
  })

  it('oversized body → 413 through the SDK, declared or chunked', async () => {
    const huge = 'x'.repeat(70 * 1024)
    const err = await rejectionOf<APIError>(
      openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: huge }] }),
    )
    expect(err).toBeInstanceOf(APIError)
    expect(err.status).toBe(413)
    expect(err.code).toBe('SLUICE_ERR_REQUEST_TOO_LARGE')

    // No content-length: the limit is enforced while reading.
    const chunked = await fetch(`${stack.sluice.dataUrl}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { ...json, ...bearer },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 80; i++) controller.enqueue(new TextEncoder().encode('y'.repeat(1024)))
          controller.close()
        },
      }),
      duplex: 'half',
    } as RequestInit)
    expect(chunked.status).toBe(413)
    await goodCallStillWorks()
  })

  it('unknown mount → 404 in a dialect guessed from the request', async () => {
    const openaiStyle = await post('/nowhere/v1/chat/completions', '{}', { ...json, ...bearer })
    expect(openaiStyle.status).toBe(404)
    expect(openaiStyle.body.error.code).toBe('SLUICE_ERR_ROUTE_NOT_FOUND')

    const bedrockStyle = await post('/nowhere/model/x/converse', '{}', json)
    expect(bedrockStyle.status).toBe(404)
    expect(bedrockStyle.headers.get('x-amzn-errortype')).toMatch(/Exception/)
    expect(bedrockStyle.body.message).toContain('SLUICE_ERR_ROUTE_NOT_FOUND')
  })

  it('unknown operation under a mount → 404 SLUICE_ERR_OPERATION_UNSUPPORTED', async () => {
    const res = await post('/openai/v1/audio/speech', '{}', { ...json, ...bearer })
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('SLUICE_ERR_OPERATION_UNSUPPORTED')
  })

  it('undecodable Bedrock modelId → 400 ValidationException', async () => {
    const res = await post('/bedrock/model/anthropic.claude%E0%A4%A/converse', '{"messages":[]}', json)
    expect(res.status).toBe(400)
    expect(res.headers.get('x-amzn-errortype')).toMatch(/^ValidationException/)
    expect(res.body.message).toContain('SLUICE_ERR_MODEL_INVALID')
  })

  it('bad x-sluice-* header value → 400 in dialect', async () => {
    const res = await post('/openai/v1/chat/completions', JSON.stringify({ model: 'gpt-4o-mini', messages: [] }), {
      ...json,
      ...bearer,
      'x-sluice-user': 'u'.repeat(300),
    })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('SLUICE_ERR_HEADER_INVALID')
    await goodCallStillWorks()
  })

  it('a request head the HTTP parser rejects → 400 JSON, connection closed, server fine', async () => {
    const { port } = new URL(stack.sluice.dataUrl)
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => {
        socket.write('POST /openai/v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Bad: a\x01b\r\n\r\n')
      })
      let data = ''
      socket.on('data', (d) => (data += d.toString()))
      socket.on('end', () => resolve(data))
      socket.on('error', reject)
    })
    expect(reply).toMatch(/^HTTP\/1\.1 400/)
    expect(reply).toContain('SLUICE_ERR_HEADER_INVALID')
    await goodCallStillWorks()
  })

  it('missing and wrong credentials → the dialect 401/403, nothing upstream', async () => {
    const before = stack.emulators.openai.requests.count + stack.emulators.gemini.requests.count
    const anonymous = new OpenAI({ baseURL: `${stack.sluice.dataUrl}/openai/v1`, apiKey: 'sk-wrong', maxRetries: 0 })
    const wrongKey = await rejectionOf<APIError>(
      anonymous.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    )
    expect(wrongKey).toBeInstanceOf(PermissionDeniedError)
    expect(wrongKey.code).toBe('SLUICE_ERR_AUTH_INVALID')

    const missing = await post('/openai/v1/chat/completions', JSON.stringify({ model: 'gpt-4o-mini', messages: [] }), json)
    expect(missing.status).toBe(401)
    expect(missing.body.error.code).toBe('SLUICE_ERR_AUTH_MISSING')

    const gemini = new GoogleGenAI({ apiKey: 'wrong-key', httpOptions: { baseUrl: `${stack.sluice.dataUrl}/google` } })
    const geminiErr = await rejectionOf(gemini.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' }))
    expect(geminiErr.message).toContain('PERMISSION_DENIED')
    expect(stack.emulators.openai.requests.count + stack.emulators.gemini.requests.count).toBe(before)
    await goodCallStillWorks()
  })
})

/** One raw HTTP/1.1 exchange (fetch would normalise the path, and always sends Host). */
function raw(request: string): Promise<string> {
  const { port } = new URL(stack.sluice.dataUrl)
  return new Promise<string>((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(request))
    let data = ''
    socket.on('data', (d) => {
      data += d.toString()
      // One response is enough: stop once its body (content-length) is in.
      const head = data.indexOf('\r\n\r\n')
      const length = /content-length: (\d+)/i.exec(data)
      if (head !== -1 && length !== null && data.length >= head + 4 + Number(length[1])) socket.end()
    })
    socket.on('end', () => resolve(data))
    socket.on('close', () => resolve(data))
    socket.on('error', reject)
  })
}

describe('smaller bad-input cases', () => {
  it.each(['/google/../v1beta/models/gemini-2.5-flash:generateContent', '/google/%2e%2e/v1beta/models/gemini-2.5-flash:generateContent', '/google/v1beta/./models/gemini-2.5-flash:generateContent'])(
    'a dot segment in %s → 400 SLUICE_ERR_PATH_INVALID in the Gemini dialect, never forwarded',
    async (path) => {
      const before = stack.emulators.gemini.requests.count
      const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] })
      const reply = await raw(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nx-goog-api-key: ${CLIENT.credentials.apiKey}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
      )
      expect(reply).toMatch(/^HTTP\/1\.1 400/)
      const json = JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4)) as { error: { status: string; details: Array<{ reason?: string }> } }
      expect(json.error.status).toBe('INVALID_ARGUMENT')
      expect(json.error.details[0]?.reason).toBe('SLUICE_ERR_PATH_INVALID')
      expect(stack.emulators.gemini.requests.count).toBe(before)
      await goodCallStillWorks()
    },
  )

  it('CONNECT → 405 with a JSON error, then the connection closes; the server is fine', async () => {
    const reply = await raw('CONNECT api.openai.com:443 HTTP/1.1\r\nHost: api.openai.com:443\r\n\r\n')
    expect(reply).toMatch(/^HTTP\/1\.1 405/)
    expect(reply).toContain('SLUICE_ERR_METHOD_NOT_ALLOWED')
    await goodCallStillWorks()
  })

  it('an HTTP/1.1 request without Host → 400 SLUICE_ERR_HEADER_INVALID in its dialect, not an empty 400', async () => {
    const before = stack.emulators.openai.requests.count
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
    const reply = await raw(
      `POST /openai/v1/chat/completions HTTP/1.1\r\nauthorization: Bearer ${CLIENT.credentials.apiKey}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
    )
    expect(reply).toMatch(/^HTTP\/1\.1 400/)
    const json = JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4)) as { error: { code: string; message: string } }
    expect(json.error.code).toBe('SLUICE_ERR_HEADER_INVALID')
    expect(json.error.message).toContain('Host')
    expect(stack.emulators.openai.requests.count).toBe(before)
    await goodCallStillWorks()
  })
})
