// Vertex AI targets of virtual models on the unified endpoint, through the official openai SDK:
// the chat request goes out as Gemini's body on the publisher path of the provider's own project
// and location, with Sluice's Google token, and comes back as OpenAI's answer and chunks with usage.
// A fallback from Vertex to the Gemini API shows the two are one translation with two addresses.
import OpenAI, { BadRequestError } from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { rejectionOf } from '../support/rejection.js'
import { CLIENT } from '../support/stack.js'
import { LOCATION, PROJECT, startVertexStack, type VertexStack } from '../support/vertex.js'

let stack: VertexStack

beforeAll(async () => {
  stack = await startVertexStack((config) => {
    config.models = {
      'chat-vertex': { targets: [{ provider: 'vertex', model: 'gemini-2.0-flash' }] },
      // The resource form of the same model is the same target.
      'chat-vertex-resource': { targets: [{ provider: 'vertex', model: 'publishers/google/models/gemini-2.0-flash' }] },
      'vertex-then-gemini': { targets: [{ provider: 'vertex', model: 'gemini-2.0-flash' }, { provider: 'google', model: 'gemini-2.5-flash', weight: 0 }] },
      'chat-claude-vertex': { targets: [{ provider: 'vertex', model: 'anthropic/claude-sonnet-4@20250514' }] },
    }
  })
})
afterAll(async () => {
  await stack?.close()
})
beforeEach(() => {
  stack.decisions.length = 0
  stack.vertex.script.reset()
})

const openai = (): OpenAI => new OpenAI({ baseURL: `${stack.sluice.dataUrl}/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
const UPSTREAM = `/v1/projects/${PROJECT}/locations/${LOCATION}/publishers/google/models/gemini-2.0-flash`

describe('unified endpoint → Vertex AI', () => {
  it.each(['chat-vertex', 'chat-vertex-resource'])('%s: chat.completion with usage', async (model) => {
    const { data, response } = await openai().chat.completions.create({ model, messages: [{ role: 'user', content: 'Hello unified vertex' }] }).withResponse()
    expect(data.choices[0]!.message.content).toContain('Hello from gemini-2.0-flash.')
    expect(response.headers.get('x-sluice-provider')).toBe('vertex')
    expect(response.headers.get('x-sluice-model')).toBe('gemini-2.0-flash')
    const upstream = stack.vertex.requests.last()!
    expect(upstream.path).toBe(`${UPSTREAM}:generateContent`)
    expect(upstream.headers.authorization).toMatch(/^Bearer ya29\.emulator-/)
    expect(data.usage!.prompt_tokens).toBeGreaterThan(0)
    const record = await stack.decision(response.headers.get('x-sluice-request-id')!)
    expect(record.usage).toMatchObject({ inputTokens: data.usage!.prompt_tokens, outputTokens: data.usage!.completion_tokens })
  })

  it('streamed: chunks and the usage chunk', async () => {
    const { data: stream, response } = await openai()
      .chat.completions.create({
        model: 'chat-vertex',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'Stream unified vertex' }],
      })
      .withResponse()
    let text = ''
    let usage: OpenAI.CompletionUsage | undefined
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? ''
      if (chunk.usage) usage = chunk.usage
    }
    expect(text).toContain('Hello from gemini-2.0-flash.')
    const upstream = stack.vertex.requests.last()!
    expect(upstream.path).toBe(`${UPSTREAM}:streamGenerateContent`)
    expect(upstream.query).toBe('alt=sse')
    expect(usage!.completion_tokens).toBeGreaterThan(0)
    const record = await stack.decision(response.headers.get('x-sluice-request-id')!)
    expect(record.usage).toMatchObject({ inputTokens: usage!.prompt_tokens, outputTokens: usage!.completion_tokens })
  })

  it('a Vertex 503 falls back to the Gemini API target', async () => {
    stack.vertex.script.enqueue({ status: 503 }, { status: 503 }, { status: 503 })
    const { data, response } = await openai().chat.completions.create({ model: 'vertex-then-gemini', messages: [{ role: 'user', content: 'fall back' }] }).withResponse()
    expect(response.headers.get('x-sluice-fallback')).toBe('google/gemini-2.5-flash')
    expect(data.choices[0]!.message.content).toContain('Hello from gemini-2.5-flash.')
  })

  it('a partner model target cannot be translated: a clear 400 naming why', async () => {
    const err = await rejectionOf<BadRequestError>(openai().chat.completions.create({ model: 'chat-claude-vertex', messages: [{ role: 'user', content: 'hi' }] }))
    expect(err.status).toBe(400)
    expect(err.message).toContain("serves only Google's models on Vertex AI")
  })
})
