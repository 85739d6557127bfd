// Honest mid-stream failure: when the upstream breaks after the stream has started, each
// official SDK raises an error — the stream never ends as if the answer were complete.
import { BedrockRuntimeClient, ConverseStreamCommand, InvokeModelWithResponseStreamCommand } from '@aws-sdk/client-bedrock-runtime'
import { GoogleGenAI } from '@google/genai'
import LlamaAPIClient from 'llama-api-client'
import OpenAI, { APIError } from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rejectionOf } from '../support/rejection.js'
import { CLIENT, startStack, type Stack } from '../support/stack.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack.close()
})

/** Consumes a stream; resolves with how many items arrived before it threw (or ended). */
async function drain(stream: AsyncIterable<unknown>, seen: { count: number }): Promise<void> {
  for await (const _item of stream) seen.count++
}

const bedrock = (): BedrockRuntimeClient =>
  new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: `${stack.sluice.dataUrl}/bedrock`,
    credentials: { accessKeyId: CLIENT.credentials.accessKeyId, secretAccessKey: CLIENT.credentials.secretAccessKey },
    maxAttempts: 1,
  })

describe('an upstream break after the first bytes', () => {
  it('OpenAI SDK: APIError with SLUICE_ERR_UPSTREAM_BROKEN after the chunks that did arrive', async () => {
    stack.emulators.openai.script.enqueue({ breakAfterChunks: 2, chunks: 6 })
    const openai = new OpenAI({ baseURL: `${stack.sluice.dataUrl}/openai/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
    const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true })
    const seen = { count: 0 }
    const err = await rejectionOf<APIError>(drain(stream, seen))
    expect(seen.count).toBe(2)
    expect(err).toBeInstanceOf(APIError)
    expect(err.code).toBe('SLUICE_ERR_UPSTREAM_BROKEN')
  })

  it('Llama SDK: the native stream raises', async () => {
    stack.emulators.llama.script.enqueue({ breakAfterChunks: 2, chunks: 6 })
    const llama = new LlamaAPIClient({ baseURL: `${stack.sluice.dataUrl}/meta/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
    const stream = await llama.chat.completions.create({ model: 'Llama-4-Maverick-17B-128E-Instruct-FP8', messages: [{ role: 'user', content: 'hi' }], stream: true })
    const err = await rejectionOf(drain(stream, { count: 0 }))
    expect(err).toBeInstanceOf(Error)
  })

  it('Gemini SDK: the SSE stream raises with the error event', async () => {
    stack.emulators.gemini.script.enqueue({ breakAfterChunks: 2, chunks: 6 })
    const gemini = new GoogleGenAI({ apiKey: CLIENT.credentials.apiKey, httpOptions: { baseUrl: `${stack.sluice.dataUrl}/google` } })
    const stream = await gemini.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hi' })
    const err = await rejectionOf(drain(stream, { count: 0 }))
    expect(err.message).toContain('SLUICE_ERR_UPSTREAM_BROKEN')
  })

  it.each([
    ['ConverseStream', () => new ConverseStreamCommand({ modelId: 'amazon.nova-lite-v1:0', messages: [{ role: 'user', content: [{ text: 'hi' }] }] })],
    [
      'InvokeModelWithResponseStream',
      () =>
        new InvokeModelWithResponseStreamCommand({
          modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
          contentType: 'application/json',
          body: JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }),
        }),
    ],
  ])('Bedrock SDK %s: a typed ServiceUnavailableException from the exception frame', async (_name, command) => {
    stack.emulators.bedrock.script.enqueue({ breakAfterChunks: 2, chunks: 6 })
    const client = bedrock()
    const out = (await client.send(command() as ConverseStreamCommand)) as { stream?: AsyncIterable<unknown>; body?: AsyncIterable<unknown> }
    const err = await rejectionOf<Error>(drain((out.stream ?? out.body)!, { count: 0 }))
    client.destroy()
    expect(err.name).toBe('ServiceUnavailableException')
    expect(err.message).toContain('SLUICE_ERR_UPSTREAM_BROKEN')
  })
})
