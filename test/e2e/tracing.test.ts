// OTLP traces (docs/observability.md): Sluice with `telemetry.tracing` on exports to a real local
// collector over OTLP/HTTP JSON. Each request is one SERVER span with the GenAI attributes,
// continuing the client's valid `traceparent`; each upstream attempt is a CLIENT child (a retried
// call has two); a malformed traceparent starts a trace of its own; an unsampled parent is
// respected; the collector token is sent on export and never shown by /v1/config.
import OpenAI, { APIError } from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCollector, type CollectedSpan, type Collector } from '../support/otlp-collector.js'
import { rejectionOf } from '../support/rejection.js'
import { CLIENT, startStack, type Stack } from '../support/stack.js'

const ADMIN_TOKEN = 'tracing-admin-token-0123456789'
const COLLECTOR_TOKEN = 'collector-token-not-for-logs-42'
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const PARENT = '00f067aa0ba902b7'
const RETRY_TRACE = '0af7651916cd43dd8448eb211c80319c'
const RETRY_PARENT = 'b7ad6b7169203331'

let collector: Collector
let stack: Stack
const ids: Record<string, string> = {}
let usage: { prompt_tokens: number; completion_tokens: number }
let configText = ''

const client = (traceparent?: string): OpenAI =>
  new OpenAI({
    baseURL: `${stack.sluice.dataUrl}/openai/v1`,
    apiKey: CLIENT.credentials.apiKey,
    maxRetries: 0,
    defaultHeaders: traceparent === undefined ? {} : { traceparent },
  })
const chat = (model = 'gpt-4o-mini') => ({ model, messages: [{ role: 'user' as const, content: 'hello there' }] })

