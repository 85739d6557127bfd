// Guardrails end to end with the official SDKs against the emulators. The mode comes from flag
// `ai.guardrails.mode`, targeted on an attribute so each request picks it: `x-sluice-attr-gr: log`
// runs log-only, anything else block. Block mode refuses a request carrying a credential in every
// dialect before anything goes upstream (each SDK raises a 400 with the guardrail's code), masks
// personal data before the request leaves (native and unified), and ends an answer that carries a
// credential — a dialect error for a whole answer, an error in the stream's framing mid-stream.
// Log-only lets the same requests through unchanged and says what fired.
import { ConverseCommand, ConverseStreamCommand, InvokeModelCommand, InvokeModelWithResponseStreamCommand } from '@aws-sdk/client-bedrock-runtime'
import { GoogleGenAI } from '@google/genai'
import LlamaAPIClient from 'llama-api-client'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { TRAFFIC_ON_FLAGS } from '../../src/emulators/sluice-config.js'
import { bedrockThroughSluice } from '../support/bedrock.js'
import { rejectionOf } from '../support/rejection.js'
import { ctl } from '../../src/cli/ctl.js'
import { CLIENT, startStack, type Stack } from '../support/stack.js'

// Made-up credentials of the right shapes (not AWS's documented example key, which is a common
// fixture string in code and docs).
const AWS_KEY = 'AKIAQ3EGRN5LP7XKZ2VD'
const CARD = '4111 1111 1111 1111'
const CLAUDE = 'anthropic.claude-3-haiku-20240307-v1:0'
const LOG = { 'x-sluice-attr-gr': 'log' }
const VIEWER = 'guardrails-viewer-token-0123'

let stack: Stack
let canned: Server

// A fixed upstream for the byte-equality check: the same SSE bytes every time, a credential and a
// card split across events, written in small pieces.
const CANNED = Buffer.from(
  ['Your key is AKIAQ3EG', 'RN5LP7XKZ2VD and card 4111 11', '11 1111 1111. Bye.']
    .map((content, i) => `data: ${JSON.stringify({ id: 'chatcmpl-fixed', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content }, finish_reason: i === 2 ? 'stop' : null }] })}\n\n`)
    .join('') + 'data: [DONE]\n\n',
)

beforeAll(async () => {
  canned = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      let at = 0
      const next = (): void => {
        if (at >= CANNED.length) return void res.end()
        res.write(CANNED.subarray(at, (at += 13)))
        setImmediate(next)
      }
      next()
    })
  })
  await new Promise<void>((resolve) => canned.listen(0, '127.0.0.1', resolve))
  stack = await startStack({
    configure: (config) => {
      config.providers.canned = { type: 'openai', mount: '/canned', endpoint: `http://127.0.0.1:${(canned.address() as AddressInfo).port}`, apiKey: 'sk-upstream' }
      config.log = { level: 'info', decisions: true }
      config.admin = { host: '127.0.0.1', port: 0, tokens: [{ name: 'dash', token: VIEWER, role: 'viewer' }] }
      config.models = { chat: { targets: [{ provider: 'bedrock', model: CLAUDE }] } }
      config.flags = {
        ...TRAFFIC_ON_FLAGS,
        'ai.guardrails.mode': {
          state: 'ENABLED',
          variants: { off: 'off', 'log-only': 'log-only', block: 'block' },
          defaultVariant: 'block',
          targeting: { if: [{ '==': [{ var: 'gr' }, 'log'] }, 'log-only', { '==': [{ var: 'gr' }, 'off'] }, 'off', 'block'] },
        },
      }
    },
  })
})
afterAll(async () => {
  await stack?.close()
  canned?.close()
})
const EMULATORS = ['bedrock', 'gemini', 'llama', 'openai'] as const
beforeEach(() => {
  for (const type of EMULATORS) stack.emulators[type].script.reset()
})

