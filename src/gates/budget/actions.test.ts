import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createActionRunner, type AlertResult } from './actions.js'
import type { BudgetsConfig, ThresholdAction } from './schema.js'
import type { ThresholdEvent } from './thresholds.js'

const event = (actions: ThresholdAction[]): ThresholdEvent => ({
  id: 'total/*|d2025-01-31|80',
  budget: 'total',
  scope: 'global',
  value: '*',
  window: 'day',
  windowKey: 'd2025-01-31',
  windowEndMs: Date.parse('2025-02-01T00:00:00Z'),
  atPercent: 80,
  limitUsd: 10,
  spentUsd: 8.25,
  actions,
  atMs: Date.parse('2025-01-31T12:00:00Z'),
})

interface Hit {
  readonly headers: IncomingHttpHeaders
  readonly body: unknown
}

/** A webhook receiver on port 0 that answers with the given statuses in turn. */
async function receiver(statuses: number[]): Promise<{ url: string; hits: Hit[]; server: Server }> {
  const hits: Hit[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      hits.push({ headers: req.headers, body: JSON.parse(body) })
      res.statusCode = statuses[hits.length - 1] ?? 200
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  servers.push(server)
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, hits, server }
}

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))))
})

const alerts = (url: string, extra: Partial<BudgetsConfig['alerts']> = {}): BudgetsConfig['alerts'] => ({
  webhooks: [{ url, headers: { authorization: 'Bearer hook-secret' } }],
  maxAttempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  timeoutMs: 5000,
  ...extra,
})

function runner(config: BudgetsConfig['alerts']) {
  const delays: number[] = []
  const results: AlertResult[] = []
  const actions: ThresholdAction[] = []
  const run = createActionRunner({
    alerts: config,
    sleep: async (ms) => void delays.push(ms),
    onAlert: (_event, result) => results.push(result),
    onAction: (_event, action) => actions.push(action),
  })
  return { run, delays, results, actions }
}

describe('alert webhooks', () => {
  it('retry with exponential backoff until the receiver accepts', async () => {
    const hook = await receiver([503, 503, 200])
    const { run, delays, results } = runner(alerts(hook.url))
    await run.run(event([{ action: 'alert' }]))
    expect(hook.hits).toHaveLength(3)
    expect(delays).toEqual([1000, 2000])
    expect(results).toEqual([{ url: hook.url, delivered: true, attempts: 3, status: 200 }])
    const first = hook.hits[0]
    expect(first?.headers).toMatchObject({ 'content-type': 'application/json', 'x-sluice-event-id': 'total/*|d2025-01-31|80', authorization: 'Bearer hook-secret' })
    expect(first?.body).toMatchObject({ type: 'sluice.budget.threshold', budget: 'total', atPercent: 80, spentUsd: 8.25, at: '2025-01-31T12:00:00.000Z' })
    // Every retry carries the same event id, so the receiver can drop duplicates.
    expect(new Set(hook.hits.map((h) => h.headers['x-sluice-event-id'])).size).toBe(1)
  })

  it('give up after maxAttempts, with the delay capped', async () => {
    const hook = await receiver([500, 500, 500, 500])
    const { run, delays, results } = runner(alerts(hook.url, { maxAttempts: 4, maxDelayMs: 1500 }))
    await run.run(event([{ action: 'alert' }]))
    expect(hook.hits).toHaveLength(4)
    expect(delays).toEqual([1000, 1500, 1500])
    expect(results).toEqual([{ url: hook.url, delivered: false, attempts: 4, status: 500 }])
  })

  it('do not retry a receiver that rejects the request', async () => {
    const hook = await receiver([404])
    const { run, results } = runner(alerts(hook.url))
    await run.run(event([{ action: 'alert' }]))
    expect(results).toEqual([{ url: hook.url, delivered: false, attempts: 1, status: 404 }])
  })

  it('retry when nothing listens', async () => {
    const hook = await receiver([])
    await new Promise((resolve) => hook.server.close(resolve))
    const { run, results } = runner(alerts(hook.url, { maxAttempts: 2 }))
    await run.run(event([{ action: 'alert' }]))
    expect(results).toEqual([{ url: hook.url, delivered: false, attempts: 2, error: expect.any(String) }])
  })
})

describe('other actions', () => {
  it('go to onAction, alerts to every webhook', async () => {
    const a = await receiver([])
    const b = await receiver([])
    const config = { ...alerts(a.url), webhooks: [{ url: a.url, headers: {} }, { url: b.url, headers: {} }] }
    const { run, results, actions } = runner(config)
    const list: ThresholdAction[] = [{ action: 'throttle', factor: 0.5 }, { action: 'alert' }, { action: 'disable' }, { action: 'shutdown' }]
    await run.run(event(list))
    expect(actions).toEqual([{ action: 'throttle', factor: 0.5 }, { action: 'disable' }, { action: 'shutdown' }])
    expect(results.map((r) => r.delivered)).toEqual([true, true])
  })
})
