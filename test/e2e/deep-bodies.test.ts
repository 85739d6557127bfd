// Issue #10 item 1: one request's failure stays that request's. Bodies nesting JSON past the limit
// (here 100,000 levels, the size that crashed the process through a fallback's model rewrite) are
// refused with 400 SLUICE_ERR_REQUEST_TOO_DEEP in each mount's dialect before anything is
// forwarded — with retries, alternates, unified fallbacks and circuit breakers (that do not trip here) configured — and the
// next request is served. A body just inside the limit takes the full fallback path and is served.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { EmulatorType } from '../../src/emulators/index.js'
import { startStack, type Stack } from '../support/stack.js'

const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0'
const SONNET = 'anthropic.claude-3-5-sonnet-20240620-v1:0'
let stack: Stack

beforeAll(async () => {
  stack = await startStack({
    configure(config) {
      config.server = { host: '127.0.0.1', port: 0, maxBodyBytes: 1024 * 1024 }
      for (const provider of Object.values(config.providers)) provider.auth = 'none'
      config.providers.openai!.alternates = { 'gpt-4o': [{ model: 'gpt-4o-mini' }] }
      config.providers.meta!.alternates = { 'Llama-4-Maverick-17B-128E-Instruct-FP8': [{ model: 'Llama-3.3-70B-Instruct' }] }
      config.providers.google!.alternates = { 'gemini-2.5-flash': [{ model: 'gemini-2.5-pro' }] }
      config.providers.bedrock!.alternates = { [HAIKU]: [{ model: SONNET }] }
      config.unified = { auth: 'none' }
      config.models = { deep: { targets: [{ provider: 'bedrock', model: HAIKU }, { provider: 'google', model: 'gemini-2.5-flash', weight: 0 }] } }
      config.resilience = { retries: { maxRetries: 1, backoffMs: 1 }, circuitBreaker: { volumeThreshold: 1000 } }
    },
  })
})
afterAll(async () => {
  await stack.close()
})
beforeEach(() => {
  for (const emulator of Object.values(stack.emulators)) if (typeof emulator === 'object' && 'script' in emulator) emulator.script.reset()
})

const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth)

interface Mount {
  name: string
  emulator: EmulatorType
  path: string
  body: (extra: string) => string
  /** Where the dialect puts the code. */
  code: (json: any, headers: Headers) => unknown
}

const MOUNTS: Mount[] = [
  {
    name: 'openai',
    emulator: 'openai',
    path: '/openai/v1/chat/completions',
    body: (extra) => `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"metadata_x":${extra}}`,
    code: (json) => json.error.code,
  },
  {
    name: 'llama',
    emulator: 'llama',
    path: '/meta/v1/chat/completions',
    body: (extra) => `{"model":"Llama-4-Maverick-17B-128E-Instruct-FP8","messages":[{"role":"user","content":"hi"}],"x":${extra}}`,
    code: (json) => json.error.code,
  },
  {
    name: 'gemini',
    emulator: 'gemini',
    path: '/google/v1beta/models/gemini-2.5-flash:generateContent',
    body: (extra) => `{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"x":${extra}}`,
    code: (json) => json.error.message,
  },
  {
    name: 'bedrock',
    emulator: 'bedrock',
    path: `/bedrock/model/${encodeURIComponent(HAIKU)}/converse`,
    body: (extra) => `{"messages":[{"role":"user","content":[{"text":"hi"}]}],"x":${extra}}`,
    code: (json, headers) => `${headers.get('x-amzn-errortype')} ${json.message}`,
  },
]

async function post(path: string, body: string): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(`${stack.sluice.dataUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  const text = await res.text()
  return { status: res.status, json: text === '' ? undefined : JSON.parse(text), headers: res.headers }
}

describe('a body nested past the limit is refused in its dialect, and the process keeps serving', () => {
  it.each(MOUNTS)('$name: 100,000 levels with the primary failing → 400 TOO_DEEP, never forwarded', async (mount) => {
    const emulator = stack.emulators[mount.emulator]
    emulator.script.enqueue({ status: 503 }, { status: 503 }, { status: 503 })
    const before = emulator.requests.count
    const refused = await post(mount.path, mount.body(nested(100_000)))
    expect(refused.status).toBe(400)
    expect(String(mount.code(refused.json, refused.headers))).toContain('SLUICE_ERR_REQUEST_TOO_DEEP')
    expect(emulator.requests.count).toBe(before)
    emulator.script.reset()
    expect((await post(mount.path, mount.body('1'))).status).toBe(200)
  })

  it.each(MOUNTS)('$name: 100 levels (inside the limit) with the primary failing → retried, then the alternate serves', async (mount) => {
    const emulator = stack.emulators[mount.emulator]
    emulator.script.enqueue({ status: 503 }, { status: 503 })
    const served = await post(mount.path, mount.body(nested(100)))
    expect(served.status).toBe(200)
    expect(served.headers.get('x-sluice-fallback')).not.toBeNull()
    expect(served.headers.get('x-sluice-attempts')).toBe('3')
  })
})

describe('the unified endpoint', () => {
  const chat = (messages: unknown[]): string => JSON.stringify({ model: 'deep', messages })

  it.each([
    { name: 'a deep body', body: `{"model":"deep","messages":[{"role":"user","content":"hi"}],"x":${nested(100_000)}}` },
    {
      name: 'deep tool-call arguments (a JSON string)',
      body: chat([
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: nested(100_000) } }] },
        { role: 'tool', tool_call_id: 'c1', content: '{}' },
      ]),
    },
    {
      name: 'a deep tool result (a JSON string)',
      body: chat([
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: nested(100_000) },
      ]),
    },
  ])('$name with the first target failing → 400 TOO_DEEP in OpenAI format; the next call is served', async ({ body }) => {
    stack.emulators.bedrock.script.enqueue({ status: 503 }, { status: 503 })
    const before = stack.emulators.bedrock.requests.count + stack.emulators.gemini.requests.count
    const refused = await post('/v1/chat/completions', body)
    expect(refused.status).toBe(400)
    expect(refused.json.error.code).toBe('SLUICE_ERR_REQUEST_TOO_DEEP')
    expect(stack.emulators.bedrock.requests.count + stack.emulators.gemini.requests.count).toBe(before)
    stack.emulators.bedrock.script.reset()
    expect((await post('/v1/chat/completions', chat([{ role: 'user', content: 'hi' }]))).status).toBe(200)
  })
})
