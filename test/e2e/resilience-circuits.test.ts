// Circuit breakers through a real stack (§11): failures open a target's circuit, which
// then sends traffic straight down the fallback chain (or refuses with SLUICE_ERR_CIRCUIT_OPEN in
// the client's dialect), GET /v1/circuits and `sluice ctl circuits` show it, an operator reset
// closes it (audited), and after resetTimeoutMs one half-open probe decides.
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime'
import OpenAI, { APIError } from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { EMULATOR_TYPES } from '../../src/emulators/index.js'
import { runCtl, type CtlResult } from '../support/cli.js'
import { rejectionOf } from '../support/rejection.js'
import { CLIENT, startStack, type Stack } from '../support/stack.js'

const OPERATOR = 'operator-token-0123456789'
const VIEWER = 'viewer-token-0123456789ab'
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0'
const FLASH = 'gemini-2.5-flash'
const PRIMARY = `bedrock/${HAIKU}`

interface CircuitReport {
  id: string
  state: 'closed' | 'open' | 'half-open'
  openedAt?: string
  retryAfterSeconds: number
  window: { attempts: number; failures: number; successes: number; rejects: number }
}

/** A stack whose circuits open after two failed attempts, no retries, with these settings on top. */
async function circuitStack(resetTimeoutMs: number): Promise<Stack> {
  return startStack({
    configure(config) {
      config.admin = {
        host: '127.0.0.1',
        port: 0,
        tokens: [
          { name: 'oncall', token: OPERATOR, role: 'operator' },
          { name: 'grafana', token: VIEWER, role: 'viewer' },
        ],
      }
      config.resilience = {
        circuitBreaker: { volumeThreshold: 2, errorThresholdPercent: 50, resetTimeoutMs },
        retries: { maxRetries: 0, backoffMs: 0 },
      }
      config.models = {
        'with-fallback': { targets: [{ provider: 'bedrock', model: HAIKU }, { provider: 'google', model: FLASH, weight: 0 }] },
        solo: { targets: [{ provider: 'bedrock', model: HAIKU }] },
      }
    },
  })
}

let stack: Stack

function resetEmulators(): void {
  stack.decisions.length = 0
  for (const type of EMULATOR_TYPES) {
    stack.emulators[type].script.reset()
    stack.emulators[type].requests.clear()
  }
}

const unifiedClient = () => new OpenAI({ baseURL: `${stack.sluice.dataUrl}/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
const nativeOpenAI = () => new OpenAI({ baseURL: `${stack.sluice.dataUrl}/openai/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
const ask = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'hello' }] })

async function admin(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${stack.sluice.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) }
}

async function circuit(id: string): Promise<CircuitReport | undefined> {
  const { status, body } = await admin('GET', '/v1/circuits', VIEWER)
  expect(status).toBe(200)
  expect(body.enabled).toBe(true)
  return (body.circuits as CircuitReport[]).find((c) => c.id === id)
}