beforeAll(async () => {
  collector = await startCollector()
  stack = await startStack({
    configure(config) {
      config.admin = { host: '127.0.0.1', port: 0, tokens: [{ name: 'ops', token: ADMIN_TOKEN, role: 'admin' }] }
      config.telemetry = { tracing: { enabled: true, endpoint: collector.url, headers: { 'x-collector-token': COLLECTOR_TOKEN }, serviceName: 'sluice-under-test' } }
    },
  })
  const traced = await client(`00-${TRACE}-${PARENT}-01`).chat.completions.create(chat()).withResponse()
  ids.traced = traced.response.headers.get('x-sluice-request-id')!
  usage = traced.data.usage!
  // A reset before the answer: Sluice retries once, invisibly.
  stack.emulators.openai.script.enqueue({ reset: true })
  const retried = await client(`00-${RETRY_TRACE}-${RETRY_PARENT}-01`).chat.completions.create(chat()).withResponse()
  expect(retried.response.headers.get('x-sluice-attempts')).toBe('2')
  ids.retried = retried.response.headers.get('x-sluice-request-id')!
  const malformed = await client('00-not-a-trace-context-01').chat.completions.create(chat('gpt-4.1')).withResponse()
  ids.malformed = malformed.response.headers.get('x-sluice-request-id')!
  const refused = await rejectionOf<APIError>(client().chat.completions.create(chat('gpt 4.1')))
  expect(refused.status).toBe(400)
  ids.refused = refused.headers!.get('x-sluice-request-id')!
  const unsampled = await client(`00-${'1'.repeat(32)}-${'2'.repeat(16)}-00`).chat.completions.create(chat()).withResponse()
  ids.unsampled = unsampled.response.headers.get('x-sluice-request-id')!
  const res = await fetch(`${stack.sluice.adminUrl}/v1/config`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
  expect(res.status).toBe(200)
  configText = await res.text()
  // Closing Sluice exports what is queued.
  await stack.close()
})
afterAll(async () => {
  await collector.close()
})

function requestSpan(requestId: string): CollectedSpan {
  const found = collector.spans.filter((s) => s.attributes['sluice.request_id'] === requestId)
  expect(found, `request span of ${requestId}`).toHaveLength(1)
  return found[0]!
}
const children = (span: CollectedSpan): CollectedSpan[] =>
  collector.spans.filter((s) => s.parentSpanId === span.spanId && s.traceId === span.traceId).sort((a, b) => Number(a.startNs - b.startNs))

describe('request spans', () => {
  it('continue the client’s traceparent and carry the GenAI attributes', () => {
    const span = requestSpan(ids.traced!)
    expect(span.traceId).toBe(TRACE)
    expect(span.parentSpanId).toBe(PARENT)
    expect(span.spanId).toMatch(/^[0-9a-f]{16}$/)
    expect(span.kind).toBe(2)
    expect(span.name).toBe('chat gpt-4o-mini')
    expect(span.status).not.toBe(2)
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': usage.prompt_tokens,
      'gen_ai.usage.output_tokens': usage.completion_tokens,
      'http.response.status_code': 200,
      'http.request.method': 'POST',
      'sluice.decision': 'allow',
      'sluice.provider': 'openai',
      'sluice.route': 'openai',
      'sluice.attempts': 1,
      'sluice.client': CLIENT.id,
    })
    expect(span.attributes['error.type']).toBeUndefined()
    expect(span.resource['service.name']).toBe('sluice-under-test')
    expect(span.endNs).toBeGreaterThan(span.startNs)
  })

  it('have one CLIENT child per upstream attempt, inside the request span', () => {
    const span = requestSpan(ids.traced!)
    const [attempt, ...more] = children(span)
    expect(more).toEqual([])
    expect(attempt).toMatchObject({ kind: 3, name: 'chat gpt-4o-mini', traceId: TRACE })
    expect(attempt!.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'http.response.status_code': 200,
      'server.address': '127.0.0.1',
      'sluice.attempt': 1,
    })
    expect(attempt!.startNs).toBeGreaterThanOrEqual(span.startNs)
    expect(attempt!.endNs).toBeLessThanOrEqual(span.endNs)
  })

  it('show a retried call as two attempts, the first failed', () => {
    const span = requestSpan(ids.retried!)
    expect(span.traceId).toBe(RETRY_TRACE)
    expect(span.parentSpanId).toBe(RETRY_PARENT)
    expect(span.attributes['sluice.attempts']).toBe(2)
    const attempts = children(span)
    expect(attempts.map((a) => a.attributes['sluice.attempt'])).toEqual([1, 2])
    expect(attempts[0]!.attributes['error.type']).toBe('connection')
    expect(attempts[0]!.status).toBe(2)
    expect(attempts[1]!.attributes['http.response.status_code']).toBe(200)
    expect(attempts[1]!.attributes['error.type']).toBeUndefined()
    expect(attempts[1]!.startNs).toBeGreaterThanOrEqual(attempts[0]!.endNs)
  })

  it('start a trace of their own when the traceparent is malformed', () => {
    const span = requestSpan(ids.malformed!)
    expect(span.parentSpanId).toBe('')
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/)
    expect([TRACE, RETRY_TRACE]).not.toContain(span.traceId)
    expect(span.attributes['gen_ai.request.model']).toBe('gpt-4.1')
    expect(children(span)).toHaveLength(1)
  })

  it('record a Sluice refusal with its code as error.type and no attempt', () => {
    const span = requestSpan(ids.refused!)
    expect(span.parentSpanId).toBe('')
    expect(span.status).toBe(2)
    expect(span.attributes).toMatchObject({ 'error.type': 'SLUICE_ERR_MODEL_INVALID', 'http.response.status_code': 400, 'sluice.decision': 'deny' })
    expect(children(span)).toEqual([])
  })

  it('are not recorded under a parent that was not sampled', () => {
    expect(collector.spans.filter((s) => s.attributes['sluice.request_id'] === ids.unsampled)).toEqual([])
    expect(collector.spans.filter((s) => s.traceId === '1'.repeat(32))).toEqual([])
  })
})

describe('export', () => {
  it('goes to the configured endpoint with its headers, which /v1/config redacts', () => {
    expect(collector.requests.length).toBeGreaterThan(0)
    for (const r of collector.requests) expect(r.headers['x-collector-token']).toBe(COLLECTOR_TOKEN)
    expect(configText).toContain('x-collector-token')
    expect(configText).not.toContain(COLLECTOR_TOKEN)
    // Four traced requests (the fifth was not sampled): four request spans and four attempts, nothing else.
    expect(collector.spans).toHaveLength(8)
  })
})
