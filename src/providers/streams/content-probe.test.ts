// Time to first token reads `UsageReader.contentStarted`: false through every event before the
// first one carrying output content, true once that event has been read whole — for each dialect,
// however the socket cuts the bytes. The boundaries below are found by parsing each fixture
// event, not written down by hand.
import { EventStreamCodec } from '@smithy/eventstream-codec'
import { fromUtf8, toUtf8 } from '@smithy/util-utf8'
import { describe, expect, it } from 'vitest'
import { chunkings, fixture } from '../../../test/fixtures/providers/helpers.js'
import type { Operation, UsageReader } from '../../core/wire.js'
import { bedrock } from '../bedrock.js'
import { gemini } from '../gemini.js'
import { llama } from '../llama.js'
import { openai } from '../openai.js'
import { vertex } from '../vertex.js'
import { anthropicContent, geminiContent, llamaContent, nonEmptyString, openAiContent, quoted } from './content-probe.js'

const codec = new EventStreamCodec(toUtf8, fromUtf8)

function eventFrame(eventType: string, body: unknown): Buffer {
  const headers = {
    ':event-type': { type: 'string' as const, value: eventType },
    ':content-type': { type: 'string' as const, value: 'application/json' },
    ':message-type': { type: 'string' as const, value: 'event' },
  }
  return Buffer.from(codec.encode({ headers, body: fromUtf8(JSON.stringify(body)) }))
}

/** A stream as its events' bytes, with whether each carries output content (judged from the parsed event). */
interface Stream {
  readonly events: Buffer[]
  readonly content: boolean[]
}

const ssePayload = (event: string): string => event.split('\n').find((line) => line.startsWith('data: '))!.slice(6)

function sse(file: string, carries: (event: Record<string, unknown>) => boolean): Stream {
  const events = fixture(file).toString('utf8').split(/(?<=\r?\n\r?\n)/).filter((e) => e.trim() !== '')
  return {
    events: events.map((e) => Buffer.from(e)),
    content: events.map((e) => {
      const data = ssePayload(e)
      return data !== '[DONE]' && carries(JSON.parse(data) as Record<string, unknown>)
    }),
  }
}

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const openAiChunk = (e: Json): boolean =>
  (e.choices as Json[] | undefined)?.some((c) => (typeof c.delta?.content === 'string' && c.delta.content !== '') || c.delta?.tool_calls !== undefined) ?? false
const responsesEvent = (e: Json): boolean => e.type === 'response.output_text.delta' || e.type === 'response.function_call_arguments.delta'
const geminiChunk = (e: Json): boolean =>
  (e.candidates as Json[] | undefined)?.some((c) => (c.content?.parts as Json[] | undefined)?.some((p) => (typeof p.text === 'string' && p.text !== '') || p.functionCall !== undefined)) ?? false
const llamaEvent = (e: Json): boolean => (e.event?.delta?.type === 'text' && e.event.delta.text !== '') || e.event?.delta?.type === 'tool_call'
const anthropicEvent = (e: Json): boolean => e.type === 'content_block_delta'

function geminiArray(): Stream {
  const parsed = JSON.parse(fixture('gemini/stream-generate-content.json').toString()) as Json[]
  const events = parsed.map((e, i) => Buffer.from(`${i === 0 ? '[' : ','}${JSON.stringify(e)}${i === parsed.length - 1 ? ']' : ''}`))
  return { events, content: parsed.map(geminiChunk) }
}

function converseStream(): Stream {
  const events = JSON.parse(fixture('bedrock/converse-stream.events.json').toString()) as Array<{ type: string; body: unknown }>
  return { events: events.map((e) => eventFrame(e.type, e.body)), content: events.map((e) => e.type === 'contentBlockDelta') }
}

function invokeStream(): Stream {
  const chunks = JSON.parse(fixture('bedrock/invoke-stream.events.json').toString()) as Json[]
  return {
    events: chunks.map((c) => eventFrame('chunk', { bytes: Buffer.from(JSON.stringify(c)).toString('base64') })),
    content: chunks.map(anthropicEvent),
  }
}

