import { describe, expect, it } from 'vitest'
import { compileFlagSet } from '../flags/index.js'
import { enrichContext, etagMatches, evaluateBulk, evaluateSingle, parseEvaluationRequest } from './evaluation.js'

const compiled = compileFlagSet(
  [{ source: 'test', document: { flags: { on: { state: 'ENABLED', variants: { on: true }, defaultVariant: 'on' } } } }],
  {},
  { builtins: {} },
)
if (!compiled.ok) throw new Error(compiled.problems.join('\n'))
const flags = compiled.flagSet

describe('parseEvaluationRequest', () => {
  it.each([
    ['', { ok: true, context: {} }],
    ['{}', { ok: true, context: {} }],
    ['{"context":null}', { ok: true, context: {} }],
    ['{"context":{"targetingKey":"u1"}}', { ok: true, context: { targetingKey: 'u1' } }],
    ['{"context":', { ok: false, detail: 'Request body is not valid JSON.' }],
    ['"x"', { ok: false, detail: 'The body must be a JSON object: {"context": {...}}.' }],
    ['{"context":[1]}', { ok: false, detail: '`context` must be a JSON object.' }],
  ])('%s', (body, expected) => {
    expect(parseEvaluationRequest(Buffer.from(body))).toEqual(expected)
  })
})

describe('enrichContext', () => {
  const client = { id: 'app', tenant: 't1', attributes: { plan: 'gold' }, credentials: { apiKey: 'k' } }

  it('lays the client and environment over what the caller sent', () => {
    const caller = { targetingKey: 'u1', client: 'x', tenant: 'x', plan: 'free', environment: 'x', email: 'a@b.c' }
    expect(enrichContext(caller, client, 'prod')).toEqual({ targetingKey: 'u1', client: 'app', tenant: 't1', plan: 'gold', environment: 'prod', email: 'a@b.c' })
  })

  it('drops a caller tenant when the client has none', () => {
    expect(enrichContext({ tenant: 'x' }, { ...client, tenant: undefined }, '').tenant).toBeUndefined()
  })

  it('keeps the caller context without a client (ofrep.auth: none)', () => {
    expect(enrichContext({ tenant: 'x' }, undefined, 'dev')).toEqual({ tenant: 'x', environment: 'dev' })
  })
})

describe('etagMatches', () => {
  it.each([
    [undefined, false],
    ['"a"', true],
    ['W/"a"', true],
    ['"b", "a"', true],
    ['*', true],
    ['"b"', false],
    ['a', false],
  ])('%s → %s', (header, expected) => {
    expect(etagMatches(header, '"a"')).toBe(expected)
  })
})

describe('evaluation', () => {
  it('renders a static flag the same each time, and a stable ETag', () => {
    expect(evaluateSingle(flags, 'on', {})).toEqual({ status: 200, body: '{"key":"on","value":true,"variant":"on","reason":"STATIC","metadata":{}}' })
    expect(evaluateSingle(flags, 'on', {}).body).toBe(evaluateSingle(flags, 'on', {}).body)
    expect(evaluateSingle(flags, 'nope', {}).status).toBe(404)
    expect(evaluateBulk(flags, {})).toEqual(evaluateBulk(flags, { targetingKey: 'u2' }))
  })
})
