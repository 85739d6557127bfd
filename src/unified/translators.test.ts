// The translator table (docs/unified.md): one UnifiedTranslator per provider type. Its request
// side runs through translate() to the target's own adapter; its responder reads usage from the
// very bytes it translates, and must read what that provider's adapter reads from the same bytes —
// the attempt takes the responder's reading instead of running the adapter's reader a second time.
import { describe, expect, it } from 'vitest'
import { chunkings, fixture, readAll, usage } from '../../test/fixtures/providers/helpers.js'
import type { Leg, Target, TargetParams } from '../core/target.js'
import { ProviderTypes, type Operation, type ProviderType, type Usage } from '../core/wire.js'
import { adapters } from '../providers/index.js'
import { parseChatRequest } from './parse-request.js'
import { translate } from './translate.js'
import { unifiedTranslators } from './translators.js'
import type { ResponseContext } from './types.js'
import { bedrockEvent as frame } from '../../test/support/arbitraries.js'

const context: ResponseContext = { id: 'chatcmpl-t1', model: 'smart', clock: () => 1_700_000_000_000, includeUsage: true }
const hi = [{ role: 'user', content: 'Hi' }]

/** As much of a routing target as translate() reads: the mount's type and adapter, model, params. */
function target(type: ProviderType, params?: TargetParams, model = 'm'): Target {
  return { id: `${type}/${model}`, mount: { name: type, config: { type, auth: 'client' }, adapter: adapters[type] }, model, params } as unknown as Target
}

function leg(type: ProviderType, body: Record<string, unknown>, params?: TargetParams, model?: string): Leg {
  const json = { model: 'smart', ...body }
  const parsed = parseChatRequest(json)
  if (!parsed.ok) throw new Error(parsed.message)
  const translated = translate({ chat: parsed.request, model: { name: 'smart', description: undefined, targets: [], weights: [], experiment: undefined, promoted: undefined, bandit: undefined }, json }, target(type, params, model))
  if (typeof translated === 'string') throw new Error(translated)
  return translated
}

