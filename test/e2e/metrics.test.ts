// /metrics as a scraper reads it after official SDK calls through Sluice (docs/observability.md):
// the stock process metrics unprefixed, HTTP status and SLUICE_ERR_* code in separate labels,
// the OpenTelemetry GenAI histograms with bounded labels (provider names from the conventions'
// table, never config names), and time to first token as the first content event, after the
// first byte when the stream opens with events that carry none.
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime'
import OpenAI, { APIError } from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bedrockThroughSluice } from '../support/bedrock.js'
import { rejectionOf } from '../support/rejection.js'
import { CLIENT, startStack, type Stack } from '../support/stack.js'

let stack: Stack

beforeAll(async () => {
  stack = await startStack({
    configure(config) {
      // An OpenAI mount under a name of the operator's choosing.
      config.providers['team-llm'] = { ...config.providers.openai, mount: '/team' }
      config.models = { 'chat-bedrock': { targets: [{ provider: 'bedrock', model: 'anthropic.claude-3-haiku-20240307-v1:0' }] } }
    },
  })
})
afterAll(async () => {
  await stack.close()
})

interface Series {
  readonly name: string
  readonly labels: Record<string, string>
  readonly value: number
}

/** The exposition text's samples (no HELP/TYPE lines). */
function parse(text: string): Series[] {
  const out: Series[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (match === null) throw new Error(`not an exposition line: ${line}`)
    const labels: Record<string, string> = {}
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!
    out.push({ name: match[1]!, labels, value: Number(match[3]) })
  }
  return out
}

async function scrape(): Promise<Series[]> {
  const res = await fetch(`${stack.sluice.adminUrl}/metrics`)
  expect(res.status).toBe(200)
  return parse(await res.text())
}

const find = (all: Series[], name: string, labels: Record<string, string>): Series[] =>
  all.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))

/** Settle runs after the response ends: scrape until `ready` holds, bounded. */
async function scrapeUntil(ready: (all: Series[]) => boolean): Promise<Series[]> {
  for (let i = 0; i < 100; i++) {
    const all = await scrape()
    if (ready(all)) return all
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error('the metrics never showed what the test waits for')
}

const client = (mount: string, apiKey: string = CLIENT.credentials.apiKey): OpenAI =>
  new OpenAI({ baseURL: `${stack.sluice.dataUrl}${mount}/v1`, apiKey, maxRetries: 0 })
const chat = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'hello there' }] })

describe('process metrics', () => {
  it('carries the stock Node.js names, without a prefix', async () => {
    const all = await scrape()
    const names = new Set(all.map((s) => s.name))
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(names, name).toContain(name)
    }
    expect([...names].filter((n) => n.startsWith('sluice_process_'))).toEqual([])
  })
})

describe('sluice_requests_total', () => {
  it('labels an answered call with its HTTP status and code="none"', async () => {
    await client('/team').chat.completions.create(chat('gpt-4o-mini'))
    const all = await scrapeUntil((a) => find(a, 'sluice_requests_total', { provider: 'team-llm' }).length > 0)
    expect(find(all, 'sluice_requests_total', { provider: 'team-llm' })).toEqual([
      { name: 'sluice_requests_total', labels: { provider: 'team-llm', model: 'gpt-4o-mini', route: 'team-llm', decision: 'allow', status: '200', code: 'none' }, value: 1 },
    ])
  })

  it('labels an upstream error with its status, and Sluice’s refusal with status and SLUICE_ERR_* code apart', async () => {
    // Sluice retries a 429 once; the second passes through.
    stack.emulators.openai.script.enqueue({ status: 429 }, { status: 429 })
    expect((await rejectionOf<APIError>(client('/openai').chat.completions.create(chat('gpt-4.1')))).status).toBe(429)
    // A model id no provider has (a space in it): Sluice refuses it itself.
    const refused = await rejectionOf<APIError>(client('/openai').chat.completions.create(chat('gpt 4.1')))
    expect(refused.status).toBe(400)
    const all = await scrapeUntil((a) => find(a, 'sluice_requests_total', { status: '400' }).length > 0 && find(a, 'sluice_requests_total', { status: '429' }).length > 0)
    expect(find(all, 'sluice_requests_total', { status: '429' })).toEqual([
      expect.objectContaining({ labels: expect.objectContaining({ provider: 'openai', decision: 'allow', code: 'none' }), value: 1 }),
    ])
    expect(find(all, 'sluice_requests_total', { status: '400' })).toEqual([
      expect.objectContaining({ labels: expect.objectContaining({ provider: 'openai', decision: 'deny', code: refused.code }), value: 1 }),
    ])
    expect(refused.code).toBe('SLUICE_ERR_MODEL_INVALID')
    // No series mixes the two: status is always a number, code is none or SLUICE_ERR_*.
    for (const s of find(all, 'sluice_requests_total', {})) {
      expect(s.labels.status).toMatch(/^\d{1,3}$/)
      expect(s.labels.code).toMatch(/^(none|SLUICE_ERR_[A-Z_]+)$/)
    }
  })
})

const GEN_AI_PROVIDERS = new Set(['openai', 'aws.bedrock', 'gcp.gemini', 'gcp.vertex_ai', 'meta'])