const openai = (path = '/openai/v1') => new OpenAI({ baseURL: `${stack.sluice.dataUrl}${path}`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
const llama = () => new LlamaAPIClient({ baseURL: `${stack.sluice.dataUrl}/meta/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
const gemini = (headers: Record<string, string> = {}) => new GoogleGenAI({ apiKey: CLIENT.credentials.apiKey, httpOptions: { baseUrl: `${stack.sluice.dataUrl}/google`, headers } })
const bedrock = () => bedrockThroughSluice(stack.sluice.dataUrl)
const leak = `Here is my key ${AWS_KEY}, please debug my script.`
const total = () => EMULATORS.reduce((n, type) => n + stack.emulators[type].requests.count, 0)

describe('guardrails on requests, block mode', () => {
  const refusedIn = async (name: string, call: () => Promise<unknown>, check: (err: any) => void) => {
    const before = total()
    const err = await rejectionOf<any>(call())
    check(err)
    expect(total(), `${name}: nothing went upstream`).toBe(before)
  }

  it('refuses a credential in every dialect, before anything goes upstream, with an error each SDK does not retry', async () => {
    const openaiCode = (err: any) => {
      expect(err).toBeInstanceOf(OpenAI.BadRequestError)
      expect(err.code).toBe('SLUICE_ERR_GUARDRAIL_CREDENTIALS')
    }
    await refusedIn('openai', () => openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: leak }] }), openaiCode)
    await refusedIn('openai responses', () => openai().responses.create({ model: 'gpt-4o-mini', input: leak }), openaiCode)
    await refusedIn('unified', () => openai('/v1').chat.completions.create({ model: 'chat', messages: [{ role: 'system', content: leak }, { role: 'user', content: 'hi' }] }), openaiCode)
    await refusedIn('llama', () => llama().chat.completions.create({ model: 'Llama-4-Maverick-17B-128E-Instruct-FP8', messages: [{ role: 'user', content: leak }] }), (err) => {
      expect(err).toBeInstanceOf(LlamaAPIClient.BadRequestError)
      expect(JSON.stringify(err.error)).toContain('SLUICE_ERR_GUARDRAIL_CREDENTIALS')
    })
    await refusedIn('gemini', () => gemini().models.generateContent({ model: 'gemini-2.5-flash', contents: leak }), (err) => {
      expect(err.status).toBe(400)
      expect(err.message).toContain('SLUICE_ERR_GUARDRAIL_CREDENTIALS')
    })
    const bedrockCode = (err: any) => {
      expect(err.name).toBe('ValidationException')
      expect(err.$metadata.httpStatusCode).toBe(400)
      expect(err.message).toContain('SLUICE_ERR_GUARDRAIL_CREDENTIALS')
    }
    await refusedIn('converse', () => bedrock().send(new ConverseCommand({ modelId: CLAUDE, messages: [{ role: 'user', content: [{ text: leak }] }] })), bedrockCode)
    await refusedIn('invoke (anthropic body)', () =>
      bedrock().send(
        new InvokeModelCommand({
          modelId: CLAUDE,
          contentType: 'application/json',
          body: JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 64, system: leak, messages: [{ role: 'user', content: 'hi' }] }),
        }),
      ), bedrockCode)
  })

  it('masks personal data before the request leaves: native, and unified for every target', async () => {
    await openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Charge card ${CARD} for me.` }] })
    const sent = JSON.stringify(stack.emulators.openai.requests.last()!.body)
    expect(sent).toContain('[REDACTED:card]')
    expect(sent).not.toContain('4111')

    await openai('/v1').chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: `Mail me at jane.doe@example.com about ${CARD}.` }] })
    const converse = JSON.stringify(stack.emulators.bedrock.requests.last()!.body)
    expect(converse).toContain('[REDACTED:email]')
    expect(converse).toContain('[REDACTED:card]')
    expect(converse).not.toContain('jane.doe')
    const record = stack.decisions.at(-1) as any
    expect(record.guardrails.mode).toBe('block')
    expect(record.guardrails.events.map((e: any) => `${e.detector}:${e.category}:${e.outcome}`).sort()).toEqual(['pii:card:redacted', 'pii:email:redacted'])
    // Offsets, never the text.
    expect(JSON.stringify(record)).not.toContain('jane.doe')
  })
})

