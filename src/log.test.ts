import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger, REDACT_PATHS } from './log.js'

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
