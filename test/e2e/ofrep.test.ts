// OFREP end to end: the OpenFeature server SDK with an OFREP provider, and raw fetch for what the
// provider does not exercise (bulk, ETag/304, auth and malformed requests), against a real Sluice.
import { OFREPApi, handleEvaluationError, toResolutionDetails, type EvaluationFlagValue, type OFREPProviderBaseOptions } from '@openfeature/ofrep-core'
import { OpenFeature, type EvaluationContext, type JsonValue, type Provider, type ResolutionDetails } from '@openfeature/server-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compileFlagSet, evaluateAny } from '../../src/flags/index.js'
import { registry } from '../../src/core/metrics.js'
import { CLIENT, startStack, type Stack } from '../support/stack.js'

/**
 * A server-side OFREP provider on @openfeature/ofrep-core 2.x, the protocol library OpenFeature's
 * OFREP providers share, doing what the upstream server provider does. The published
 * @openfeature/ofrep-provider (0.1.3) pins ofrep-core 0.1, which rejects a success without `value`
 * (OFREP's codeDefaultFlag, which Sluice sends for disabled flags), so it is not used here.
 */
class OfrepProvider implements Provider {
  readonly runsOn = 'server'
  readonly metadata = { name: 'ofrep' }
  readonly #api: OFREPApi
  constructor(options: OFREPProviderBaseOptions) {
    this.#api = new OFREPApi(options)
  }
  resolveBooleanEvaluation = (key: string, fallback: boolean, context: EvaluationContext) => this.#evaluate(key, fallback, context)
  resolveStringEvaluation = (key: string, fallback: string, context: EvaluationContext) => this.#evaluate(key, fallback, context)
  resolveNumberEvaluation = (key: string, fallback: number, context: EvaluationContext) => this.#evaluate(key, fallback, context)
  resolveObjectEvaluation = <T extends JsonValue>(key: string, fallback: T, context: EvaluationContext) => this.#evaluate(key, fallback, context)
  async #evaluate<T extends EvaluationFlagValue>(key: string, fallback: T, context: EvaluationContext): Promise<ResolutionDetails<T>> {
    const result = await this.#api.postEvaluateFlag(key, { context })
    return result.httpStatus === 200 ? toResolutionDetails(result.value, fallback) : handleEvaluationError(result.value, fallback)
  }
}

const OTHER = { id: 'billing-app', tenant: 'bank', attributes: { plan: 'gold' }, credentials: { apiKey: 'sk-billing-app-key' } }
const BOOL = { on: true, off: false }
const FLAGS = {
  'ui.banner': { state: 'ENABLED', variants: BOOL, defaultVariant: 'on', metadata: { owner: 'web' } },
  'ui.staff-beta': { state: 'ENABLED', variants: BOOL, defaultVariant: 'off', targeting: { if: [{ ends_with: [{ var: 'email' }, '@example.com'] }, 'on', 'off'] } },
  'ui.rollout': { state: 'ENABLED', variants: { red: 'red', blue: 'blue' }, defaultVariant: 'red', targeting: { fractional: [['red', 50], ['blue', 50]] } },
  'ui.retired': { state: 'DISABLED', variants: BOOL, defaultVariant: 'on' },
  'ui.unset': { state: 'ENABLED', variants: BOOL, defaultVariant: null },
  'ui.max-tokens': { state: 'ENABLED', variants: { small: 256, large: 4096 }, defaultVariant: 'large' },
  'ui.tenant': { state: 'ENABLED', variants: { shop: 'shop', bank: 'bank', none: 'none' }, defaultVariant: 'none', targeting: { var: 'tenant' } },
  'ui.plan': { state: 'ENABLED', variants: { gold: 'gold', free: 'free' }, defaultVariant: 'free', targeting: { if: [{ '==': [{ var: 'plan' }, 'gold'] }, 'gold', null] } },
}

let stack: Stack
let requestsBefore: number

function startOfrepStack(ofrepAuth: 'client' | 'none'): Promise<Stack> {
  return startStack({
    configure(config) {
      config.flags = { ...(config.flags as object), ...FLAGS }
      config.clients = [CLIENT, OTHER]
      config.ofrep = { auth: ofrepAuth }
      config.log = { level: 'warn' }
    },
  })
}

async function counterSum(name: string, labels: Record<string, string> = {}): Promise<number> {
  const { values } = await registry.getSingleMetric(name)!.get()
  return values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((sum, v) => sum + v.value, 0)
}

const AUTH = { authorization: `Bearer ${CLIENT.credentials.apiKey}` }

