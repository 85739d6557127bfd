// Guardrails on Anthropic models on Vertex AI (block mode): a credential in a rawPredict request is
// refused before it leaves, in Vertex's error shape; a streamRawPredict answer that carries one is
// ended mid-stream with an SSE error event once text went out, the credential never sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TRAFFIC_ON_FLAGS } from '../../src/emulators/sluice-config.js'
import { CLIENT } from '../support/stack.js'
import { startVertexStack, type VertexStack } from '../support/vertex.js'

let stack: VertexStack
const AWS_KEY = 'AKIAQ3EGRN5LP7XKZ2VD'

beforeAll(async () => {
  stack = await startVertexStack((config) => {
    config.flags = { ...TRAFFIC_ON_FLAGS, 'ai.guardrails.mode': { state: 'ENABLED', variants: { off: 'off', block: 'block' }, defaultVariant: 'block' } }
  })
})
afterAll(async () => {
  await stack?.close()
})

const call = (method: string, content: string, extra: Record<string, unknown> = {}): Promise<Response> =>
  fetch(`${stack.sluice.dataUrl}/vertex/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4@20250514:${method}`, {
    method: 'POST',
    headers: { 'x-goog-api-key': CLIENT.credentials.apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ anthropic_version: 'vertex-2023-10-16', max_tokens: 2000, messages: [{ role: 'user', content }], ...extra }),
  })

describe('guardrails on Anthropic models on Vertex', () => {
  it('refuses a rawPredict request carrying a credential before anything goes upstream', async () => {
    const before = stack.vertex.requests.count
    const res = await call('rawPredict', `My key is ${AWS_KEY}, why does it fail?`)
    expect(res.status).toBe(400)
    const text = await res.text()
    expect(text).toContain('SLUICE_ERR_GUARDRAIL_CREDENTIALS')
    expect(text).not.toContain(AWS_KEY)
    expect(stack.vertex.requests.count).toBe(before)
  })

  it('ends a streamRawPredict answer carrying a credential with an SSE error event, the credential never sent', async () => {
    const long = `${'All is well here today. '.repeat(120)}Sure, use ${AWS_KEY} as the access key id.`
    stack.vertex.script.enqueue({ text: long, chunks: 120, chunkDelayMs: 1 })
    const res = await call('streamRawPredict', 'What key?', { stream: true })
    expect(res.status).toBe(200)
    // The stream is cut after the error event (so a client sees no clean end): keep what came before.
    let body = ''
    const decoder = new TextDecoder()
    const reader = res.body!.getReader()
    try {
      for (let part = await reader.read(); !part.done; part = await reader.read()) body += decoder.decode(part.value, { stream: true })
    } catch {
      // terminated: expected
    }
    const said = body
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice(6)) as { type?: string; delta?: { text?: string } })
      .map((event) => (event.type === 'content_block_delta' ? (event.delta?.text ?? '') : ''))
      .join('')
    expect(said.length).toBeGreaterThan(0)
    expect(body).not.toContain('AKIA')
    expect(body).toContain('SLUICE_ERR_GUARDRAIL_CREDENTIALS')
    // One error event, in Anthropic's shape; the cut upstream adds no second one.
    const errors = body.split('\n').filter((line) => line === 'event: error')
    expect(errors).toHaveLength(1)
    expect(body).not.toContain('SLUICE_ERR_UPSTREAM_BROKEN')
    expect(body).not.toContain('message_stop')
  })

  it('passes a harmless stream through whole', async () => {
    const res = await call('streamRawPredict', 'Hello', { stream: true })
    const body = await res.text()
    expect(body).toContain('message_stop')
    expect(body).not.toContain('SLUICE_ERR')
  })
})