/** Polls GET /v1/circuits until `id` is in `state` (the breaker's own reset timer moves it). */
async function until(id: string, state: CircuitReport['state'], withinMs = 3000): Promise<CircuitReport> {
  const deadline = performance.now() + withinMs
  for (;;) {
    const report = await circuit(id)
    if (report?.state === state) return report
    if (performance.now() > deadline) throw new Error(`${id} is ${report?.state}, not ${state}, after ${withinMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Two scripted 503s on the unified `solo` model (no retries): the primary's circuit opens. */
async function tripPrimary(): Promise<CircuitReport> {
  stack.emulators.bedrock.script.enqueue({ status: 503 }, { status: 503 })
  for (let i = 0; i < 2; i++) expect((await rejectionOf<APIError>(unifiedClient().chat.completions.create(ask('solo')))).status).toBe(503)
  const report = (await circuit(PRIMARY))!
  expect(report).toMatchObject({ state: 'open', window: { failures: 2 } })
  return report
}

async function metricsText(): Promise<string> {
  return (await fetch(`${stack.sluice.adminUrl}/metrics`)).text()
}

/** Runs `sluice ctl ...args` in this process (the binary itself is smoke-tested in ctl.test.ts). */
function ctl(args: string[], token = OPERATOR): Promise<CtlResult> {
  return runCtl(args, { ...process.env, SLUICE_ADMIN_URL: stack.sluice.adminUrl, SLUICE_ADMIN_TOKEN: token })
}

describe('circuits open, refuse, and are reset (resetTimeoutMs 60 s)', () => {
  beforeAll(async () => {
    stack = await circuitStack(60_000)
  })
  afterAll(async () => {
    await stack.close()
  })
  beforeEach(async () => {
    resetEmulators()
    // Every test starts with closed circuits and empty windows (earlier successes would dilute the error rate).
    for (const c of (await admin('GET', '/v1/circuits', VIEWER)).body.circuits as CircuitReport[]) {
      expect((await admin('POST', `/v1/circuits/${encodeURIComponent(c.id)}/reset`, OPERATOR, { reason: 'test setup' })).status).toBe(200)
    }
  })

  it('failures open the primary\'s circuit; then the fallback serves without calling the primary', async () => {
    expect(await circuit(PRIMARY)).toMatchObject({ state: 'closed' })
    const before = await metricsText()
    stack.emulators.bedrock.script.enqueue({ status: 503 }, { status: 503 })
    for (let i = 0; i < 2; i++) {
      const { data, response } = await unifiedClient().chat.completions.create(ask('with-fallback')).withResponse()
      expect(data.choices[0]?.message.content).toContain(`Hello from ${FLASH}`)
      expect(response.headers.get('x-sluice-attempts')).toBe('2')
    }
    expect(stack.emulators.bedrock.requests.count).toBe(2)
    const open = (await circuit(PRIMARY))!
    expect(open).toMatchObject({ state: 'open', window: { attempts: 2, failures: 2 } })
    expect(open.retryAfterSeconds).toBeGreaterThan(55)
    expect(Date.parse(open.openedAt!)).toBeGreaterThan(Date.now() - 10_000)

    const { data, response } = await unifiedClient().chat.completions.create(ask('with-fallback')).withResponse()
    expect(data.choices[0]?.message.content).toContain(`Hello from ${FLASH}`)
    expect(response.headers.get('x-sluice-fallback')).toBe(`google/${FLASH}`)
    expect(response.headers.get('x-sluice-attempts')).toBeNull()
    expect(stack.emulators.bedrock.requests.count).toBe(2)
    expect(stack.emulators.gemini.requests.count).toBe(3)
    const record = await stack.decision(response.headers.get('x-sluice-request-id')!)
    expect(record).toMatchObject({ decision: 'allow', status: 200, target: `google/${FLASH}`, fallback: true })

    const after = await metricsText()
    const delta = (series: string) => sampleOf(after, series) - sampleOf(before, series)
    expect(after).toContain(`sluice_circuit_state{target="${PRIMARY}"} 2`)
    expect(delta(`sluice_circuit_transitions_total{target="${PRIMARY}",to="open"}`)).toBe(1)
    expect(delta('sluice_fallbacks_total{route="with-fallback",reason="5xx"}')).toBe(2)
    expect(delta('sluice_fallbacks_total{route="with-fallback",reason="circuit_open"}')).toBe(1)
    expect(delta(`sluice_circuit_rejections_total{target="${PRIMARY}"}`)).toBe(1)
  })

  it('with no fallback: 503 SLUICE_ERR_CIRCUIT_OPEN with Retry-After, in each client\'s dialect', async () => {
    await tripPrimary()
    const calls = stack.emulators.bedrock.requests.count

    const err = await rejectionOf<APIError>(unifiedClient().chat.completions.create(ask('solo')))
    expect(err).toBeInstanceOf(APIError)
    expect(err.status).toBe(503)
    expect(err.code).toBe('SLUICE_ERR_CIRCUIT_OPEN')
    expect(err.message).toContain(PRIMARY)
    const retryAfter = Number(err.headers?.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(55)
    expect(retryAfter).toBeLessThanOrEqual(60)
    const record = await stack.decision(err.headers!.get('x-sluice-request-id')!)
    expect(record).toMatchObject({ decision: 'error', code: 'SLUICE_ERR_CIRCUIT_OPEN', status: 503 })

    // A native Converse call on the same model shares the target, and so the circuit.
    const bedrock = new BedrockRuntimeClient({
      region: 'us-east-1',
      endpoint: `${stack.sluice.dataUrl}/bedrock`,
      credentials: { accessKeyId: CLIENT.credentials.accessKeyId, secretAccessKey: CLIENT.credentials.secretAccessKey },
      maxAttempts: 1,
    })
    const native = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number }; $response?: { headers: Record<string, string> } }>(
      bedrock.send(new ConverseCommand({ modelId: HAIKU, messages: [{ role: 'user', content: [{ text: 'hello' }] }] })),
    )
    bedrock.destroy()
    expect(native.$metadata?.httpStatusCode).toBe(503)
    expect(native.message).toContain('SLUICE_ERR_CIRCUIT_OPEN')
    expect(Number(native.$response?.headers['retry-after'])).toBeGreaterThan(55)
    expect(stack.emulators.bedrock.requests.count).toBe(calls)
  })

  it('an operator reset closes the circuit, is audited, and traffic returns', async () => {
    await tripPrimary()
    const path = `/v1/circuits/${encodeURIComponent(PRIMARY)}/reset`
    expect((await admin('POST', path, VIEWER, { reason: 'x' })).status).toBe(403)
    expect((await admin('POST', path, OPERATOR, {})).body.code).toBe('SLUICE_ERR_ADMIN_INVALID')
    const unencoded = await admin('POST', `/v1/circuits/${PRIMARY}/reset`, OPERATOR, { reason: 'x' })
    expect(unencoded.status).toBe(404)
    expect(unencoded.body.message).toContain('Percent-encode')
    const unknown = await admin('POST', `/v1/circuits/${encodeURIComponent('bedrock/nope')}/reset`, OPERATOR, { reason: 'x' })
    expect(unknown.status).toBe(404)
    expect(unknown.body.message).toContain(PRIMARY)
    expect((await circuit(PRIMARY))?.state).toBe('open')

    const reset = await admin('POST', path, OPERATOR, { reason: 'bedrock recovered' })
    expect(reset.status).toBe(200)
    expect(reset.body).toMatchObject({ before: 'open', circuit: { id: PRIMARY, state: 'closed', window: { attempts: 0, failures: 0 } } })
    expect(await circuit(PRIMARY)).toMatchObject({ state: 'closed', retryAfterSeconds: 0 })

    const audit = await admin('GET', '/v1/audit?limit=5', VIEWER)
    expect(audit.body.entries[0]).toMatchObject({
      actor: 'oncall',
      action: 'circuit.reset',
      target: PRIMARY,
      before: { state: 'open', window: { failures: 2 } },
      after: { state: 'closed' },
      reason: 'bedrock recovered',
    })

    const calls = stack.emulators.bedrock.requests.count
    const { data, response } = await unifiedClient().chat.completions.create(ask('solo')).withResponse()
    expect(data.choices[0]?.message.content).toContain(`Hello from ${HAIKU}`)
    expect(response.headers.get('x-sluice-provider')).toBe('bedrock')
    expect(stack.emulators.bedrock.requests.count).toBe(calls + 1)
    expect(await circuit(PRIMARY)).toMatchObject({ state: 'closed', window: { attempts: 1, failures: 0, successes: 1 } })
  })

  it('native requests for undeclared models share the provider-wide circuit openai/*', async () => {
    stack.emulators.openai.script.enqueue({ status: 503 }, { status: 503 })
    for (let i = 0; i < 2; i++) {
      const failed = await rejectionOf<APIError>(nativeOpenAI().chat.completions.create(ask('gpt-4o-mini')))
      // The upstream's own 503 is passed through.
      expect(failed.status).toBe(503)
      expect(failed.code).not.toBe('SLUICE_ERR_CIRCUIT_OPEN')
    }
    expect(await circuit('openai/*')).toMatchObject({ state: 'open', window: { failures: 2 } })
    expect(await circuit(PRIMARY)).toMatchObject({ state: 'closed' })

    // Another model on the same mount: the same circuit, refused without touching the upstream.
    const err = await rejectionOf<APIError>(nativeOpenAI().chat.completions.create(ask('gpt-4.1')))
    expect(err.status).toBe(503)
    expect(err.code).toBe('SLUICE_ERR_CIRCUIT_OPEN')
    expect(err.type).toBeTruthy()
    expect(err.message).toContain('openai/*')
    expect(Number(err.headers?.get('retry-after'))).toBeGreaterThan(55)
    expect(stack.emulators.openai.requests.count).toBe(2)
    // Other providers are not affected.
    const bedrockCircuit = await unifiedClient().chat.completions.create(ask('solo'))
    expect(bedrockCircuit.choices[0]?.message.content).toContain(`Hello from ${HAIKU}`)
  })

  it('sluice ctl circuits lists the circuits; ctl circuits reset closes one', async () => {
    await tripPrimary()
    const listed = await ctl(['circuits'], VIEWER)
    expect(listed.stderr).toBe('')
    expect(listed.status).toBe(0)
    expect(listed.stdout).toContain('Circuit breakers: on; a circuit opens when more than 50 % of at least 2 attempts')
    expect(listed.stdout).toMatch(/^TARGET\s+STATE\s+ATTEMPTS\s+FAILURES\s+REJECTS\s+OPENED AT\s+PROBE IN$/m)
    const row = listed.stdout.split('\n').find((line) => line.startsWith(`${PRIMARY} `))
    expect(row).toMatch(/^\S+\s+open\s+2\s+2\s+0\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+(59s|1m)$/)
    expect(listed.stdout).toMatch(/^google\/gemini-2\.5-flash\s+closed\s+0\s+0\s+0\s+-\s+-$/m)

    const json = await ctl(['circuits', '--json'], VIEWER)
    expect(JSON.parse(json.stdout)).toMatchObject({ enabled: true, circuits: expect.arrayContaining([expect.objectContaining({ id: PRIMARY, state: 'open' })]) })

    const denied = await ctl(['circuits', 'reset', PRIMARY, '--reason', 'try'], VIEWER)
    expect(denied.status).toBe(1)
    expect(denied.stderr).toMatch(/^SLUICE_ERR_ADMIN_FORBIDDEN: /)
    const usage = await ctl(['circuits', 'reset', 'bedrock', '--reason', 'typo'])
    expect(usage.status).toBe(2)
    expect(usage.stderr).toContain('target is a circuit id')

    const reset = await ctl(['circuits', 'reset', PRIMARY, '--reason', 'vendor fixed it'])
    expect(reset.stderr).toBe('')
    expect(reset.status).toBe(0)
    expect(reset.stdout).toBe(`Circuit ${PRIMARY} reset: closed, counts cleared (was open; reason: vendor fixed it).\n`)
    expect(await circuit(PRIMARY)).toMatchObject({ state: 'closed' })
    const answer = await unifiedClient().chat.completions.create(ask('solo'))
    expect(answer.choices[0]?.message.content).toContain(`Hello from ${HAIKU}`)
    const audit = await admin('GET', '/v1/audit?limit=1', VIEWER)
    expect(audit.body.entries[0]).toMatchObject({ actor: 'oncall', action: 'circuit.reset', target: PRIMARY, reason: 'vendor fixed it' })
  })
})

describe('half-open probes (resetTimeoutMs 300 ms)', () => {
  beforeAll(async () => {
    stack = await circuitStack(300)
  })
  afterAll(async () => {
    await stack.close()
  })
  beforeEach(() => resetEmulators())

  it('after resetTimeoutMs one probe goes through; while it is out others are refused; its success closes the circuit', async () => {
    const { openedAt } = await tripPrimary()
    await until(PRIMARY, 'half-open')
    expect(stack.emulators.bedrock.requests.count).toBe(2)

    stack.emulators.bedrock.script.enqueue({ latencyMs: 300 })
    const probe = unifiedClient().chat.completions.create(ask('solo'))
    // The probe is out (the emulator has it): a second request is refused, not sent.
    for (let i = 0; i < 200 && stack.emulators.bedrock.requests.count < 3; i++) await new Promise((r) => setImmediate(r))
    expect(stack.emulators.bedrock.requests.count).toBe(3)
    const refused = await rejectionOf<APIError>(unifiedClient().chat.completions.create(ask('solo')))
    expect(refused.code).toBe('SLUICE_ERR_CIRCUIT_OPEN')
    expect(refused.headers?.get('retry-after')).toBe('1')

    expect((await probe).choices[0]?.message.content).toContain(`Hello from ${HAIKU}`)
    const closed = await until(PRIMARY, 'closed')
    expect(closed.openedAt).toBeUndefined()
    expect(closed.window).toEqual({ attempts: 0, failures: 0, successes: 0, rejects: 0 })
    expect(openedAt).toBeDefined()
    const answer = await unifiedClient().chat.completions.create(ask('solo'))
    expect(answer.choices[0]?.message.content).toContain(`Hello from ${HAIKU}`)
    expect(stack.emulators.bedrock.requests.count).toBe(4)
  })

  it('a failed probe opens the circuit again', async () => {
    const first = await tripPrimary()
    await until(PRIMARY, 'half-open')
    stack.emulators.bedrock.script.enqueue({ status: 500 })
    expect((await rejectionOf<APIError>(unifiedClient().chat.completions.create(ask('solo')))).status).toBe(500)
    const reopened = (await circuit(PRIMARY))!
    expect(reopened.state).toBe('open')
    expect(Date.parse(reopened.openedAt!)).toBeGreaterThan(Date.parse(first.openedAt!))
    const err = await rejectionOf<APIError>(unifiedClient().chat.completions.create(ask('solo')))
    expect(err.code).toBe('SLUICE_ERR_CIRCUIT_OPEN')
    expect(stack.emulators.bedrock.requests.count).toBe(3)
    // And it probes again later.
    await until(PRIMARY, 'half-open')
    expect((await unifiedClient().chat.completions.create(ask('solo'))).choices[0]?.message.content).toContain(`Hello from ${HAIKU}`)
    await until(PRIMARY, 'closed')
  })
})

/** The value of one Prometheus series, `name{labels}` as exposed (0 when absent). */
function sampleOf(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? 0 : Number(line.slice(series.length + 1))
}
