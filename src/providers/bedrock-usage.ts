// Usage from Bedrock Runtime responses: Converse's JSON `usage`, ConverseStream's `metadata` event,
// InvokeModel's `x-amzn-bedrock-*-token-count` headers, and InvokeModelWithResponseStream's
// `chunk` events, whose base64 `bytes` hold the model's own JSON plus, in the last one,
// `amazon-bedrock-invocationMetrics`. Bedrock counts cache reads and writes apart from
// `inputTokens`; they are added back so that input counts every prompt token (see usage.ts).
import type { IncomingHttpHeaders } from 'node:http'
import type { Operation, Usage, UsageReader } from '../core/wire.js'
import { isObject, tokenCount } from './request.js'
import { invokeChunkContent } from './streams/content-probe.js'
import { EventStreamDecoder, type EventStreamMessage } from './streams/eventstream.js'
import { NO_USAGE, count, findUsage, jsonUsageReader, readableBody, usageKey } from './usage.js'

const USAGE_KEY = usageKey('usage')
const METRICS_KEY = usageKey('amazon-bedrock-invocationMetrics')

function usage(input: number | undefined, output: number | undefined, cacheRead: unknown, cacheWrite: unknown): Usage | undefined {
  if (input === undefined && output === undefined) return undefined
  const cached = count(cacheRead)
  return { inputTokens: (input ?? 0) + cached + count(cacheWrite), outputTokens: output ?? 0, cachedTokens: cached, reasoningTokens: 0 }
}

function converseUsage(value: unknown): Usage | undefined {
  if (!isObject(value)) return undefined
  return usage(tokenCount(value.inputTokens), tokenCount(value.outputTokens), value.cacheReadInputTokens, value.cacheWriteInputTokens)
}

function invocationMetrics(value: unknown): Usage | undefined {
  if (!isObject(value)) return undefined
  const { inputTokenCount, outputTokenCount, cacheReadInputTokenCount, cacheWriteInputTokenCount } = value
  return usage(tokenCount(inputTokenCount), tokenCount(outputTokenCount), cacheReadInputTokenCount, cacheWriteInputTokenCount)
}

function headerCount(headers: IncomingHttpHeaders, name: string): number | undefined {
  const value = headers[name]
  return typeof value === 'string' && value !== '' ? tokenCount(Number(value)) : undefined
}

function headerUsage(headers: IncomingHttpHeaders): UsageReader {
  const found = usage(
    headerCount(headers, 'x-amzn-bedrock-input-token-count'),
    headerCount(headers, 'x-amzn-bedrock-output-token-count'),
    headerCount(headers, 'x-amzn-bedrock-cache-read-input-token-count'),
    headerCount(headers, 'x-amzn-bedrock-cache-write-input-token-count'),
  )
  return found === undefined ? NO_USAGE : { push() {}, result: () => found }
}

function eventType(message: EventStreamMessage): string | undefined {
  const header = message.headers[':event-type']
  return header?.type === 'string' ? header.value : undefined
}

function bodyOf(message: EventStreamMessage): Buffer {
  const { body } = message
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength)
}

/** A message's usage, if it states one; `reader.contentStarted` is set by the first one carrying output content. */
type MessageUsage = (message: EventStreamMessage, reader: EventStreamUsage) => Usage | undefined

const converseStreamUsage: MessageUsage = (message, reader) => {
  const type = eventType(message)
  if (type === 'contentBlockDelta') reader.contentStarted = true
  return type === 'metadata' ? findUsage(bodyOf(message), USAGE_KEY, converseUsage) : undefined
}

const invokeStreamUsage: MessageUsage = (message, reader) => {
  if (eventType(message) !== 'chunk') return undefined
  try {
    const payload: unknown = JSON.parse(bodyOf(message).toString('utf8'))
    if (!isObject(payload) || typeof payload.bytes !== 'string') return undefined
    const model = Buffer.from(payload.bytes, 'base64')
    if (!reader.contentStarted) reader.contentStarted = invokeChunkContent(model)
    return findUsage(model, METRICS_KEY, invocationMetrics)
  } catch {
    return undefined
  }
}

class EventStreamUsage implements UsageReader {
  #usage: Usage | undefined
  readonly #decoder: EventStreamDecoder
  contentStarted = false

  constructor(read: MessageUsage) {
    this.#decoder = new EventStreamDecoder((message) => {
      this.#usage = read(message, this) ?? this.#usage
    })
  }

  push(chunk: Buffer): void {
    this.#decoder.push(chunk)
  }

  result(): Usage | undefined {
    return this.#usage
  }
}

export function bedrockUsageReader(operation: Operation, status: number, headers: IncomingHttpHeaders): UsageReader {
  if (!readableBody(status, headers)) return NO_USAGE
  switch (operation.name) {
    case 'converse':
      return jsonUsageReader(USAGE_KEY, converseUsage)
    case 'converse-stream':
      return new EventStreamUsage(converseStreamUsage)
    case 'invoke':
      return headerUsage(headers)
    case 'invoke-stream':
      return new EventStreamUsage(invokeStreamUsage)
    default:
      // count-tokens bills nothing.
      return NO_USAGE
  }
}
