// fast-check arbitraries shared by the property tests: a body cut into any
// chunks a socket might deliver, bytes biased towards a format's own tokens, chunks that share one
// backing buffer (to catch a reader writing into what it was handed), and the recorded provider
// streams of test/fixtures/providers framed as the providers send them.
import { EventStreamCodec } from '@smithy/eventstream-codec'
import { fromUtf8, toUtf8 } from '@smithy/util-utf8'
import fc from 'fast-check'
import { fixture } from '../fixtures/providers/helpers.js'

/**
 * Every property runs from this seed, so CI replays the same cases. Set FC_SEED to explore others;
 * a failure prints its seed and path, which `{ seed, path }` in fc.assert replay.
 */
export const PROPERTY_SEED = process.env.FC_SEED === undefined ? 1012 : Number(process.env.FC_SEED)

/** fc.assert options: `numRuns` cases from the shared seed. */
export function runs(numRuns: number): { numRuns: number; seed: number } {
  return { numRuns, seed: PROPERTY_SEED }
}

/** `body` cut at `cuts` (any order, repeats make empty chunks); each piece is its own copy. */
export function cutAt(body: Buffer, cuts: readonly number[]): Buffer[] {
  const points = cuts.map((cut) => cut % (body.length + 1)).sort((a, b) => a - b)
  const pieces: Buffer[] = []
  let from = 0
  for (const at of points) {
    pieces.push(Buffer.from(body.subarray(from, at)))
    from = at
  }
  pieces.push(Buffer.from(body.subarray(from)))
  return pieces
}

/** Cut points for any body: arbitrary ones (reduced modulo its length), or every `n` bytes. */
export interface Cutting {
  readonly cuts: readonly number[]
  readonly every: number | undefined
}

export const cutting: fc.Arbitrary<Cutting> = fc.oneof(
  fc.record({ cuts: fc.array(fc.nat(), { maxLength: 48 }), every: fc.constant(undefined) }),
  fc.record({ cuts: fc.constant([]), every: fc.integer({ min: 1, max: 24 }) }),
)

export function cutBy(body: Buffer, { cuts, every }: Cutting): Buffer[] {
  if (every === undefined) return cutAt(body, cuts)
  const points: number[] = []
  for (let at = every; at < body.length; at += every) points.push(at)
  return cutAt(body, points)
}

/** Any chunking of a fixed body. */
export function chunksOf(body: Buffer): fc.Arbitrary<Buffer[]> {
  return cutting.map((c) => cutBy(body, c))
}

/** Bytes made of a format's tokens and short runs of arbitrary bytes between them. */
export function bytesOf(tokens: readonly string[], maxParts = 40): fc.Arbitrary<Buffer> {
  const token = fc.constantFrom(...tokens.map((t) => Buffer.from(t)))
  const noise = fc.uint8Array({ maxLength: 6 }).map((bytes) => Buffer.from(bytes))
  return fc.array(fc.oneof({ arbitrary: token, weight: 3 }, { arbitrary: noise, weight: 1 }), { maxLength: maxParts }).map((parts) => Buffer.concat(parts))
}

/** Entirely arbitrary bytes. */
export const anyBytes: fc.Arbitrary<Buffer> = fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes))

interface Edit {
  readonly at: number
  readonly kind: 'set' | 'insert' | 'delete'
  readonly byte: number
}

const edit: fc.Arbitrary<Edit> = fc.record({ at: fc.nat(), kind: fc.constantFrom('set', 'insert', 'delete'), byte: fc.integer({ min: 0, max: 255 }) })

/** A valid body with a few bytes set, inserted or deleted: near-valid input reaches deeper than noise. */
export function mutated(body: Buffer, maxEdits = 4): fc.Arbitrary<Buffer> {
  return fc.array(edit, { minLength: 1, maxLength: maxEdits }).map((edits) => {
    const bytes = [...body]
    for (const { at, kind, byte } of edits) {
      const i = at % (bytes.length + 1)
      if (kind === 'insert') bytes.splice(i, 0, byte)
      else if (i < bytes.length) {
        if (kind === 'set') bytes[i] = byte
        else bytes.splice(i, 1)
      }
    }
    return Buffer.from(bytes)
  })
}

/**
 * The chunks as views of one backing buffer, each between guard bytes, as pooled socket reads can
 * be: comparing `backing` before and after shows a reader wrote neither into a chunk nor past it.
 */
