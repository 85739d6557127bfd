// Guardrails (block mode) on the unified endpoint when the target is Claude on Vertex AI, through
// the official openai SDK: a credential in the chat request is refused before anything goes
// upstream, in OpenAI's error shape; an answer that carries one never reaches the client — whole,
// it is refused; streamed, the SDK raises after the text before it, the credential never sent.
import OpenAI, { APIError } from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TRAFFIC_ON_FLAGS } from '../../src/emulators/sluice-config.js'
import { rejectionOf } from '../support/rejection.js'
import { CLIENT } from '../support/stack.js'
import { startVertexStack, type VertexStack } from '../support/vertex.js'

let stack: VertexStack
const AWS_KEY = 'AKIAQ3EGRN5LP7XKZ2VD'
const LEAK = `${'All is well here today. '.repeat(120)}Sure, use ${AWS_KEY} as the access key id.`

beforeAll(async () => {
  stack = await startVertexStack((config) => {
    config.flags = { ...TRAFFIC_ON_FLAGS, 'ai.guardrails.mode': { state: 'ENABLED', variants: { off: 'off', block: 'block' }, defaultVariant: 'block' } }
    config.models = { claude: { targets: [{ provider: 'vertex', model: 'anthropic/claude-sonnet-4@20250514' }] } }
  })
})
afterAll(async () => {
  await stack?.close()
})

const openai = (): OpenAI => new OpenAI({ baseURL: `${stack.sluice.dataUrl}/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })

describe('guardrails on the unified endpoint, Claude on Vertex', () => {
  it('refuses a request carrying a credential before anything goes upstream', async () => {
    const before = stack.vertex.requests.count
    const err = await rejectionOf<APIError>(openai().chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: `My key is ${AWS_KEY}, why does it fail?` }] }))
    expect(err).toBeInstanceOf(APIError)
    expect(err.status).toBe(400)
    expect(err.code).toBe('SLUICE_ERR_GUARDRAIL_CREDENTIALS')
    expect(err.message).not.toContain(AWS_KEY)
    expect(stack.vertex.requests.count).toBe(before)
  })

  it('refuses a whole answer carrying a credential', async () => {
    stack.vertex.script.enqueue({ text: LEAK })
    const err = await rejectionOf<APIError>(openai().chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'What key?' }] }))
    expect(err).toBeInstanceOf(APIError)
    expect(err.code).toBe('SLUICE_ERR_GUARDRAIL_CREDENTIALS')
    expect(JSON.stringify(err.error)).not.toContain('AKIA')
  })

  it('ends a streamed answer carrying a credential: the SDK raises after the text before it', async () => {
    stack.vertex.script.enqueue({ text: LEAK, chunks: 120, chunkDelayMs: 1 })
    const stream = await openai().chat.completions.create({ model: 'claude', stream: true, messages: [{ role: 'user', content: 'What key?' }] })
    let text = ''
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    })().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(APIError)
    expect(error).toMatchObject({ code: 'SLUICE_ERR_GUARDRAIL_CREDENTIALS' })
    expect(text.length).toBeGreaterThan(0)
    expect(text).not.toContain('AKIA')
  })

  it('passes a harmless stream through whole', async () => {
    const stream = await openai().chat.completions.create({ model: 'claude', stream: true, messages: [{ role: 'user', content: 'Hello' }] })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    expect(text).toContain('Hello from claude-sonnet-4@20250514.')
  })
})