function post(path: string, body: unknown, headers: Record<string, string> = AUTH) {
  return fetch(`${stack.sluice.dataUrl}/ofrep/v1/evaluate/flags${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

async function client(domain: string, apiKey: string) {
  const headers: Array<[string, string]> = [['authorization', `Bearer ${apiKey}`]]
  await OpenFeature.setProviderAndWait(domain, new OfrepProvider({ baseUrl: stack.sluice.dataUrl, headers }))
  return OpenFeature.getClient(domain)
}

beforeAll(async () => {
  stack = await startOfrepStack('client')
  requestsBefore = await counterSum('sluice_requests_total')
})
afterAll(async () => {
  await OpenFeature.close()
  await stack.close()
})

describe('OFREP through the OpenFeature server SDK', () => {
  it('serves static, targeted, numeric and disabled flags, and the code default where there is no value', async () => {
    const flags = await client('checkout', CLIENT.credentials.apiKey)
    expect(await flags.getBooleanDetails('ui.banner', false)).toMatchObject({ value: true, variant: 'on', reason: 'STATIC', flagMetadata: { owner: 'web' } })
    expect(await flags.getBooleanValue('ui.staff-beta', false, { email: 'ada@example.com' })).toBe(true)
    expect(await flags.getBooleanDetails('ui.staff-beta', true, { email: 'eve@elsewhere.org' })).toMatchObject({ value: false, reason: 'TARGETING_MATCH' })
    expect(await flags.getNumberValue('ui.max-tokens', 0)).toBe(4096)

    const retired = await flags.getBooleanDetails('ui.retired', false)
    expect(retired).toMatchObject({ value: false, reason: 'DISABLED' })
    expect(retired.errorCode).toBeUndefined()
    const unset = await flags.getBooleanDetails('ui.unset', true)
    expect(unset).toMatchObject({ value: true, reason: 'DEFAULT' })
    expect(unset.errorCode).toBeUndefined()
  })

  it('reports FLAG_NOT_FOUND and TYPE_MISMATCH with the code default', async () => {
    const flags = await client('checkout', CLIENT.credentials.apiKey)
    expect(await flags.getBooleanDetails('ui.nope', true)).toMatchObject({ value: true, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' })
    expect(await flags.getStringDetails('ui.banner', 'x')).toMatchObject({ value: 'x', errorCode: 'TYPE_MISMATCH' })
  })

  it('buckets fractional rollouts exactly as the local engine does', async () => {
    const compiled = compileFlagSet([{ source: 'test', document: { flags: { 'ui.rollout': FLAGS['ui.rollout'] } } }], {}, { builtins: {} })
    if (!compiled.ok) throw new Error(compiled.problems.join('\n'))
    const flags = await client('checkout', CLIENT.credentials.apiKey)
    const seen = new Set<string>()
    for (let i = 0; i < 20; i++) {
      const targetingKey = `user-${i}`
      const expected = evaluateAny(compiled.flagSet, 'ui.rollout', { targetingKey })
      const details = await flags.getStringDetails('ui.rollout', 'none', { targetingKey })
      expect(details).toMatchObject({ value: expected.value, variant: expected.variant })
      seen.add(String(details.value))
    }
    expect(seen).toEqual(new Set(['red', 'blue']))
  })

  it('takes client, tenant and attributes from the credential, not from the caller', async () => {
    const checkout = await client('checkout', CLIENT.credentials.apiKey)
    const billing = await client('billing', OTHER.credentials.apiKey)
    expect(await checkout.getStringValue('ui.tenant', '', { tenant: 'bank' })).toBe('shop')
    expect(await billing.getStringValue('ui.tenant', '', { tenant: 'shop', client: 'checkout-app' })).toBe('bank')
    expect(await billing.getStringValue('ui.plan', '', { plan: 'free' })).toBe('gold')
    expect(await checkout.getStringValue('ui.plan', '', { plan: 'gold' })).toBe('gold') // not configured: the caller's
  })

  it('fails to the code default when the key is unknown', async () => {
    const flags = await client('stranger', 'sk-unknown')
    expect(await flags.getBooleanDetails('ui.banner', false)).toMatchObject({ value: false, reason: 'ERROR', errorCode: 'GENERAL' })
  })
})

describe('OFREP over HTTP', () => {
  it('answers a single evaluation in the spec shape, uncached, with a request id', async () => {
    const res = await post('/ui.banner', { context: {} })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(res.headers.get('x-sluice-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect(await res.json()).toEqual({ key: 'ui.banner', value: true, variant: 'on', reason: 'STATIC', metadata: { owner: 'web' } })

    const missing = await post('/ui.nope', {})
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ key: 'ui.nope', errorCode: 'FLAG_NOT_FOUND', errorDetails: "flag 'ui.nope' not found", metadata: {} })
    const disabled = await post('/ui.retired', {})
    expect(await disabled.json()).toEqual({ key: 'ui.retired', reason: 'DISABLED', metadata: {} })
  })

  it('evaluates every flag in bulk, with an ETag that If-None-Match turns into 304', async () => {
    const res = await post('', { context: { targetingKey: 'user-1', email: 'ada@example.com' } })
    expect(res.status).toBe(200)
    const etag = res.headers.get('etag')!
    expect(etag).toMatch(/^"[\w-]+"$/)
    expect(res.headers.get('cache-control')).toBe('private, no-cache')
    const body = (await res.json()) as { flags: Array<Record<string, unknown>>; metadata: unknown }
    const byKey = new Map(body.flags.map((f) => [f.key, f]))
    expect(byKey.get('ui.staff-beta')).toMatchObject({ value: true, variant: 'on', reason: 'TARGETING_MATCH' })
    expect(byKey.get('ui.retired')).toEqual({ key: 'ui.retired', reason: 'DISABLED', metadata: {} })
    expect(byKey.get('ui.unset')).toEqual({ key: 'ui.unset', reason: 'DEFAULT', metadata: {} })
    expect(byKey.get('ai.egress.enabled')).toMatchObject({ value: true })
    expect(body.metadata).toEqual({})

    const again = await post('', { context: { email: 'ada@example.com', targetingKey: 'user-1' } }, { ...AUTH, 'if-none-match': `"x", ${etag}` })
    expect(again.status).toBe(304)
    expect(again.headers.get('etag')).toBe(etag)
    expect(await again.text()).toBe('')

    const other = await post('', { context: { targetingKey: 'user-1', email: 'eve@elsewhere.org' } }, { ...AUTH, 'if-none-match': etag })
    expect(other.status).toBe(200)
    expect(other.headers.get('etag')).not.toBe(etag)
  })

  it('counts evaluations, but not as AI requests or decisions', async () => {
    const before = await counterSum('sluice_flag_evaluations_total', { flag: 'ui.banner', reason: 'STATIC' })
    await (await post('/ui.banner', {})).arrayBuffer()
    expect(await counterSum('sluice_flag_evaluations_total', { flag: 'ui.banner', reason: 'STATIC' })).toBe(before + 1)
    expect(await counterSum('sluice_requests_total')).toBe(requestsBefore)
    expect(stack.decisions).toEqual([])
  })

  it.each([
    ['no credential', {}, 401, 'SLUICE_ERR_AUTH_MISSING'],
    ['a non-Bearer Authorization', { authorization: 'Basic Zm9vOmJhcg==' }, 401, 'SLUICE_ERR_AUTH_MISSING'],
    ['an unknown Bearer key', { authorization: 'Bearer sk-unknown' }, 403, 'SLUICE_ERR_AUTH_INVALID'],
    ['an unknown X-API-Key', { 'x-api-key': 'sk-unknown' }, 403, 'SLUICE_ERR_AUTH_INVALID'],
  ])('refuses %s', async (_name, headers, status, code) => {
    for (const path of ['', '/ui.banner']) {
      const res = await post(path, {}, headers)
      expect(res.status).toBe(status)
      expect(await res.json()).toEqual({ errorDetails: expect.any(String), code })
    }
  })

  it('accepts X-API-Key', async () => {
    const res = await post('/ui.tenant', {}, { 'x-api-key': OTHER.credentials.apiKey })
    expect(await res.json()).toMatchObject({ value: 'bank' })
  })

  it.each([
    ['invalid JSON', '{"context": '],
    ['a body that is not an object', '[1]'],
    ['a context that is not an object', '{"context": "ada"}'],
  ])('answers %s with 400 INVALID_CONTEXT', async (_name, body) => {
    const single = await post('/ui.banner', body)
    expect(single.status).toBe(400)
    expect(await single.json()).toEqual({ key: 'ui.banner', errorCode: 'INVALID_CONTEXT', errorDetails: expect.any(String), code: 'SLUICE_ERR_REQUEST_MALFORMED' })
    const bulk = await post('', body)
    expect(bulk.status).toBe(400)
    expect(await bulk.json()).toEqual({ errorCode: 'INVALID_CONTEXT', errorDetails: expect.any(String), code: 'SLUICE_ERR_REQUEST_MALFORMED' })
  })

  it('answers unknown OFREP paths with 404 and other methods with 405', async () => {
    const unknown = await fetch(`${stack.sluice.dataUrl}/ofrep/v1/configuration`)
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({ code: 'SLUICE_ERR_ROUTE_NOT_FOUND' })
    const get = await fetch(`${stack.sluice.dataUrl}/ofrep/v1/evaluate/flags/ui.banner`)
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')
    expect(await get.json()).toMatchObject({ code: 'SLUICE_ERR_METHOD_NOT_ALLOWED' })
  })

  it('refuses a body over server.maxBodyBytes with 413', async () => {
    const res = await post('', { context: { pad: 'x'.repeat(70 * 1024) } })
    expect(res.status).toBe(413)
    expect(await res.json()).toMatchObject({ code: 'SLUICE_ERR_REQUEST_TOO_LARGE' })
  })
})

describe('OFREP with ofrep.auth: none', () => {
  it('needs no credential and takes the context as sent', async () => {
    const open = await startOfrepStack('none')
    try {
      const body = JSON.stringify({ context: { tenant: 'bank' } })
      const res = await fetch(`${open.sluice.dataUrl}/ofrep/v1/evaluate/flags/ui.tenant`, { method: 'POST', body })
      expect(await res.json()).toMatchObject({ value: 'bank' })
    } finally {
      await open.close()
    }
  })
})
