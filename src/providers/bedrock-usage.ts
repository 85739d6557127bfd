// Usage from Bedrock Runtime responses: Converse's JSON `usage`, ConverseStream's `metadata` event,
// InvokeModel's `x-amzn-bedrock-*-token-count` headers, and InvokeModelWithResponseStream's
// `chunk` events, whose base64 `bytes` hold the model's own JSON plus, in the last one,
// `amazon-bedrock-invocationMetrics`. Bedrock counts cache reads and writes apart from
// `inputTokens`; they are added back so that input counts every prompt token (see usage.ts).
import type { IncomingHttpHeaders } from 'node:http'
import type { Operation, Usage, UsageReader } from '../core/wire.js'
import { isObject, tokenCount } from './request.js'
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

function converseStreamUsage(message: EventStreamMessage): Usage | undefined {
  return eventType(message) === 'metadata' ? findUsage(bodyOf(message), USAGE_KEY, converseUsage) : undefined
}

function invokeStreamUsage(message: EventStreamMessage): Usage | undefined {
  if (eventType(message) !== 'chunk') return undefined
  try {
    const payload: unknown = JSON.parse(bodyOf(message).toString('utf8'))
    if (!isObject(payload) || typeof payload.bytes !== 'string') return undefined
    return findUsage(Buffer.from(payload.bytes, 'base64'), METRICS_KEY, invocationMetrics)
  } catch {
    return undefined
  }
}

class EventStreamUsage implements UsageReader {
  #usage: Usage | undefined
  readonly #decoder: EventStreamDecoder

  constructor(read: (message: EventStreamMessage) => Usage | undefined) {
    this.#decoder = new EventStreamDecoder((message) => {
      this.#usage = read(message) ?? this.#usage
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
