// Issue #10 item 9: a deliberate refusal — a kill switch, emergency shutdown, egress or a
// provider switched off — is final: each official SDK at its default retry settings sends the call
// once (Sluice logs exactly one decision), and the SLUICE_ERR_* code reaches the application. The
// OpenAI and Llama SDKs get 503 with x-should-retry: false; the Bedrock SDK (which retries every
// 503) a 403 AccessDeniedException; the Gemini SDK (even with retryOptions) a 400 FAILED_PRECONDITION.
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime'
import { GoogleGenAI } from '@google/genai'
import LlamaAPIClient from 'llama-api-client'
import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { FLAG_ON } from '../../src/emulators/sluice-config.js'
import { rejectionOf } from '../support/rejection.js'
import { CLIENT, startStack, type Stack } from '../support/stack.js'

const TOKEN = 'refusals-admin-token-0123456789'
let stack: Stack

beforeAll(async () => {
  stack = await startStack({
    configure(config) {
      config.admin = { host: '127.0.0.1', port: 0, tokens: [{ name: 'ops', token: TOKEN, role: 'admin' }] }
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
  const res = await fetch(`${stack.sluice.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  expect(res.status, `${method} ${path}`).toBeLessThan(300)
}

const OFF = { ...FLAG_ON, defaultVariant: 'off' }

interface Refusal {
  name: string
  code: string
  on(provider: string): Promise<void>
  off(provider: string): Promise<void>
}

const REFUSALS: Refusal[] = [
  {
    name: 'a provider kill switch',
    code: 'SLUICE_ERR_KILL_PROVIDER',
    on: (p) => admin('PUT', `/v1/kill-switches/provider/${p}`, { reason: 'incident' }),
    off: (p) => admin('DELETE', `/v1/kill-switches/provider/${p}`, { reason: 'resolved' }),
  },
  {
    name: 'emergency shutdown',
    code: 'SLUICE_ERR_KILL_GLOBAL',
    on: () => admin('POST', '/v1/emergency-shutdown', { reason: 'incident' }),
    off: () => admin('DELETE', '/v1/emergency-shutdown', { reason: 'resolved' }),
  },
  {
    name: 'egress off',
    code: 'SLUICE_ERR_EGRESS_DISABLED',
    on: () => admin('PUT', '/v1/flags/ai.egress.enabled', { definition: OFF, reason: 'dark' }),
    off: () => admin('DELETE', '/v1/flags/ai.egress.enabled/override', { reason: 'back' }),
  },
  {
    name: 'the provider switched off',
    code: 'SLUICE_ERR_PROVIDER_DISABLED',
    on: (p) => admin('PUT', `/v1/flags/ai.provider.${p}.enabled`, { definition: OFF, reason: 'off' }),
    off: (p) => admin('DELETE', `/v1/flags/ai.provider.${p}.enabled/override`, { reason: 'on' }),
  },
]

interface Sdk {
  name: string
  provider: string
  /** The call, at the SDK's default retry settings; resolves to the error it raised. */
  call(): Promise<Error & Record<string, any>>
  /** Where the SDK's error carries Sluice's code, and what else must hold. */
  check(err: Error & Record<string, any>, code: string): void
}

const SDKS: Sdk[] = [
  {
    name: 'openai (maxRetries 2 by default)',
    provider: 'openai',
    call: () => rejectionOf(new OpenAI({ baseURL: `${stack.sluice.dataUrl}/openai/v1`, apiKey: CLIENT.credentials.apiKey }).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })),
    check(err, code) {
      expect(err.status).toBe(503)
      expect(err.code).toBe(code)
    },
  },
  {
    name: 'llama-api-client (default retries)',
    provider: 'meta',
    call: () =>
      rejectionOf(
        new LlamaAPIClient({ baseURL: `${stack.sluice.dataUrl}/meta/v1`, apiKey: CLIENT.credentials.apiKey }).chat.completions.create({
          model: 'Llama-4-Maverick-17B-128E-Instruct-FP8',
          messages: [{ role: 'user', content: 'hi' }],
        }),
      ),
    check(err, code) {
      expect(err.status).toBe(503)
      expect(JSON.stringify(err.error)).toContain(code)
    },
  },
  {
    name: 'Bedrock Runtime (standard retry strategy, 3 attempts)',
    provider: 'bedrock',
    async call() {
      const bedrock = new BedrockRuntimeClient({
        region: 'us-east-1',
        endpoint: `${stack.sluice.dataUrl}/bedrock`,
        credentials: { accessKeyId: CLIENT.credentials.accessKeyId, secretAccessKey: CLIENT.credentials.secretAccessKey },
      })
      try {
        return await rejectionOf(bedrock.send(new ConverseCommand({ modelId: 'anthropic.claude-3-haiku-20240307-v1:0', messages: [{ role: 'user', content: [{ text: 'hi' }] }] })))
      } finally {
        bedrock.destroy()
      }
    },
    check(err, code) {
      expect(err.name).toBe('AccessDeniedException')
      expect(err.$metadata.httpStatusCode).toBe(403)
      expect(err.message).toContain(code)
    },
  },
  {
    name: '@google/genai (with retryOptions: 4 attempts)',
    provider: 'google',
    call: () =>
      rejectionOf(
        new GoogleGenAI({ apiKey: CLIENT.credentials.apiKey, httpOptions: { baseUrl: `${stack.sluice.dataUrl}/google`, retryOptions: { attempts: 4 } } }).models.generateContent({
          model: 'gemini-2.5-flash',
          contents: 'hi',
        }),
      ),
    check(err, code) {
      expect(err.message).toContain('FAILED_PRECONDITION')
      expect(err.message).toContain(code)
    },
  },
]

const CASES = REFUSALS.flatMap((refusal) => SDKS.map((sdk) => ({ refusal, sdk, name: `${refusal.name} → ${sdk.name}` })))

describe('deliberate refusals are sent once by every official SDK', () => {
  it.each(CASES)('$name', async ({ refusal, sdk }) => {
    await refusal.on(sdk.provider)
    try {
      stack.decisions.length = 0
      const err = await sdk.call()
      sdk.check(err, refusal.code)
      expect(stack.decisions.map((d) => d.code)).toEqual([refusal.code])
    } finally {
      await refusal.off(sdk.provider)
    }
  })
})
