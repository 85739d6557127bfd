// streamText on every event of emulated streams (SSE, Gemini's JSON array, Bedrock's event stream) and on hand-written events.
import { EventStreamCodec } from '@smithy/eventstream-codec'
import { fromUtf8, toUtf8 } from '@smithy/util-utf8'
import { describe, expect, it } from 'vitest'
import { createBedrockEmulator } from '../../../emulators/bedrock.js'
import { buildReply } from '../../../emulators/content.js'
import { createGeminiEmulator } from '../../../emulators/gemini.js'
import { createLlamaEmulator } from '../../../emulators/llama.js'
import { createOpenAIEmulator } from '../../../emulators/openai.js'
import { createVertexEmulator } from '../../../emulators/vertex.js'
import { DEFAULTS, type Plan } from '../../../emulators/script.js'
import type { EmulatorRequest, Reply } from '../../../emulators/server.js'
import { buildToolCall } from '../../../emulators/tool-call.js'
import { streamText } from './index.js'
import type { BodyKind } from './types.js'

const ARGS = { city: 'Paris', when: { day: 'today', hours: [9, 17] } }
const TEXT_PLAN: Plan = DEFAULTS
const TOOL_PLAN: Plan = { ...DEFAULTS, toolCall: { name: 'weather', arguments: ARGS } }
const MODEL = 'emulated-model'
const TEXT_DELTAS = buildReply(MODEL, DEFAULTS.outputTokens, DEFAULTS.chunks, undefined).deltas
const TOOL_PIECES = buildToolCall({ name: 'weather', arguments: ARGS }, DEFAULTS.chunks).pieces
const CHAT = { model: MODEL, messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true } }

const request = (query = ''): EmulatorRequest => ({ method: 'POST', path: '/', query, headers: {}, rawBody: Buffer.alloc(0) })

function frames(reply: Reply): readonly (string | Uint8Array)[] {
  if (reply.kind !== 'stream') throw new Error('expected a streamed reply')
  return reply.frames
}

/** The JSON `data:` payloads of an SSE body, `[DONE]` left out. */
function sse(reply: Reply): unknown[] {
  const lines = frames(reply).join('').split(/\r?\n/)
  return lines.filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]').map((line) => JSON.parse(line.slice(6)) as unknown)
}

const jsonArray = (reply: Reply): unknown[] => JSON.parse(frames(reply).join('')) as unknown[]

const codec = new EventStreamCodec(toUtf8, fromUtf8)
/** Each eventstream message as the caller hands it over: its `:event-type` and parsed payload. */
function eventstream(reply: Reply): unknown[] {
  return frames(reply).map((frame) => {
    const message = codec.decode(frame as Uint8Array)
    return { eventType: message.headers[':event-type']?.value, payload: JSON.parse(toUtf8(message.body)) as unknown }
  })
}

const openai = createOpenAIEmulator(undefined)
const llama = createLlamaEmulator(undefined)
const bedrock = createBedrockEmulator(undefined)
const gemini = createGeminiEmulator(undefined)
const vertex = createVertexEmulator(undefined)
const ANTHROPIC = { anthropic_version: 'vertex-2023-10-16', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }

describe('streamText on emulated streams', () => {
  const rows: readonly (readonly [string, BodyKind, unknown[], readonly string[]])[] = [
    ['openai chat text', 'openai-chat', sse(openai.answer({ operation: 'chat.completions' }, CHAT, request(), TEXT_PLAN)), TEXT_DELTAS],
    ['openai chat tool call', 'openai-chat', sse(openai.answer({ operation: 'chat.completions' }, CHAT, request(), TOOL_PLAN)), TOOL_PIECES],
    ['llama compat text', 'openai-chat', sse(llama.answer({ operation: 'compat.chat.completions' }, CHAT, request(), TEXT_PLAN)), TEXT_DELTAS],
    ['responses text', 'openai-responses', sse(openai.answer({ operation: 'responses' }, { model: MODEL, input: 'Hi', stream: true }, request(), TEXT_PLAN)), TEXT_DELTAS],
    ['llama native text', 'llama', sse(llama.answer({ operation: 'chat.completions' }, CHAT, request(), TEXT_PLAN)), TEXT_DELTAS],
    ['llama native tool call', 'llama', sse(llama.answer({ operation: 'chat.completions' }, CHAT, request(), TOOL_PLAN)), TOOL_PIECES],
    ['gemini sse text', 'gemini', sse(gemini.answer({ operation: 'streamGenerateContent', model: MODEL }, { contents: [] }, request('alt=sse'), TEXT_PLAN)), TEXT_DELTAS],
    ['gemini json-array text', 'gemini', jsonArray(gemini.answer({ operation: 'streamGenerateContent', model: MODEL }, { contents: [] }, request(), TEXT_PLAN)), TEXT_DELTAS],
    [
      'gemini function call, whole in one chunk',
      'gemini',
      sse(gemini.answer({ operation: 'streamGenerateContent', model: MODEL }, { contents: [] }, request('alt=sse'), TOOL_PLAN)),
      [JSON.stringify(ARGS)],
    ],
    ['converse-stream text', 'bedrock-converse', eventstream(bedrock.answer({ operation: 'converse-stream', modelId: MODEL }, { messages: [] }, request(), TEXT_PLAN)), TEXT_DELTAS],
    ['converse-stream tool use', 'bedrock-converse', eventstream(bedrock.answer({ operation: 'converse-stream', modelId: MODEL }, { messages: [] }, request(), TOOL_PLAN)), TOOL_PIECES],
    [
      'invoke-stream anthropic text',
      'bedrock-anthropic',
      eventstream(bedrock.answer({ operation: 'invoke-with-response-stream', modelId: MODEL }, { anthropic_version: 'bedrock-2023-05-31', messages: [] }, request(), TEXT_PLAN)),
      TEXT_DELTAS,
    ],
    ['vertex streamRawPredict anthropic text', 'anthropic', sse(vertex.answer({ operation: 'streamRawPredict', model: MODEL }, ANTHROPIC, request(), TEXT_PLAN)), TEXT_DELTAS],
    ['vertex rawPredict streamed by the body', 'anthropic', sse(vertex.answer({ operation: 'rawPredict', model: MODEL }, { ...ANTHROPIC, stream: true }, request(), TEXT_PLAN)), TEXT_DELTAS],
  ]
  it.each(rows)('%s', (_name, kind, events, deltas) => {
    expect(events.map((event) => streamText(kind, event)).filter((text) => text !== '')).toEqual(deltas)
  })
})

