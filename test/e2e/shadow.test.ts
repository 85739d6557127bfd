// Shadow traffic end to end, with the official OpenAI SDK. Native requests on the OpenAI mount are
// mirrored to another OpenAI provider (`mirror`, on a second emulator set) with the model moved to
// gpt-4o; unified requests for `chat` are mirrored to Bedrock (translated). Off until the `shadow`
// activation step; then the client never waits for the mirror (a 2-s-slow shadow target leaves
// its latency unchanged), streams are mirrored and read to the end, each pair is summarised under
// GET /v1/shadows, counted in metrics and logged beside the primary's decision record, and the
// shadow's spend goes to the `shadow` budget, never the client's. A second Sluice checks the
// spend cap: a shadow budget that is used up skips mirrors, and clients are served as before.
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EMULATOR_CREDENTIALS, startEmulators, type Emulators } from '../../src/emulators/index.js'
import { FLAG_ON, TRAFFIC_ON_FLAGS } from '../../src/emulators/sluice-config.js'
import { ctl } from '../../src/cli/ctl.js'
import { CLIENT, startStack, type Stack } from '../support/stack.js'

const OPERATOR = 'operator-token-0123456789'
const SLOW_MS = 2000
const BEDROCK_MODEL = 'anthropic.claude-3-haiku-20240307-v1:0'

let stack: Stack
let slow: Emulators

function shadowConfig(extra: Record<string, unknown> = {}) {
  return (config: Record<string, any>): void => {
    config.providers.mirror = { ...config.providers.openai, mount: '/mirror', endpoint: slow.openai.url }
    config.admin = { host: '127.0.0.1', port: 0, tokens: [{ name: 'ops', token: OPERATOR, role: 'operator' }] }
    config.log = { level: 'info', decisions: true }
    config.models = { chat: { targets: [{ provider: 'openai', model: 'gpt-4o-mini' }] } }
    config.shadows = {
      native: { mount: 'openai', model: 'gpt-4o-mini', target: { provider: 'mirror', model: 'gpt-4o' }, maxConcurrent: 2, timeoutMs: 10_000 },
      unified: { model: 'chat', target: { provider: 'bedrock', model: BEDROCK_MODEL } },
    }
    // Counted, never refused: shows what each call takes from the client's limit.
    config.rateLimits = { rules: [{ name: 'per-client', key: ['client'], requests: { limit: 100_000, windowSeconds: 86_400 } }] }
    config.budgets = {
      limits: {
        client: { scope: 'client', limitUsd: 100, window: 'day' },
        shadow: { scope: 'shadow', limitUsd: 100, window: 'day' },
      },
    }
    Object.assign(config, extra)
  }
}

beforeAll(async () => {
  slow = await startEmulators({ auth: EMULATOR_CREDENTIALS })
  stack = await startStack({ configure: shadowConfig() })
})
afterAll(async () => {
  await stack?.close()
  await slow?.close()
})

async function admin(path: string, body?: unknown, base = stack.sluice.adminUrl, method = body === undefined ? 'GET' : 'POST'): Promise<any> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${OPERATOR}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  expect(response.status).toBeLessThan(300)
  return response.json()
}

const openai = (baseURL: string, path = '/openai/v1') => new OpenAI({ baseURL: `${baseURL}${path}`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })

/** One native call; its wall time, request id and what is left of the client's rate limit. */
async function call(user: string, base = stack.sluice.dataUrl): Promise<{ ms: number; requestId: string; remaining: number }> {
  const started = performance.now()
  const { response } = await openai(base)
    .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there.' }] }, { headers: { 'x-sluice-user': user } })
    .withResponse()
  return { ms: performance.now() - started, requestId: response.headers.get('x-sluice-request-id')!, remaining: Number(response.headers.get('x-ratelimit-remaining-requests')) }
}

async function until(what: () => boolean | Promise<boolean>, ms = 8000): Promise<void> {
  const end = Date.now() + ms
  while (!(await what())) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 25))
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const shadowLines = () => stack.logLines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'shadow')

