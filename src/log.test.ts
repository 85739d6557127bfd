import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger, decisionSink, REDACT_PATHS } from './log.js'
import type { RequestFacts } from './core/facts.js'
import { decisionFields } from './pipeline/settle.js'

function capture(): { lines: Array<Record<string, unknown>>; logger: ReturnType<typeof createLogger> } {
  const lines: Array<Record<string, unknown>> = []
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  })
  return { lines, logger: createLogger('info', sink) }
}

const config = {
  admin: { port: 9901, tokens: [{ name: 'ops', token: 'admin-token-0123456789', role: 'admin' }] },
  state: { store: 'redis', redis: { url: 'redis://default:redis-pw@cache:6379/0' } },
  providers: {
    bedrock: { mount: '/bedrock', region: 'us-east-1', credentials: { accessKeyId: 'AKIAUPSTREAM', secretAccessKey: 'aws-secret' } },
    openai: { mount: '/openai', apiKey: 'sk-upstream', endpoint: 'https://proxy-user:proxy-pw@proxy.example/v1' },
  },
  clients: [{ id: 'app', credentials: { accessKeyId: 'AKIDAPP', secretAccessKey: 'client-secret', apiKey: 'sk-client' } }],
  budgets: { estimate: { bytesPerToken: 4 }, alerts: { webhooks: [{ url: 'https://hooks.example/hook-token', headers: { authorization: 'Bearer hook-bearer' } }] } },
}
const SECRETS = ['admin-token', 'redis-pw', 'AKIAUPSTREAM', 'aws-secret', 'sk-upstream', 'proxy-pw', 'client-secret', 'sk-client', 'hook-token', 'hook-bearer']

describe('createLogger redaction', () => {
  it('derives its paths from the schema marks, next to the wire headers', () => {
    expect(REDACT_PATHS).toEqual(
      expect.arrayContaining([
        '*.headers.authorization',
        '*.headers["x-goog-api-key"]',
        'providers.*.apiKey',
        '*.providers.*.apiKey',
        '*.apiKey',
        'clients.*.credentials.secretAccessKey',
        '*.credentials.secretAccessKey',
        'budgets.alerts.webhooks.*.headers.*',
        'state.redis.url',
        '*.token',
      ]),
    )
    expect(REDACT_PATHS.some((p) => /bytesPerToken|maxTokens|accessKeyId$/.test(p) && !p.includes('credentials'))).toBe(false)
  })

  it.each([
    ['at the root', (logger: ReturnType<typeof createLogger>) => logger.info(config, 'config')],
    ['under one key', (logger: ReturnType<typeof createLogger>) => logger.info({ config }, 'config')],
  ])('censors every secret of a config logged %s, and keeps the rest', (_name, log) => {
    const { lines, logger } = capture()
    log(logger)
    logger.flush()
    const text = JSON.stringify(lines)
    for (const secret of SECRETS) expect(text).not.toContain(secret)
    expect(text).toContain('redis://<redacted>@cache:6379/0')
    expect(text).toContain('"bytesPerToken":4')
    expect(text).toContain('"AKIDAPP"')
  })

  it('censors one entry logged on its own', () => {
    const { lines, logger } = capture()
    logger.info({ provider: config.providers.openai, client: config.clients[0], webhook: config.budgets.alerts.webhooks[0] }, 'entries')
    logger.flush()
    const line = lines[0] as { provider: Record<string, unknown>; client: { credentials: Record<string, unknown> }; webhook: Record<string, unknown> }
    expect(line.provider).toEqual({ mount: '/openai', apiKey: '[redacted]', endpoint: 'https://<redacted>@proxy.example/v1' })
    // On its own, a client's credentials look like a provider's, whose accessKeyId is secret.
    expect(line.client.credentials).toEqual({ accessKeyId: '[redacted]', secretAccessKey: '[redacted]', apiKey: '[redacted]' })
    expect(line.webhook.url).toBe('[redacted]')
  })
})

describe('decisionSink', () => {
  const target = { requestId: 'r-1', arrivedAt: 0, provider: 'openai', model: 'gpt-4o-mini', route: 'openai', facts: undefined, tags: { 'x-sluice-experiment': 'cheaper', 'x-sluice-variant': 'mini' }, credit: undefined, creditHead: undefined }
  const outcome = {
    status: 200,
    decision: 'allow',
    code: '200',
    usage: { inputTokens: 8, outputTokens: 9, cachedTokens: 0, reasoningTokens: 1 },
    overheadMs: 0.25,
    ttftMs: Number.NaN,
    upstreamMs: 3,
    clientAborted: false,
    upstreamBroken: true,
    attempts: 2,
    fallback: true,
  } as const

  it('writes the line pino writes for the same record, strings escaped', () => {
    const ours = capture()
    const theirs = capture()
    const odd = { ...target, model: 'we"ird\nmodel\u2028', route: '\\route' }
    const fields = decisionFields(odd, outcome, 12.3456789)
    decisionSink(ours.logger)(fields)
    theirs.logger.info(JSON.parse(`{${fields}}`) as object, 'decision')
    const [a] = ours.lines
    const [b] = theirs.lines
    expect({ ...a, time: 0 }).toEqual({ ...b, time: 0 })
    expect(Object.keys(a!)).toEqual(Object.keys(b!))
    expect(a).toMatchObject({ experiment: 'cheaper', variant: 'mini', level: 30, service: 'sluice', model: 'we"ird\nmodel\u2028', route: '\\route', durationMs: 12.346, ttftMs: null, attempts: 2, fallback: true, upstreamBroken: true, msg: 'decision' })
    expect(a).not.toHaveProperty('clientAborted')
  })

  it('names a canary rollout and the arm', () => {
    const { lines, logger } = capture()
    decisionSink(logger)(decisionFields({ ...target, tags: { 'x-sluice-rollout': 'next', 'x-sluice-rollout-arm': 'canary' } }, outcome, 1))
    expect(lines[0]).toMatchObject({ rollout: 'next', rolloutArm: 'canary' })
    expect(lines[0]).not.toHaveProperty('experiment')
  })

  it('records the guardrails state as JSON.stringify writes it, with findings or without', () => {
    const event = { detector: 'pii', category: 'email', side: 'request', outcome: 'would_block', start: 3, end: 9 } as const
    for (const guardrails of [{ mode: 'block', events: [] }, { mode: 'log-only', events: [] }, { mode: 'log-only', events: [event] }] as const) {
      const facts = { operation: { name: 'chat.completions', stream: false }, guardrails: { mode: guardrails.mode, events: [...guardrails.events] } } as unknown as RequestFacts
      const fields = decisionFields({ ...target, facts }, outcome, 1)
      expect(fields).toContain(`,"guardrails":${JSON.stringify(guardrails)}`)
    }
  })

  it('follows the logger level', () => {
    const { lines, logger } = capture()
    const sink = decisionSink(logger)
    logger.level = 'warn'
    sink(decisionFields(target, outcome, 1))
    logger.level = 'info'
    sink(decisionFields(target, outcome, 1))
    expect(lines).toHaveLength(1)
  })
})
