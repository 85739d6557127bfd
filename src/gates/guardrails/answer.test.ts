// The answer guard over the real passthrough sink, with every split a network can make: each
// fixture's text split across two stream events at every character of the secret, and the
// stream's bytes cut into two writes at every byte position. In block mode no part of a secret
// reaches the client, whatever the split; in log-only mode the client's bytes are exactly the
// upstream's. For OpenAI's SSE and Bedrock's binary event stream (frames from the emulator's
// own encoder).
import { describe, expect, it } from 'vitest'
import { RecordingChannel } from '../../../test/support/channel.js'
import type { GuardrailState, RequestFacts } from '../../core/facts.js'
import type { Leg, Mount } from '../../core/target.js'
import type { Operation, ProviderType } from '../../core/wire.js'
import { eventFrame } from '../../emulators/bedrock-stream.js'
import { adapters } from '../../providers/index.js'
import { PassthroughSink } from '../../upstream/passthrough.js'
import { UsageTally } from '../../upstream/usage-tally.js'
import { AnswerGuard, SCAN_EVERY } from './answer.js'
import { compileGuardrails } from './compile.js'
import { GuardrailsSchema } from './schema.js'
import { Value } from '@sinclair/typebox/value'

const SECRETS = [
  ['credentials', 'AKIAQ3EGRN5LP7XKZ2VD'],
  ['credentials', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
  ['credentials', '-----BEGIN RSA PRIVATE KEY-----'],
  ['pii', '4111 1111 1111 1111'],
  ['pii', 'jane.doe@example.com'],
  ['pii', 'GB82 WEST 1234 5698 7654 32'],
] as const

// Block on every detector, answers only, so each fixture is the answer's to stop.
const config = Value.Default(GuardrailsSchema, {
  pii: { action: 'block', on: ['response'] },
  credentials: { action: 'block', on: ['response'] },
  injection: { enabled: false },
}) as Parameters<typeof compileGuardrails>[0]
const guardrails = compileGuardrails(config)

function legFor(type: ProviderType, operation: Operation): Leg {
  const mount = { name: type, config: { type, auth: 'client' }, adapter: adapters[type] } as unknown as Mount
  return { target: { id: `${type}/m`, mount, model: operation.model } as Leg['target'], request: { method: 'POST', path: '/', query: '', headers: {}, body: Buffer.alloc(0) }, operation }
}

const OPENAI: Operation = { name: 'chat.completions', model: 'gpt-4o-mini', stream: true, streamFormat: 'sse' }
const CONVERSE: Operation = { name: 'converse-stream', model: 'anthropic.claude-3-haiku-20240307-v1:0', stream: true, streamFormat: 'eventstream' }

const sse = (deltas: readonly string[]): Buffer =>
  Buffer.from(deltas.map((content) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] })}\n\n`).join('') + 'data: [DONE]\n\n')

const eventStream = (deltas: readonly string[]): Buffer =>
  Buffer.concat(deltas.map((text) => Buffer.from(eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text } }))))

const guardrailCode = (secret: string): string => (SECRETS.find(([, s]) => s === secret)![0] === 'pii' ? 'SLUICE_ERR_GUARDRAIL_PII' : 'SLUICE_ERR_GUARDRAIL_CREDENTIALS')

/**
 * How the guard gets a stream's events: its own decoder, or the usage reader's (as upstream/attempt.ts
 * hands it over: each chunk is pushed to the reader, then written to the sink).
 */
type Events = 'own decoder' | 'usage reader'

/** Runs one answer through the guard: `before` as they are, then `bytes` in two writes cut at `cut`; the channel. */
function run(mode: GuardrailState['mode'], leg: Leg, bytes: Buffer, cut: number, before: readonly Buffer[] = [], events: Events = 'own decoder'): RecordingChannel {
  const channel = new RecordingChannel()
  const facts = { requestId: 'r', guardrails: { mode, events: [] } } as unknown as RequestFacts
  const sink = AnswerGuard.wrap(guardrails, new PassthroughSink(channel, leg, {}, 'r'), facts, leg)
  const headers = { 'content-type': 'text/event-stream' }
  sink.head(200, headers)
  const reader = events === 'usage reader' ? new UsageTally(leg.target.mount.adapter.createUsageReader(leg.operation, 200, headers), true, 0) : undefined
  if (reader !== undefined) sink.usageReader?.(reader)
  const write = (part: Buffer): void => {
    reader?.push(part)
    sink.write(part)
  }
  for (const part of before) write(part)
  write(bytes.subarray(0, cut))
  if (!sink.failed) write(bytes.subarray(cut))
  if (!sink.failed) sink.end()
  return channel
}

describe.each([
  ['OpenAI SSE', legFor('openai', OPENAI), sse, 'own decoder'],
  ['OpenAI SSE', legFor('openai', OPENAI), sse, 'usage reader'],
  ['Bedrock event stream', legFor('bedrock', CONVERSE), eventStream, 'own decoder'],
  ['Bedrock event stream', legFor('bedrock', CONVERSE), eventStream, 'usage reader'],
] as const)('answer guard, %s, events from the %s', (_name, leg, encode, events) => {
  it.each(SECRETS)('block mode stops a %s secret split anywhere, before any of it is sent', (_detector, secret) => {
    const before = 'The value you asked for is '
    const text = `${before}${secret} and that is all.`
    let runs = 0
    for (let k = before.length; k <= before.length + secret.length; k++) {
      const bytes = encode([text.slice(0, k), text.slice(k)])
      for (let cut = 0; cut <= bytes.length; cut++) {
        const channel = run('block', leg, bytes, cut, [], events)
        runs++
        expect(channel.body.includes(secret.slice(0, 8)), `split at ${k}, cut at ${cut}`).toBe(false)
        // Refused before anything went out: the client got Sluice's error, not a stream.
        expect(channel.status).toBe(400)
      }
    }
    expect(runs).toBeGreaterThan(secret.length * 50)
  })

  it.each(SECRETS)('block mode stops a %s secret split anywhere after 1.5 KiB of text went out, in the stream\'s framing', (_detector, secret) => {
    // Lead text past the hold-back, one event a write: it is released before the secret comes.
    const lead = 'Nothing to see in this part of it. '.repeat(44)
    const leadWrites = lead.match(/.{1,40}/gs)!.map((piece) => encode([piece]))
    const text = `${secret} and that is all.`
    // Every split of the secret across two events, sent whole; and every byte cut of the split in its middle.
    const middle = Math.floor(secret.length / 2)
    const cases: Array<[number, number]> = []
    for (let k = 0; k <= secret.length; k++) cases.push([k, encode([text.slice(0, k), text.slice(k)]).length])
    for (let cut = 0; cut <= encode([text.slice(0, middle), text.slice(middle)]).length; cut++) cases.push([middle, cut])
    for (const [k, cut] of cases) {
      const bytes = encode([text.slice(0, k), text.slice(k)])
      {
        const channel = run('block', leg, bytes, cut, leadWrites, events)
        const body = Buffer.concat(channel.chunks).toString('latin1')
        expect(body.includes(secret.slice(0, 8)), `split at ${k}, cut at ${cut}`).toBe(false)
        expect(channel.status).toBe(200)
        expect(body).toContain('Nothing to see')
        expect(body).toContain(guardrailCode(secret))
      }
    }
  })

  it.each(SECRETS)('log-only mode passes a %s secret byte for byte, whatever the split', (_detector, secret) => {
    const text = `Here: ${secret}. Done.`
    for (let k = 0; k <= text.length; k += 3) {
      const bytes = encode([text.slice(0, k), text.slice(k)])
      for (let cut = 0; cut <= bytes.length; cut += 7) {
        const channel = run('log-only', leg, bytes, cut, [], events)
        expect(channel.status).toBe(200)
        expect(Buffer.concat(channel.chunks).equals(bytes), `split at ${k}, cut at ${cut}`).toBe(true)
      }
    }
  })
})

describe('answer guard, events from the usage reader', () => {
  it('scans the events the usage reader is pushed, not its own split of the writes', () => {
    // What upstream/attempt.ts guarantees (every chunk goes to the reader, then to the sink) is
    // what makes taking the reader's events safe; here the reader is pushed something else, to
    // show which one is scanned.
    const leg = legFor('openai', OPENAI)
    const channel = new RecordingChannel()
    const facts = { requestId: 'r', guardrails: { mode: 'block', events: [] } } as unknown as RequestFacts
    const sink = AnswerGuard.wrap(guardrails, new PassthroughSink(channel, leg, {}, 'r'), facts, leg)
    const headers = { 'content-type': 'text/event-stream' }
    sink.head(200, headers)
    const reader = new UsageTally(leg.target.mount.adapter.createUsageReader(leg.operation, 200, headers), true, 0)
    sink.usageReader!(reader)
    reader.push(sse(['the key is AKIAQ3EGRN5LP7XKZ2VD']))
    sink.write(sse(['nothing here']))
    // A short answer's text is scanned at its end (answer.ts SCAN_EVERY).
    sink.end()
    expect(channel.status).toBe(400)
    expect(channel.body).toContain('SLUICE_ERR_GUARDRAIL_CREDENTIALS')
  })

  it('keeps its own split when the reader is handed over after the first write, or feeds nothing itself', () => {
    const leg = legFor('openai', OPENAI)
    const headers = { 'content-type': 'text/event-stream' }
    for (const feedReader of [true, false]) {
      const channel = new RecordingChannel()
      const facts = { requestId: 'r', guardrails: { mode: 'block', events: [] } } as unknown as RequestFacts
      const sink = AnswerGuard.wrap(guardrails, new PassthroughSink(channel, leg, {}, 'r'), facts, leg)
      sink.head(200, headers)
      // A unified sink feeds its own reader later (feedReader false): its events are not on time.
      const reader = new UsageTally(leg.target.mount.adapter.createUsageReader(leg.operation, 200, headers), feedReader, 0)
      if (feedReader) sink.write(sse(['Hello, ']).subarray(0, -'data: [DONE]\n\n'.length))
      sink.usageReader!(reader)
      sink.write(sse(['the key is AKIAQ3EGRN5LP7XKZ2VD']))
      sink.end()
      expect(channel.body, `feedReader ${feedReader}`).toContain('SLUICE_ERR_GUARDRAIL_CREDENTIALS')
      expect(channel.body).not.toContain('AKIA')
    }
  })
})

describe('answer guard, mid-stream', () => {
  it('scans a stream shorter than the hold-back once SCAN_EVERY characters wait, before its end', () => {
    const channel = new RecordingChannel()
    const facts = { requestId: 'r', guardrails: { mode: 'block', events: [] } } as unknown as RequestFacts
    const leg = legFor('openai', OPENAI)
    const sink = AnswerGuard.wrap(guardrails, new PassthroughSink(channel, leg, {}, 'r'), facts, leg)
    sink.head(200, {})
    const event = (delta: string): Buffer => sse([delta]).subarray(0, -'data: [DONE]\n\n'.length)
    const secret = 'the key is AKIAQ3EGRN5LP7XKZ2VD'
    sink.write(event(secret))
    let written = secret.length
    // Below SCAN_EVERY characters the text waits: nothing scanned, nothing sent.
    while (written + 10 < SCAN_EVERY) {
      sink.write(event(' 123456789'))
      written += 10
    }
    expect(sink.failed).toBe(false)
    expect(channel.started).toBe(false)
    sink.write(event(' 123456789'))
    // Then it is scanned, and as nothing went out yet the refusal is a dialect error.
    expect(sink.failed).toBe(true)
    expect(channel.status).toBe(400)
    expect(channel.body).toContain('SLUICE_ERR_GUARDRAIL_CREDENTIALS')
    expect(channel.body).not.toContain('AKIA')
  })

  it('releases safe text, then ends the stream in its own framing when a secret comes later', async () => {
    const lead = 'Plain words go here. '.repeat(80)
    const deltas = [...lead.match(/.{1,40}/gs)!, 'and the key is AKIAQ3EGRN5LP7XKZ2VD', ' thanks.']
    const channel = new RecordingChannel()
    const facts = { requestId: 'r', guardrails: { mode: 'block', events: [] } } as unknown as RequestFacts
    const leg = legFor('openai', OPENAI)
    const sink = AnswerGuard.wrap(guardrails, new PassthroughSink(channel, leg, {}, 'r'), facts, leg)
    sink.head(200, {})
    for (const delta of deltas) if (!sink.failed) sink.write(sse([delta]).subarray(0, -'data: [DONE]\n\n'.length))
    await new Promise((resolve) => setImmediate(resolve))
    expect(channel.status).toBe(200)
    expect(channel.body).toContain('Plain words')
    expect(channel.body).not.toContain('AKIA')
    expect(channel.body).toContain('SLUICE_ERR_GUARDRAIL_CREDENTIALS')
    expect(channel.failed).toBe(true)
    expect(facts.guardrails!.events).toEqual([expect.objectContaining({ detector: 'credentials', side: 'response', outcome: 'blocked' })])
  })
})