describe('shadow traffic', () => {
  it('mirrors nothing until the shadow activation step turns it on', async () => {
    for (let i = 0; i < 3; i++) await call(`dark-${i}`)
    expect(slow.openai.requests.count).toBe(0)
    const listed = await admin('/v1/shadows')
    expect(listed.shadows.map((s: any) => [s.id, s.target, s.pairs])).toEqual([
      ['native', 'mirror/gpt-4o', 0],
      ['unified', `bedrock/${BEDROCK_MODEL}`, 0],
    ])
    const applied = await admin('/v1/activation/shadow', { reason: 'mirror before canary' })
    expect(applied).toMatchObject({ sequence: 'shadow' })
  })

  it('never delays the client: with a 2-s shadow target, calls take what they took without one', async () => {
    // Baseline: the same calls unmirrored (the shadow target's provider switched off).
    const flag = '/v1/flags/ai.provider.mirror.enabled'
    await admin(flag, { definition: { ...FLAG_ON, defaultVariant: 'off' }, reason: 'baseline' }, undefined, 'PUT')
    const baseline: number[] = []
    for (let i = 0; i < 10; i++) baseline.push((await call(`base-${i}`)).ms)
    expect(slow.openai.requests.count).toBe(0)
    await admin(`${flag}/override`, { reason: 'baseline done' }, undefined, 'DELETE')

    slow.openai.script.setDefaults({ latencyMs: SLOW_MS })
    const mirrored: Array<{ ms: number; requestId: string }> = []
    for (let i = 0; i < 10; i++) mirrored.push(await call(`slow-${i}`))
    const times = mirrored.map((m) => m.ms)
    // The bound: every call is answered in well under the shadow's 2 s, and the median moves by
    // less than 50 ms against the unmirrored baseline.
    expect(Math.max(...times)).toBeLessThan(SLOW_MS / 2)
    expect(Math.abs(median(times) - median(baseline))).toBeLessThan(50)
    console.log(`shadow 2 s slow: client median ${median(times).toFixed(1)} ms (max ${Math.max(...times).toFixed(1)}), without mirroring ${median(baseline).toFixed(1)} ms`)

    // The cap (2 in flight) took the first two; the rest were skipped while those waited.
    await until(() => shadowLines().length >= 2)
    const view = (await admin('/v1/shadows/native')).shadow
    expect(view).toMatchObject({ target: 'mirror/gpt-4o', pairs: 2, shadowErrors: 0, skipped: { over_capacity: 8 } })
    expect(view.differences.latencyMs.mean).toBeGreaterThan(SLOW_MS - 100)
    // The mirrored request is the client's, moved to the shadow's model.
    expect(slow.openai.requests.entries.map((e) => (e.body as { model: string }).model)).toEqual(['gpt-4o', 'gpt-4o'])
    // Paired by request id: each shadow log line names its primary's.
    const lines = shadowLines()
    expect(lines.map((l) => l.requestId)).toEqual(mirrored.slice(0, 2).map((m) => m.requestId))
    expect(lines[0]).toMatchObject({ shadow: 'native', target: 'mirror/gpt-4o', status: 200, error: false, primary: { target: 'openai/gpt-4o-mini', status: 200 } })
    slow.openai.script.setDefaults({ latencyMs: 0 })
  })

  it('mirrors streams, reading the shadow stream to the end, with both sides\' usage paired', async () => {
    const before = (await admin('/v1/shadows/native')).shadow.pairs
    const stream = await openai(stack.sluice.dataUrl).chat.completions.create(
      { model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Stream a reply.' }] },
      { headers: { 'x-sluice-user': 'streamer' } },
    )
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    expect(text.length).toBeGreaterThan(0)
    await until(async () => (await admin('/v1/shadows/native')).shadow.pairs === before + 1)
    const last = slow.openai.requests.last()!
    expect(last.body).toMatchObject({ model: 'gpt-4o', stream: true })
    const line = shadowLines().at(-1)
    expect(line).toMatchObject({ shadow: 'native', status: 200, error: false })
    expect(line.usage.outputTokens).toBeGreaterThan(0)
    const { differences } = (await admin('/v1/shadows/native')).shadow
    expect(differences.outputTokens.n).toBeGreaterThanOrEqual(1)
    expect(differences.costUsd.shadowMean).toBeGreaterThan(differences.costUsd.primaryMean)
  })

  it('translates a unified request for its shadow target on another provider', async () => {
    const before = stack.emulators.bedrock.requests.count
    const { response } = await openai(stack.sluice.dataUrl, '/v1')
      .chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'Hi.' }] }, { headers: { 'x-sluice-user': 'unified-user' } })
      .withResponse()
    expect(response.headers.get('x-sluice-provider')).toBe('openai')
    await until(() => stack.emulators.bedrock.requests.count === before + 1)
    expect(stack.emulators.bedrock.requests.last()!.path).toContain(encodeURIComponent(BEDROCK_MODEL))
    await until(async () => (await admin('/v1/shadows/unified')).shadow.pairs === 1)
    const view = (await admin('/v1/shadows/unified')).shadow
    expect(view).toMatchObject({ pairs: 1, shadowErrors: 0, primaryErrors: 0 })
    expect(view.differences.inputTokens.n).toBe(1)
  })

  it('never takes from the client\'s rate limits', async () => {
    const pairs = async () => (await admin('/v1/shadows/native')).shadow.pairs
    const before = await pairs()
    const first = await call('limits-a')
    await until(async () => (await pairs()) === before + 1)
    const second = await call('limits-b')
    await until(async () => (await pairs()) === before + 2)
    // Two calls, two mirrors: one request each off the client's limit.
    expect(first.remaining - second.remaining).toBe(1)
  })

  it('charges the shadow budget, never the client\'s, and counts calls and spend in metrics', async () => {
    const { budgets } = await admin('/v1/budgets')
    const spent = (name: string) => budgets.find((b: any) => b.budget === name)?.spentUsd ?? 0
    const lines = shadowLines()
    const shadowSpend = lines.reduce((sum, l) => sum + (l.costUsd ?? 0), 0)
    expect(spent('shadow')).toBeCloseTo(shadowSpend, 9)
    // Every mirror cost more than its primary (gpt-4o vs gpt-4o-mini), yet the client's budget
    // holds the primaries alone: it is below the shadows' spend although it counts more calls.
    expect(spent('client')).toBeGreaterThan(0)
    expect(spent('client')).toBeLessThan(spent('shadow'))
    const text = await (await fetch(`${stack.sluice.adminUrl}/metrics`)).text()
    expect(text).toMatch(/sluice_shadow_requests_total\{shadow="native",result="ok"\} 5/)
    expect(text).toMatch(/sluice_shadow_requests_total\{shadow="native",result="over_capacity"\} 8/)
    expect(text).toMatch(/sluice_shadow_requests_total\{shadow="unified",result="ok"\} 1/)
    expect(text).toMatch(/sluice_shadow_cost_usd_total\{shadow="native"\} [0-9.e-]+/)
  })

  it('shows the summaries in sluice ctl', async () => {
    const run = async (...args: string[]) => {
      let out = ''
      const code = await ctl([...args, '--url', stack.sluice.adminUrl, '--token', OPERATOR], { env: {}, out: (t) => (out += t), err: () => undefined })
      return { code, out }
    }
    const listed = await run('shadows')
    expect(listed.code).toBe(0)
    expect(listed.out).toMatch(/native\s+openai:gpt-4o-mini\s+mirror\/gpt-4o\s+100\s+5\s+0\s+0/)
    const shown = await run('shadows', 'show', 'native')
    expect(shown.out).toMatch(/Shadow native of gpt-4o-mini → mirror\/gpt-4o: 5 pairs, errors 0 primary \/ 0 shadow; skipped: over_capacity 8/)
    expect(shown.out).toMatch(/latencyMs\s+5\s/)
  })

  it('keeps mirroring in the canary step, and stops in the active and dark steps', async () => {
    const mirroredBy = async (sequence: string): Promise<number> => {
      await admin(`/v1/activation/${sequence}`, { reason: `go ${sequence}` })
      const before = slow.openai.requests.count
      for (let i = 0; i < 2; i++) await call(`${sequence}-${i}`).catch(() => undefined)
      await new Promise((r) => setTimeout(r, 150))
      return slow.openai.requests.count - before
    }
    expect(await mirroredBy('canary')).toBe(2)
    expect(await mirroredBy('active')).toBe(0)
    expect(await mirroredBy('shadow')).toBe(2)
    // Dark turns egress off too: the calls are refused, and nothing is mirrored.
    expect(await mirroredBy('dark')).toBe(0)
  })
})

describe('shadow spend cap', () => {
  let capped: Stack
  beforeAll(async () => {
    capped = await startStack({
      configure: shadowConfig({
        flags: { ...TRAFFIC_ON_FLAGS, 'ai.shadow.enabled': FLAG_ON },
        budgets: { limits: { shadow: { scope: 'shadow', limitUsd: 0.000001, window: 'day' } } },
      }),
    })
  })
  afterAll(async () => capped?.close())

  it('skips mirrors once the shadow budget is used up; clients are served as before', async () => {
    const before = slow.openai.requests.count
    for (let i = 0; i < 3; i++) await call(`capped-${i}`, capped.sluice.dataUrl)
    await until(async () => (await admin('/v1/shadows/native', undefined, capped.sluice.adminUrl)).shadow.skipped.over_budget === 3)
    expect(slow.openai.requests.count).toBe(before)
  })
})