export function pooled(chunks: readonly Buffer[]): { chunks: Buffer[]; backing: Buffer } {
  const size = chunks.reduce((sum, chunk) => sum + chunk.length + 1, 1)
  const backing = Buffer.alloc(size, 0xa5)
  const views: Buffer[] = []
  let at = 1
  for (const chunk of chunks) {
    chunk.copy(backing, at)
    views.push(backing.subarray(at, at + chunk.length))
    at += chunk.length + 1
  }
  return { chunks: views, backing }
}

/**
 * A token count as an upstream might state it: usually a count, at times anything JSON holds,
 * including numbers past 2^53 − 1, which readers must ignore (tokenCount) so sums stay finite.
 */
export const statedCount: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.nat(), weight: 2 },
  fc.double({ min: 0, noNaN: true }),
  fc.constant(Number.MAX_SAFE_INTEGER),
  fc.jsonValue({ maxDepth: 1 }),
)

/** A usage object with any of the count fields the four providers use (OpenAI, Bedrock, Gemini, invocation metrics). */
export const usageCounts: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    prompt_tokens: statedCount,
    completion_tokens: statedCount,
    input_tokens: statedCount,
    output_tokens: statedCount,
    prompt_tokens_details: fc.record({ cached_tokens: statedCount }),
    completion_tokens_details: fc.record({ reasoning_tokens: statedCount }),
    inputTokens: statedCount,
    outputTokens: statedCount,
    cacheReadInputTokens: statedCount,
    cacheWriteInputTokens: statedCount,
    promptTokenCount: statedCount,
    candidatesTokenCount: statedCount,
    thoughtsTokenCount: statedCount,
    toolUsePromptTokenCount: statedCount,
    cachedContentTokenCount: statedCount,
    inputTokenCount: statedCount,
    outputTokenCount: statedCount,
    cacheReadInputTokenCount: statedCount,
    cacheWriteInputTokenCount: statedCount,
  },
  { requiredKeys: [] },
)

/** A Llama `metrics` array. */
export const llamaMetrics: fc.Arbitrary<unknown[]> = fc.array(
  fc.record({ metric: fc.constantFrom('num_prompt_tokens', 'num_completion_tokens', 'num_total_tokens'), value: statedCount }),
  { maxLength: 3 },
)

/** Checks a Usage is four finite, non-negative counts (core/wire.ts). */
export function isWellFormedUsage(usage: unknown): string | undefined {
  if (usage === undefined) return undefined
  if (typeof usage !== 'object' || usage === null) return `usage is ${String(usage)}`
  const keys = Object.keys(usage).sort().join()
  if (keys !== 'cachedTokens,inputTokens,outputTokens,reasoningTokens') return `usage has keys ${keys}`
  for (const [name, value] of Object.entries(usage)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return `${name} is ${String(value)}`
  }
  return undefined
}

const codec = new EventStreamCodec(toUtf8, fromUtf8)

/** One `application/vnd.amazon.eventstream` message with string headers. */
export function eventFrame(headers: Readonly<Record<string, string>>, body: Buffer | string): Buffer {
  const encoded = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, { type: 'string' as const, value }]))
  return Buffer.from(codec.encode({ headers: encoded, body: typeof body === 'string' ? fromUtf8(body) : body }))
}

/** A Bedrock stream event as ConverseStream and InvokeModelWithResponseStream frame it. */
export function bedrockEvent(eventType: string, payload: unknown): Buffer {
  return eventFrame({ ':event-type': eventType, ':content-type': 'application/json', ':message-type': 'event' }, JSON.stringify(payload))
}

/** ConverseStream: one frame per event of the fixture. */
export function converseStreamFixture(): Buffer {
  const events = JSON.parse(fixture('bedrock/converse-stream.events.json').toString()) as Array<{ type: string; body: unknown }>
  return Buffer.concat(events.map((e) => bedrockEvent(e.type, e.body)))
}

/** InvokeModelWithResponseStream: `chunk` frames whose `bytes` are the model's base64 JSON. */
export function invokeStreamFixture(): Buffer {
  const chunks = JSON.parse(fixture('bedrock/invoke-stream.events.json').toString()) as unknown[]
  return Buffer.concat(chunks.map((c) => bedrockEvent('chunk', { bytes: Buffer.from(JSON.stringify(c)).toString('base64'), p: 'abcdefgh' })))
}