describe('guardrails on requests, log-only mode', () => {
  it('lets the request through unchanged, says what fired, and counts what block mode would have refused', async () => {
    const content = `${leak} Card ${CARD}.`
    const { response } = await openai()
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }, { headers: LOG })
      .withResponse()
    expect(response.status).toBe(200)
    expect(response.headers.get('x-sluice-guardrail')).toBe('pii:card,credentials:aws_access_key_id')
    expect((stack.emulators.openai.requests.last()!.body as any).messages[0].content).toBe(content)
    const record = stack.decisions.at(-1) as any
    expect(record.guardrails).toMatchObject({ mode: 'log-only' })
    expect(record.guardrails.events.map((e: any) => e.outcome).sort()).toEqual(['would_block', 'would_redact'])
    const metrics = await (await fetch(`${stack.sluice.adminUrl}/metrics`)).text()
    expect(metrics).toMatch(/sluice_guardrail_would_block_total\{detector="credentials",side="request"\} [1-9]/)
    expect(metrics).toMatch(/sluice_guardrail_checks_total\{detector="credentials",action="block",mode="block",outcome="blocked"\} [1-9]/)
  })
})

describe('guardrails on answers', () => {
  const answer = `Sure, use ${AWS_KEY} as the access key id and then restart the service.`

  it('ends a whole answer carrying a credential with a dialect error, before its first byte', async () => {
    stack.emulators.openai.script.enqueue({ text: answer })
    const err = await rejectionOf<any>(openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What key do I use?' }] }))
    expect(err).toBeInstanceOf(OpenAI.BadRequestError)
    expect(err.code).toBe('SLUICE_ERR_GUARDRAIL_CREDENTIALS')
    expect(JSON.stringify(err.error)).not.toContain(AWS_KEY)
  })

  it('ends a stream carrying a credential with an error in its own framing once text went out, the credential never sent', async () => {
    // Over a kilobyte of harmless text first, so the stream has begun when the key comes.
    const long = `${'All is well here today. '.repeat(120)}${answer}`
    stack.emulators.openai.script.enqueue({ text: long, chunks: 120, chunkDelayMs: 1 })
    const stream = await openai().chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'What key?' }] })
    let text = ''
    const err = await rejectionOf<any>(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
      })(),
    )
    expect(String(err.message)).toContain('SLUICE_ERR_GUARDRAIL_CREDENTIALS')
    expect(text.length).toBeGreaterThan(0)
    expect(text).not.toContain('AKIA')

    stack.emulators.bedrock.script.enqueue({ text: long, chunks: 120, chunkDelayMs: 1 })
    const converse = await bedrock().send(new ConverseStreamCommand({ modelId: CLAUDE, messages: [{ role: 'user', content: [{ text: 'What key?' }] }] }))
    let said = ''
    const bedrockErr = await rejectionOf<any>(
      (async () => {
        for await (const event of converse.stream!) said += event.contentBlockDelta?.delta?.text ?? ''
      })(),
    )
    expect(bedrockErr.message).toContain('SLUICE_ERR_GUARDRAIL_CREDENTIALS')
    expect(said.length).toBeGreaterThan(0)
    expect(said).not.toContain('AKIA')
  })

  it('ends streams of every other dialect the same way: Gemini, Llama, Bedrock InvokeModel', async () => {
    const long = `${'All is well here today. '.repeat(120)}${answer}`
    // Each SDK raises with the code; llama-api-client yields an SSE error event as a chunk, so
    // there the code arrives as a chunk and the cut after it ends the stream.
    const drain = async (name: string, start: () => Promise<AsyncIterable<unknown>>, textOf: (event: any) => string) => {
      let said = ''
      let chunks = ''
      const err = await rejectionOf<any>(
        (async () => {
          for await (const event of await start()) {
            said += textOf(event)
            chunks += JSON.stringify(event)
          }
        })(),
      )
      expect(`${String(err?.message)} ${chunks.slice(-2000)}`, name).toContain('SLUICE_ERR_GUARDRAIL_CREDENTIALS')
      expect(said.length, `${name}: text went out first`).toBeGreaterThan(0)
      expect(said, name).not.toContain('AKIA')
    }
    stack.emulators.gemini.script.enqueue({ text: long, chunks: 120, chunkDelayMs: 1 })
    await drain('gemini', () => gemini().models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'What key?' }), (chunk) => chunk.text ?? '')
    stack.emulators.llama.script.enqueue({ text: long, chunks: 120, chunkDelayMs: 1 })
    await drain(
      'llama',
      () => llama().chat.completions.create({ model: 'Llama-4-Maverick-17B-128E-Instruct-FP8', messages: [{ role: 'user', content: 'What key?' }], stream: true }) as Promise<AsyncIterable<unknown>>,
      (chunk) => (chunk.event?.delta?.type === 'text' ? chunk.event.delta.text : ''),
    )
    stack.emulators.bedrock.script.enqueue({ text: long, chunks: 120, chunkDelayMs: 1 })
    const body = JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 2000, messages: [{ role: 'user', content: 'What key?' }] })
    await drain(
      'invoke-stream',
      async () => (await bedrock().send(new InvokeModelWithResponseStreamCommand({ modelId: CLAUDE, body, contentType: 'application/json' }))).body!,
      (event) => {
        const json = JSON.parse(Buffer.from(event.chunk?.bytes ?? []).toString('utf8') || '{}')
        return json.delta?.text ?? ''
      },
    )
  })

  it('refuses a stream whose credential comes before anything went out with a dialect error', async () => {
    stack.emulators.openai.script.enqueue({ text: answer, chunks: 8 })
    const err = await rejectionOf<any>(openai().chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'What key?' }] }))
    expect(err).toBeInstanceOf(OpenAI.BadRequestError)
    expect(err.code).toBe('SLUICE_ERR_GUARDRAIL_CREDENTIALS')
  })

  it('in log-only mode the client gets exactly the bytes it gets with guardrails off', async () => {
    const fetchAs = async (mode: string) => {
      const response = await fetch(`${stack.sluice.dataUrl}/canned/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${CLIENT.credentials.apiKey}`, 'content-type': 'application/json', 'x-sluice-attr-gr': mode },
        body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hello' }] }),
      })
      return Buffer.from(await response.arrayBuffer())
    }
    const off = await fetchAs('off')
    const logged = await fetchAs('log')
    expect(off.equals(CANNED)).toBe(true)
    expect(logged.equals(CANNED)).toBe(true)
    const record = stack.decisions.at(-1) as any
    expect(record.guardrails.events.map((e: any) => `${e.detector}:${e.category}:${e.outcome}`)).toEqual(['credentials:aws_access_key_id:would_block', 'pii:card:logged'])
    // And block mode stops it: the key is split across the first two events.
    const blocked = (await fetchAs('block')).toString()
    expect(blocked).toContain('SLUICE_ERR_GUARDRAIL_CREDENTIALS')
    expect(blocked).not.toContain('AKIAQ3EG')
  })

  it('in log-only mode passes the answer as it came and records what would have ended it', async () => {
    stack.emulators.gemini.script.enqueue({ text: answer })
    const result = await gemini(LOG).models.generateContent({ model: 'gemini-2.5-flash', contents: 'What key?' })
    expect(result.text).toBe(answer)
    const record = stack.decisions.at(-1) as any
    expect(record.guardrails.events).toEqual([expect.objectContaining({ detector: 'credentials', category: 'aws_access_key_id', side: 'response', outcome: 'would_block' })])
  })
})