function anthropicSse(): Stream {
  const events: Json[] = [
    { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', content: [], usage: { input_tokens: 12, output_tokens: 1 } } },
    { type: 'ping' },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } },
    { type: 'content_block_stop', index: 0 },
    { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 4 } },
    { type: 'message_stop' },
  ]
  return { events: events.map((e) => Buffer.from(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`)), content: events.map(anthropicEvent) }
}

const stream = (name: string, model: string, streamFormat: Operation['streamFormat']): Operation => ({ name, model, stream: true, streamFormat })

const cases: Array<[string, () => UsageReader, () => Stream]> = [
  ['OpenAI chat', () => openai.createUsageReader(stream('chat.completions', 'gpt-4o-mini', 'sse'), 200, {}), () => sse('openai/chat-completion-stream.sse', openAiChunk)],
  ['OpenAI Responses', () => openai.createUsageReader(stream('responses', 'gpt-4.1', 'sse'), 200, {}), () => sse('openai/responses-stream.sse', responsesEvent)],
  ['Gemini SSE', () => gemini.createUsageReader(stream('streamGenerateContent', 'gemini-2.0-flash', 'sse'), 200, {}), () => sse('gemini/stream-generate-content.sse', geminiChunk)],
  ['Gemini JSON array', () => gemini.createUsageReader(stream('streamGenerateContent', 'gemini-2.0-flash', 'json-array'), 200, {}), geminiArray],
  ['Vertex Gemini', () => vertex.createUsageReader(stream('streamGenerateContent', 'gemini-2.0-flash', 'sse'), 200, {}), () => sse('gemini/stream-generate-content.sse', geminiChunk)],
  ['Llama native', () => llama.createUsageReader(stream('chat.completions', 'Llama-4', 'sse'), 200, {}), () => sse('llama/chat-completion-stream.sse', llamaEvent)],
  ['Llama compat', () => llama.createUsageReader(stream('compat.chat.completions', 'Llama-4', 'sse'), 200, {}), () => sse('llama/compat-chat-completion-stream.sse', openAiChunk)],
  ['Bedrock ConverseStream', () => bedrock.createUsageReader(stream('converse-stream', 'anthropic.claude', 'eventstream'), 200, {}), converseStream],
  ['Bedrock InvokeModelWithResponseStream', () => bedrock.createUsageReader(stream('invoke-stream', 'anthropic.claude', 'eventstream'), 200, {}), invokeStream],
  ['Anthropic on Vertex', () => vertex.createUsageReader(stream('streamRawPredict', 'claude-sonnet-4', 'sse'), 200, {}), anthropicSse],
]

describe('contentStarted per dialect', () => {
  describe.each(cases)('%s', (_name, reader, build) => {
    const { events, content } = build()
    const first = content.indexOf(true)
    it('has a first content event (the fixture is usable)', () => {
      expect(first).toBeGreaterThanOrEqual(0)
    })
    const through = Buffer.concat(events.slice(0, first + 1))
    // An SSE line may end in a lone CR: after `\r\n\r` the event is complete, its last `\n` to come.
    const end = through.length - (through.subarray(-4).toString() === '\r\n\r\n' ? 1 : 0)
    it.each(chunkings(Buffer.concat(events), 4))('%s: false before the first content event, true once it is read', (_label, chunks) => {
      const usage = reader()
      let read = 0
      for (const chunk of chunks) {
        usage.push(chunk)
        read += chunk.length
        // Every byte of the events before it is in, and not all of the first content event.
        if (read < end) expect(usage.contentStarted ?? false).toBe(false)
        else expect(usage.contentStarted).toBe(true)
      }
    })
  })

  it('stays false over a whole stream without output content (a role chunk and usage only)', () => {
    const reader = openai.createUsageReader(stream('chat.completions', 'gpt-4o-mini', 'sse'), 200, {})
    reader.push(Buffer.from('data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}\n\n'))
    reader.push(Buffer.from('data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n'))
    reader.push(Buffer.from('data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":0,"total_tokens":3}}\n\ndata: [DONE]\n\n'))
    expect(reader.contentStarted).toBe(false)
    expect(reader.result()).toMatchObject({ inputTokens: 3, outputTokens: 0 })
  })

  it('leaves it out for a non-streamed answer (time to first token is for streams)', () => {
    const reader = openai.createUsageReader({ name: 'chat.completions', model: 'gpt-4o', stream: false, streamFormat: 'none' }, 200, {})
    reader.push(fixture('openai/chat-completion.json'))
    expect(reader.contentStarted).toBeUndefined()
  })
})

describe('probes', () => {
  const b = (text: string): Buffer => Buffer.from(text)
  it.each([
    ['a text delta', '{"delta":{"content":"Hi"}}', true],
    ['spaces around the colon', '{"delta":{"content" :  "Hi"}}', true],
    ['an empty string', '{"delta":{"role":"assistant","content":""}}', false],
    ['null', '{"delta":{"content":null}}', false],
    ['an array (a Responses object)', '{"response":{"output":[{"content":[]}]}}', false],
    ['the key escaped inside another string', '{"delta":{"refusal":"say \\"content\\": \\"x\\""}}', false],
    ['the word as a value', '{"type":"content"}', false],
    ['a tool call', '{"delta":{"tool_calls":[{"index":0}]}}', true],
  ])('OpenAI: %s', (_name, event, expected) => {
    expect(openAiContent(b(event))).toBe(expected)
  })

  it.each([
    ['a text part', '{"candidates":[{"content":{"parts":[{"text":"Once"}]}}]}', true],
    ['an empty text part', '{"candidates":[{"content":{"parts":[{"text":""}]}}]}', false],
    ['a function call', '{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f"}}]}}]}', true],
    ['usage only', '{"usageMetadata":{"promptTokenCount":9}}', false],
  ])('Gemini: %s', (_name, event, expected) => {
    expect(geminiContent(b(event))).toBe(expected)
  })

  it.each([
    ['start with empty text', '{"event":{"event_type":"start","delta":{"type":"text","text":""}}}', false],
    ['progress text', '{"event":{"event_type":"progress","delta":{"type":"text","text":"Hi"}}}', true],
    ['a tool call delta', '{"event":{"event_type":"progress","delta":{"type":"tool_call","function":{"name":"f"}}}}', true],
  ])('Llama: %s', (_name, event, expected) => {
    expect(llamaContent(b(event))).toBe(expected)
  })

  it('Anthropic: only content_block_delta', () => {
    expect(anthropicContent(b('{"type":"content_block_start","content_block":{"type":"text","text":""}}'))).toBe(false)
    expect(anthropicContent(b('{"type":"content_block_delta","delta":{"type":"text_delta","text":"x"}}'))).toBe(true)
  })

  it('nonEmptyString and quoted at the end of a buffer', () => {
    expect(nonEmptyString('text')(b('{"text":'))).toBe(false)
    expect(nonEmptyString('text')(b('{"text":"'))).toBe(false)
    expect(quoted('x')(b('"x"'))).toBe(true)
  })
})