describe('OpenTelemetry GenAI metrics', () => {
  it('records token usage and duration by the conventions’ provider names, never the config’s', async () => {
    const bedrock = bedrockThroughSluice(stack.sluice.dataUrl)
    const out = await bedrock.send(
      new ConverseCommand({ modelId: 'anthropic.claude-3-haiku-20240307-v1:0', messages: [{ role: 'user', content: [{ text: 'hello there' }] }] }),
    )
    const { inputTokens, outputTokens } = out.usage!
    const all = await scrapeUntil((a) => find(a, 'gen_ai_client_token_usage_count', { gen_ai_provider_name: 'aws.bedrock' }).length === 2)
    const labels = { gen_ai_operation_name: 'chat', gen_ai_provider_name: 'aws.bedrock', gen_ai_request_model: 'anthropic.claude-3-haiku-20240307-v1:0' }
    expect(find(all, 'gen_ai_client_token_usage_sum', { ...labels, gen_ai_token_type: 'input' })[0]?.value).toBe(inputTokens)
    expect(find(all, 'gen_ai_client_token_usage_sum', { ...labels, gen_ai_token_type: 'output' })[0]?.value).toBe(outputTokens)
    expect(find(all, 'gen_ai_client_operation_duration_seconds_count', { ...labels, error_type: '' })[0]?.value).toBe(1)

    // The OpenAI mount named team-llm in config reports as openai.
    expect(find(all, 'gen_ai_client_operation_duration_seconds_count', { gen_ai_provider_name: 'openai', gen_ai_request_model: 'gpt-4o-mini', error_type: '' })[0]?.value).toBe(1)
    // The upstream 429 is a failed operation; Sluice's own 400 is no GenAI operation at all.
    expect(find(all, 'gen_ai_client_operation_duration_seconds_count', { gen_ai_provider_name: 'openai', gen_ai_request_model: 'gpt-4.1', error_type: '429' })[0]?.value).toBe(1)
    expect(find(all, 'gen_ai_client_operation_duration_seconds_count', { gen_ai_request_model: 'gpt-4.1' })).toHaveLength(1)

    const genAi = all.filter((s) => s.name.startsWith('gen_ai_'))
    for (const s of genAi) {
      expect(GEN_AI_PROVIDERS).toContain(s.labels.gen_ai_provider_name)
      const { le: _le, ...rest } = s.labels
      const expected = s.name.startsWith('gen_ai_client_token_usage')
        ? ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'gen_ai_token_type']
        : ['error_type', 'gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model']
      expect(Object.keys(rest).sort()).toEqual(expected.sort())
    }
    expect(genAi.some((s) => s.labels.gen_ai_provider_name === 'team-llm' || s.labels.gen_ai_provider_name === 'bedrock')).toBe(false)
  })
})

describe('time to first token', () => {
  const sum = (all: Series[], name: string, labels: Record<string, string>): number => {
    const found = find(all, `${name}_sum`, labels)
    expect(found, `${name} ${JSON.stringify(labels)}`).toHaveLength(1)
    return found[0]!.value
  }
  const delayMs = 400

  it('is the first content chunk of an OpenAI stream, after a first byte that carried only the role', async () => {
    // The emulator sends the role chunk at once and each content chunk `chunkDelayMs` later.
    stack.emulators.openai.script.enqueue({ chunkDelayMs: delayMs, chunks: 2 })
    const stream = await client('/openai').chat.completions.create({ ...chat('gpt-4o'), stream: true })
    const chunks: string[] = []
    for await (const chunk of stream) chunks.push(chunk.choices[0]?.delta.content ?? '')
    expect(chunks[0]).toBe('')
    const labels = { provider: 'openai', model: 'gpt-4o' }
    const all = await scrapeUntil((a) => find(a, 'sluice_time_to_first_token_seconds_count', labels).length > 0)
    const firstByte = sum(all, 'sluice_upstream_first_byte_seconds', labels)
    const firstToken = sum(all, 'sluice_time_to_first_token_seconds', labels)
    expect(firstToken).toBeGreaterThanOrEqual((delayMs - 20) / 1000)
    expect(firstByte).toBeLessThan(firstToken)
    expect(firstToken - firstByte).toBeGreaterThanOrEqual((delayMs - 50) / 1000)
  })

  it('is the first translated content chunk on the unified endpoint (Bedrock ConverseStream behind it)', async () => {
    // ConverseStream opens with messageStart (no content); the first contentBlockDelta follows.
    stack.emulators.bedrock.script.enqueue({ chunkDelayMs: delayMs, chunks: 2 })
    const stream = await client('').chat.completions.create({ ...chat('chat-bedrock'), stream: true })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    expect(text).not.toBe('')
    const labels = { provider: 'bedrock', model: 'anthropic.claude-3-haiku-20240307-v1:0' }
    const all = await scrapeUntil((a) => find(a, 'sluice_time_to_first_token_seconds_count', labels).length > 0)
    const firstToken = sum(all, 'sluice_time_to_first_token_seconds', labels)
    expect(firstToken).toBeGreaterThanOrEqual((delayMs - 20) / 1000)
    expect(sum(all, 'sluice_upstream_first_byte_seconds', labels)).toBeLessThan(firstToken)
  })

  it('is not observed for an answer that is not streamed', async () => {
    const all = await scrape()
    expect(find(all, 'sluice_upstream_first_byte_seconds_count', { provider: 'team-llm', model: 'gpt-4o-mini' })[0]?.value).toBe(1)
    expect(find(all, 'sluice_time_to_first_token_seconds_count', { provider: 'team-llm' })).toEqual([])
  })
})