describe('guardrails on the admin API and in sluice ctl', () => {
  it('shows the detectors, the mode and the counters', async () => {
    const response = await fetch(`${stack.sluice.adminUrl}/v1/guardrails`, { headers: { authorization: `Bearer ${VIEWER}` } })
    const body = (await response.json()) as any
    expect(body.mode).toMatchObject({ value: 'block', reason: 'TARGETING_MATCH' })
    expect(body.detectors.pii).toMatchObject({ enabled: true, action: 'redact', failMode: 'open', on: ['request', 'response'] })
    expect(body.detectors.injection).toMatchObject({ action: 'log', on: ['request'] })
    expect(body.counters.checks).toContainEqual(expect.objectContaining({ detector: 'credentials', mode: 'block', outcome: 'blocked' }))
    expect(body.counters.wouldBlock).toContainEqual(expect.objectContaining({ detector: 'credentials', side: 'request' }))
    let out = ''
    const code = await ctl(['guardrails', '--url', stack.sluice.adminUrl, '--token', VIEWER], { env: {}, out: (t) => (out += t), err: () => undefined })
    expect(code).toBe(0)
    expect(out).toMatch(/Mode: block/)
    expect(out).toMatch(/credentials\s+true\s+block\s+open\s+request,response/)
    expect(out).toMatch(/Would have blocked \(log-only\): .*credentials \(request\) [1-9]/)
  })
})