const converseStream = Buffer.concat((JSON.parse(fixture('bedrock/converse-stream.events.json').toString()) as { type: string; body: unknown }[]).map((e) => frame(e.type, e.body)))
const json = (value: object): Buffer => Buffer.from(JSON.stringify(value))
const sse = (...events: object[]): Buffer => Buffer.from(events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join(''))
const converse = (usageValue: object): Buffer => json({ output: { message: { role: 'assistant', content: [{ text: 'Hi' }] } }, stopReason: 'end_turn', usage: usageValue })
const anthropic = (usageValue: object): Buffer => json({ type: 'message', role: 'assistant', content: [{ type: 'text', text: 'Hi' }], stop_reason: 'end_turn', usage: usageValue })
const anthropicEvents = (...events: Record<string, unknown>[]): Buffer => Buffer.from(events.map((e) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`).join(''))
const CLAUDE = 'anthropic/claude-sonnet-4@20250514'
const gemini = (usageMetadata: object): object => ({ candidates: [{ content: { role: 'model', parts: [{ text: 'Hi' }] }, finishReason: 'STOP' }], usageMetadata })

describe('unifiedTranslators', () => {
  it.each(ProviderTypes)('%s is registered under its own type', (type) => {
    expect(unifiedTranslators[type].type).toBe(type)
  })

  const client = { messages: hi, stream: true, temperature: 1, max_tokens: 100 }
  const params: TargetParams = { temperature: 0.2, maxTokens: 50 }
  it.each<[ProviderType, string, string, Partial<Operation>, object]>([
    ['bedrock', '/model/m/converse-stream', '', { name: 'converse-stream', streamFormat: 'eventstream' }, { inferenceConfig: { maxTokens: 50, temperature: 0.2 } }],
    ['gemini', '/v1beta/models/m:streamGenerateContent', 'alt=sse', { name: 'streamGenerateContent', streamFormat: 'sse' }, { generationConfig: { maxOutputTokens: 50, temperature: 0.2 } }],
    ['llama', '/v1/chat/completions', '', { name: 'chat.completions', streamFormat: 'sse' }, { model: 'm', max_completion_tokens: 50, temperature: 0.2, stream: true }],
    // The client's own body: the target's model and params, usage always asked for, max_tokens capped and renamed.
    ['openai', '/v1/chat/completions', '', { name: 'chat.completions', streamFormat: 'sse' }, { model: 'm', messages: hi, stream: true, stream_options: { include_usage: true }, temperature: 0.2, max_completion_tokens: 50 }],
  ])('%s: toNative applies the target params, and the adapter recognises what it built', (type, path, query, operation, body) => {
    const built = leg(type, client, params)
    expect(built.request).toMatchObject({ method: 'POST', path, query, headers: { 'content-type': 'application/json' } })
    expect(built.operation).toMatchObject({ ...operation, model: 'm', stream: true })
    const sent = JSON.parse(built.request.body.toString()) as Record<string, unknown>
    expect(sent).toMatchObject(body)
    if (type === 'openai') expect(sent).toEqual(body)
  })

  // Vertex builds its body by the target model's publisher: Gemini's for Google's, Anthropic's Messages for Claude.
  it.each<[string, string, Partial<Operation>, object]>([
    ['gemini-2.0-flash', '/v1/publishers/google/models/gemini-2.0-flash:streamGenerateContent', { name: 'streamGenerateContent', model: 'gemini-2.0-flash' }, { generationConfig: { maxOutputTokens: 50, temperature: 0.2 } }],
    [
      CLAUDE,
      '/v1/publishers/anthropic/models/claude-sonnet-4@20250514:streamRawPredict',
      { name: 'streamRawPredict', model: CLAUDE },
      { anthropic_version: 'vertex-2023-10-16', max_tokens: 50, temperature: 0.2, stream: true, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] },
    ],
  ])('vertex %s: toNative applies the target params, and the adapter recognises what it built', (model, path, operation, body) => {
    const built = leg('vertex', client, params, model)
    expect(built.request).toMatchObject({ method: 'POST', path, query: model === CLAUDE ? '' : 'alt=sse' })
    expect(built.operation).toMatchObject({ ...operation, stream: true, streamFormat: 'sse' })
    expect(JSON.parse(built.request.body.toString())).toMatchObject(body)
  })

  it.each<[ProviderType, Record<string, unknown>, string]>([
    ['bedrock', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] }, 'remote image URLs cannot be translated'],
    ['gemini', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] }, 'remote image URLs cannot be translated'],
    ['llama', { messages: hi, stop: ['x'] }, '`stop` cannot be translated'],
  ])('%s: a request toNative cannot take says why', (type, body, reason) => {
    const parsed = parseChatRequest({ model: 'smart', ...body })
    if (!parsed.ok) throw new Error(parsed.message)
    const native = unifiedTranslators[type].toNative(parsed.request, 'm', undefined, { model: 'smart', ...body })
    expect(native.ok).toBe(false)
    expect(!native.ok && native.message).toContain(reason)
  })
})

/** What the OpenAI adapter's own reader reads from what the responder wrote: the client's usage. */
function clientUsage(stream: boolean, written: string): Usage | undefined {
  const operation: Operation = { name: 'chat.completions', model: 'smart', stream, streamFormat: stream ? 'sse' : 'none' }
  return readAll(adapters.openai.createUsageReader(operation, 200, {}), [Buffer.from(written)])
}

/** The last element, when given, is the target's model (Vertex reads answers by its publisher). */
type UsageCase = [string, ProviderType, boolean, Buffer, Usage | undefined, string?]
const usageCases: UsageCase[] = [
  // Recorded answers (test/fixtures/providers), as the adapter tests read them.
  ['bedrock Converse fixture', 'bedrock', false, fixture('bedrock/converse.json'), usage(1910, 62, 1200)],
  ['bedrock ConverseStream fixture', 'bedrock', true, converseStream, usage(14, 9)],
  ['gemini generateContent fixture', 'gemini', false, fixture('gemini/generate-content.json'), usage(2048, 324, 1536, 300)],
  ['gemini streamGenerateContent fixture', 'gemini', true, fixture('gemini/stream-generate-content.sse'), usage(9, 33, 0, 12)],
  ['llama fixture', 'llama', false, fixture('llama/chat-completion.json'), usage(21, 10)],
  ['llama stream fixture', 'llama', true, fixture('llama/chat-completion-stream.sse'), usage(21, 9)],
  ['openai fixture', 'openai', false, fixture('openai/chat-completion.json'), usage(1117, 46, 1024, 12)],
  ['openai stream fixture', 'openai', true, fixture('openai/chat-completion-stream.sse'), usage(19, 10)],
  // The edges of each reading.
  ['bedrock cache reads and writes are input', 'bedrock', true, Buffer.concat([frame('messageStart', { role: 'assistant' }), frame('messageStop', { stopReason: 'end_turn' }), frame('metadata', { usage: { inputTokens: 5, outputTokens: 3, cacheReadInputTokens: 2, cacheWriteInputTokens: 1 } })]), usage(8, 3, 2)],
  ['bedrock output count alone', 'bedrock', false, converse({ outputTokens: 4 }), usage(0, 4)],
  ['bedrock usage without counts', 'bedrock', false, converse({ totalTokens: 4 }), undefined],
  ['gemini tool-use prompt tokens are input', 'gemini', false, json(gemini({ promptTokenCount: 5, toolUsePromptTokenCount: 7, candidatesTokenCount: 2 })), usage(12, 2)],
  ['gemini usageMetadata without counts', 'gemini', false, json(gemini({ totalTokenCount: 3 })), undefined],
  ['gemini stream: the last cumulative count wins', 'gemini', true, sse(gemini({ promptTokenCount: 5, candidatesTokenCount: 1 }), gemini({ promptTokenCount: 5, candidatesTokenCount: 4, thoughtsTokenCount: 2 })), usage(5, 6, 0, 2)],
  ['vertex Anthropic message fixture', 'vertex', false, fixture('vertex/anthropic-message.json'), usage(1436, 71, 1024), CLAUDE],
  ['vertex Anthropic stream fixture', 'vertex', true, fixture('vertex/anthropic-stream.sse'), usage(856, 89, 256), CLAUDE],
  ['vertex Gemini fixture', 'vertex', false, fixture('gemini/generate-content.json'), usage(2048, 324, 1536, 300), 'gemini-2.0-flash'],
  ['anthropic cache writes are input too', 'vertex', false, anthropic({ input_tokens: 5, output_tokens: 3, cache_creation_input_tokens: 4 }), usage(9, 3), CLAUDE],
  ['anthropic usage without counts', 'vertex', false, anthropic({ service_tier: 'standard' }), undefined, CLAUDE],
  [
    'anthropic stream: message_delta restating the input agrees, its output wins',
    'vertex',
    true,
    anthropicEvents(
      { type: 'message_start', message: { usage: { input_tokens: 7, output_tokens: 1 } } },
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { input_tokens: 7, cache_read_input_tokens: 2, output_tokens: 5 } },
      { type: 'message_stop' },
    ),
    usage(9, 5, 2),
    CLAUDE,
  ],
  ['llama metrics without token counts', 'llama', false, json({ completion_message: { role: 'assistant', content: 'Hi', stop_reason: 'stop' }, metrics: [{ metric: 'num_total_tokens', value: 3 }] }), undefined],
]

describe('responder usage', () => {
  it.each(usageCases)('%s: the responder reads what the adapter reads, and tells the client the same', (_label, type, stream, body, expected, model) => {
    const { operation } = leg(type, { messages: hi, stream }, undefined, model)
    for (const [cutting, chunks] of chunkings(body, 3)) {
      const responder = unifiedTranslators[type].responder(stream, { ...context, targetModel: model })
      let written = ''
      for (const piece of chunks) written += responder.push(piece)
      written += responder.end()
      expect(responder.failure, cutting).toBeUndefined()
      expect({ cutting, usage: responder.usage() }).toEqual({ cutting, usage: expected })
      expect({ cutting, usage: responder.usage() }).toEqual({ cutting, usage: readAll(adapters[type].createUsageReader(operation, 200, {}), chunks) })
      expect({ cutting, usage: clientUsage(stream, written) }).toEqual({ cutting, usage: expected })
    }
  })

  it.each<[string, ProviderType, boolean, Buffer, string, Usage]>([
    // Billed upstream all the same: the usage is read before the translation gives up.
    ['JSON answer that does not translate', 'gemini', false, json({ candidates: [], usageMetadata: { promptTokenCount: 3 } }), 'gemini: The Gemini response has no candidates.', usage(3, 0)],
    [
      'stream that fails after reporting usage',
      'gemini',
      true,
      sse(gemini({ promptTokenCount: 5, candidatesTokenCount: 3 }), { error: { code: 503, message: 'overloaded', status: 'UNAVAILABLE' } }),
      'gemini: UNAVAILABLE: overloaded',
      usage(5, 3),
    ],
    ['stream cut before its finish', 'llama', true, sse({ event: { event_type: 'metrics', metrics: [{ metric: 'num_prompt_tokens', value: 4 }] } }), 'llama: upstream stream ended before its final event.', usage(4, 0)],
  ])('%s: a failed answer still reports the usage read so far', (_label, type, stream, body, failure, expected) => {
    const { operation } = leg(type, { messages: hi, stream })
    const responder = unifiedTranslators[type].responder(stream, context)
    responder.push(body)
    responder.end()
    expect(responder.failure).toBe(failure)
    expect(responder.usage()).toEqual(expected)
    expect(responder.usage()).toEqual(readAll(adapters[type].createUsageReader(operation, 200, {}), [body]))
  })

  it('a stream reports its usage as it goes, before the end', () => {
    const responder = unifiedTranslators.bedrock.responder(true, context)
    const frames = (JSON.parse(fixture('bedrock/converse-stream.events.json').toString()) as { type: string; body: unknown }[]).map((e) => frame(e.type, e.body))
    for (const piece of frames.slice(0, -1)) responder.push(piece)
    expect(responder.usage()).toBeUndefined()
    responder.push(frames.at(-1)!)
    expect(responder.usage()).toEqual(usage(14, 9))
  })
})