/** An InvokeModelWithResponseStream `chunk` event wrapping the model's own event. */
const chunk = (event: unknown) => ({ eventType: 'chunk', payload: { bytes: Buffer.from(JSON.stringify(event)).toString('base64') } })

describe('streamText on hand-written events', () => {
  const rows: readonly (readonly [string, BodyKind, unknown, string])[] = [
    ['responses function call arguments', 'openai-responses', { type: 'response.function_call_arguments.delta', item_id: 'fc_1', output_index: 0, delta: '{"q":' }, '{"q":'],
    ['responses refusal', 'openai-responses', { type: 'response.refusal.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'No.' }, 'No.'],
    ['responses text done carries no delta', 'openai-responses', { type: 'response.output_text.done', text: 'Hi there!' }, ''],
    ['chat refusal', 'openai-chat', { choices: [{ index: 0, delta: { refusal: 'Sorry' } }] }, 'Sorry'],
    ['llama native complete', 'llama', { id: 'x', event: { event_type: 'complete', delta: { type: 'text', text: '' }, stop_reason: 'stop' } }, ''],
    ['converse messageStop', 'bedrock-converse', { eventType: 'messageStop', payload: { stopReason: 'end_turn' } }, ''],
    [
      'anthropic input_json_delta',
      'bedrock-anthropic',
      chunk({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"query": "ca' } }),
      '{"query": "ca',
    ],
    ['anthropic message_start', 'bedrock-anthropic', chunk({ type: 'message_start', message: { id: 'msg_1', content: [] } }), ''],
    ['anthropic legacy completion', 'bedrock-anthropic', chunk({ completion: ' Hi', stop_reason: null }), ' Hi'],
    ['bedrock llama generation', 'bedrock-llama', chunk({ generation: ' Hello', prompt_token_count: null, generation_token_count: 2, stop_reason: null }), ' Hello'],
    ['nova messageStart', 'bedrock-nova', chunk({ messageStart: { role: 'assistant' } }), ''],
    ['nova text delta', 'bedrock-nova', chunk({ contentBlockDelta: { delta: { text: 'Tides' }, contentBlockIndex: 0 } }), 'Tides'],
    ['nova toolUse delta', 'bedrock-nova', chunk({ contentBlockDelta: { delta: { toolUse: { input: '{"phase":' } }, contentBlockIndex: 1 } }), '{"phase":'],
    ['nova metadata', 'bedrock-nova', chunk({ metadata: { usage: { inputTokens: 5, outputTokens: 2 } } }), ''],
    ['titan outputText', 'bedrock-titan', chunk({ outputText: 'Why', index: 0, totalOutputTextTokenCount: null, completionReason: null, inputTextTokenCount: 5 }), 'Why'],
    ['a chunk whose bytes are not JSON', 'bedrock-anthropic', { eventType: 'chunk', payload: { bytes: Buffer.from('not json').toString('base64') } }, ''],
    ['a chunk without bytes', 'bedrock-titan', { eventType: 'chunk', payload: { outputText: 'unwrapped' } }, ''],
    ['a chunk on a Converse stream', 'bedrock-converse', chunk({ type: 'content_block_delta', delta: { text: 'x' } }), ''],
    ['a Converse delta on an InvokeModel stream', 'bedrock-anthropic', { eventType: 'contentBlockDelta', payload: { delta: { text: 'x' } } }, ''],
  ]
  it.each(rows)('%s', (_name, kind, event, text) => {
    expect(streamText(kind, event)).toBe(text)
  })
})
