// Issue #10 items 5 and 6: identifiers are checked and canonical before any decision keys on them.
// A model id with control or non-Latin-1 characters is refused (400 SLUICE_ERR_MODEL_INVALID, never
// forwarded, over HTTP/1.1 and h2c); a kill switch or a rate limit on a Bedrock model holds for its
// ARN, cross-region profile and mixed-case aliases.
import { connect } from 'node:http2'
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { FLAG_ON, TRAFFIC_ON_FLAGS } from '../../src/emulators/sluice-config.js'
import { bedrockThroughSluice } from '../support/bedrock.js'
import { rejectionOf } from '../support/rejection.js'
import { CLIENT, startStack, type Stack } from '../support/stack.js'

const TOKEN = 'identifiers-admin-token-0123456789'
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0'
const SONNET = 'anthropic.claude-3-5-sonnet-20240620-v1:0'
const NOVA = 'amazon.nova-lite-v1:0'
const ALIASES = (model: string): string[] => [
  `arn:aws:bedrock:us-east-1::foundation-model/${model}`,
  `us.${model}`,
  `arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.${model}`,
  model.toUpperCase(),
]
let stack: Stack

beforeAll(async () => {
  stack = await startStack({
    configure(config) {
      config.admin = { host: '127.0.0.1', port: 0, tokens: [{ name: 'ops', token: TOKEN, role: 'admin' }] }
      config.flags = { ...TRAFFIC_ON_FLAGS, 'ai.ratelimit.enforce': FLAG_ON }
      config.rateLimits = { rules: [{ name: 'sonnet-once', key: ['model'], match: { model: SONNET }, requests: { limit: 1, windowSeconds: 3600 } }] }
      config.providers.bedrock!.alternates = { [HAIKU]: [{ model: NOVA }] }
    },
  })
})
afterAll(async () => {
  await stack.close()
})
beforeEach(() => {
  stack.decisions.length = 0
})

async function admin(method: string, path: string, body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${stack.sluice.adminUrl}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  expect(res.status).toBeLessThan(300)
}

const converse = (modelId: string) => new ConverseCommand({ modelId, messages: [{ role: 'user', content: [{ text: 'hi' }] }] })

describe('a model kill switch holds for every alias of the model', () => {
  it.each(ALIASES(HAIKU))('%s is refused with SLUICE_ERR_KILL_MODEL and never forwarded', async (alias) => {
    await admin('PUT', `/v1/kill-switches/model/${encodeURIComponent(HAIKU)}`, { reason: 'bad outputs' })
    const client = bedrockThroughSluice(stack.sluice.dataUrl)
    try {
      const before = stack.emulators.bedrock.requests.count
      const err = await rejectionOf<Error>(client.send(converse(alias)))
      expect(err.message).toContain('SLUICE_ERR_KILL_MODEL')
      expect(stack.emulators.bedrock.requests.count).toBe(before)
      expect(stack.decisions[0]).toMatchObject({ code: 'SLUICE_ERR_KILL_MODEL', model: HAIKU })
    } finally {
      await admin('DELETE', `/v1/kill-switches/model/${encodeURIComponent(HAIKU)}`, { reason: 'resolved' })
      client.destroy()
    }
  })
})

describe('limits key on the canonical model', () => {
  it('a one-request limit on a model is spent by its alias too', async () => {
    const client = bedrockThroughSluice(stack.sluice.dataUrl)
    try {
      await client.send(converse(SONNET))
      const err = await rejectionOf<Error & { name: string }>(client.send(converse(`us.${SONNET}`)))
      expect(err.name).toBe('ThrottlingException')
      expect(err.message).toContain('SLUICE_ERR_RATE_LIMITED')
    } finally {
      client.destroy()
    }
  })
})

describe('an alias is sent as the client sent it, and finds its base model\'s alternates', () => {
  it('a us. inference profile goes upstream unchanged; when it fails, the alternate of the base model serves', async () => {
    const client = bedrockThroughSluice(stack.sluice.dataUrl)
    try {
      stack.emulators.bedrock.script.enqueue({ status: 503 }, { status: 503 })
      const before = stack.emulators.bedrock.requests.count
      const out = await client.send(converse(`us.${HAIKU}`))
      expect(out.output?.message?.content?.[0]?.text).toContain(NOVA)
      const paths = stack.emulators.bedrock.requests.entries.slice(before - stack.emulators.bedrock.requests.count).map((r) => decodeURIComponent(r.path))
      expect(paths.slice(0, 2)).toEqual([`/model/us.${HAIKU}/converse`, `/model/us.${HAIKU}/converse`])
      expect(paths[2]).toBe(`/model/${NOVA}/converse`)
    } finally {
      stack.emulators.bedrock.script.reset()
      client.destroy()
    }
  })
})

describe('model ids that could break a header or forge a log line are refused before forwarding', () => {
  const BAD = ['gpt-4o\r\nx-evil: 1', 'gpt-4o\u0007', 'модель', 'gpt 4o']

  it.each(BAD)('HTTP/1.1: %j → 400 SLUICE_ERR_MODEL_INVALID', async (model) => {
    const before = stack.emulators.openai.requests.count
    const res = await fetch(`${stack.sluice.dataUrl}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CLIENT.credentials.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('SLUICE_ERR_MODEL_INVALID')
    expect(res.headers.get('x-evil')).toBeNull()
    expect(stack.emulators.openai.requests.count).toBe(before)
  })

  it.each(BAD)('h2c: %j → 400 SLUICE_ERR_MODEL_INVALID, no header smuggled', async (model) => {
    const before = stack.emulators.openai.requests.count
    const session = connect(stack.sluice.dataUrl)
    try {
      const { status, headers, body } = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
        const stream = session.request({
          ':method': 'POST',
          ':path': '/openai/v1/chat/completions',
          authorization: `Bearer ${CLIENT.credentials.apiKey}`,
          'content-type': 'application/json',
        })
        let text = ''
        let head: Record<string, unknown> = {}
        stream.on('response', (h) => (head = h))
        stream.on('data', (chunk: Buffer) => (text += chunk.toString()))
        stream.on('end', () => resolve({ status: Number(head[':status']), headers: head, body: text }))
        stream.on('error', reject)
        stream.end(JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }))
      })
      expect(status).toBe(400)
      expect(JSON.parse(body).error.code).toBe('SLUICE_ERR_MODEL_INVALID')
      expect(headers['x-evil']).toBeUndefined()
      expect(stack.emulators.openai.requests.count).toBe(before)
    } finally {
      session.close()
    }
  })

  it('a Bedrock path with a percent-encoded CR/LF in the model id → 400 in the Bedrock dialect', async () => {
    const before = stack.emulators.bedrock.requests.count
    const res = await fetch(`${stack.sluice.dataUrl}/bedrock/model/${encodeURIComponent('evil\r\nx-evil: 1')}/converse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [] }),
    })
    // Recognition (and the model check) come before client auth for native requests.
    expect(res.status).toBe(400)
    expect(res.headers.get('x-amzn-errortype')).toBe('ValidationException')
    expect(stack.emulators.bedrock.requests.count).toBe(before)
  })
})