describe('the guard model', () => {
  let guarded: Stack
  const GUARD = 'Llama-Guard-4-12B'
  beforeAll(async () => {
    guarded = await startStack({
      configure: (config) => {
        config.log = { level: 'info', decisions: true }
        config.admin = { host: '127.0.0.1', port: 0, tokens: [{ name: 'dash', token: VIEWER, role: 'viewer' }] }
        config.flags = { ...TRAFFIC_ON_FLAGS, 'ai.guardrails.mode': { state: 'ENABLED', variants: { block: 'block' }, defaultVariant: 'block' } }
        config.guardrails = { model: { enabled: true, target: { provider: 'meta', model: GUARD }, timeoutMs: 300 } }
        config.budgets = { limits: { guard: { scope: 'guardrail', limitUsd: 100, window: 'day' } } }
      },
    })
  })
  afterAll(async () => guarded?.close())

  const ask = (content: string) =>
    new OpenAI({ baseURL: `${guarded.sluice.dataUrl}/openai/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] })
  const guard = () => guarded.emulators.llama

  it('asks the guard model through the upstream path, and lets a request it calls safe through', async () => {
    guard().script.enqueue({ text: 'safe' })
    await ask('What is the capital of France?')
    const asked = guard().requests.last()!
    expect(asked.body).toMatchObject({ model: GUARD, messages: [{ role: 'user', content: 'What is the capital of France?' }] })
    expect(guarded.emulators.openai.requests.count).toBe(1)
  })

  it('refuses a request it calls unsafe, naming the categories, and remembers the verdict', async () => {
    guard().script.enqueue({ text: 'unsafe\nS1,S10' })
    const err = await rejectionOf<any>(ask('Something the guard dislikes.'))
    expect(err).toBeInstanceOf(OpenAI.BadRequestError)
    expect(err.code).toBe('SLUICE_ERR_GUARDRAIL_MODEL')
    expect(err.message).toContain('S1+S10')
    const calls = guard().requests.count
    const again = await rejectionOf<any>(ask('Something the guard dislikes.'))
    expect(again.code).toBe('SLUICE_ERR_GUARDRAIL_MODEL')
    expect(guard().requests.count, 'the second verdict came from the cache').toBe(calls)
    expect(guarded.emulators.openai.requests.count).toBe(1)
    const record = guarded.decisions.at(-1) as any
    expect(record.guardrails.events).toEqual([expect.objectContaining({ detector: 'model', category: 'S1+S10', outcome: 'blocked' })])
  })

  it('fails open when the guard model is too slow, and counts its calls in the guardrail budget', async () => {
    guard().script.enqueue({ text: 'unsafe', latencyMs: 2000 })
    const started = performance.now()
    await ask('A slow verdict, please.')
    expect(performance.now() - started).toBeLessThan(1500)
    const record = guarded.decisions.at(-1) as any
    expect(record.guardrails.events).toEqual([expect.objectContaining({ detector: 'model', outcome: 'failed' })])
    const budgets = (await (await fetch(`${guarded.sluice.adminUrl}/v1/budgets`, { headers: { authorization: `Bearer ${VIEWER}` } })).json()) as any
    expect(budgets.budgets.find((b: any) => b.budget === 'guard').spentUsd).toBeGreaterThan(0)
  })
})

describe('the guard model and redaction', () => {
  it('asks the guard model about the masked text, not the personal data', async () => {
    const guarded = await startStack({
      configure: (config) => {
        config.flags = { ...TRAFFIC_ON_FLAGS, 'ai.guardrails.mode': { state: 'ENABLED', variants: { block: 'block' }, defaultVariant: 'block' } }
        config.guardrails = { model: { enabled: true, target: { provider: 'meta', model: 'Llama-Guard-4-12B' } } }
      },
    })
    try {
      guarded.emulators.llama.script.enqueue({ text: 'safe' })
      await new OpenAI({ baseURL: `${guarded.sluice.dataUrl}/openai/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 }).chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: `Refund card ${CARD} please.` }],
      })
      const asked = JSON.stringify(guarded.emulators.llama.requests.last()!.body)
      expect(asked).toContain('[REDACTED:card]')
      expect(asked).not.toContain('4111')
    } finally {
      await guarded.close()
    }
  })
})
