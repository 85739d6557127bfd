// docs/performance.md#targets: no budget spend of a completed call, kill switch, override or audit record is lost
// across `kill -9`. A real `sluice serve` on the sqlite store gets changes over the admin API (or
// answers calls), is SIGKILLed, and restarts on the same state directory.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EMULATOR_CREDENTIALS, startEmulators, type Emulators } from '../../src/emulators/index.js'
import { buildPriceTable, costUsd, readShippedPrices } from '../../src/gates/budget/index.js'
import { budgetsConfig } from '../../src/gates/budget/test-support.js'
import { exited, startCommand, type Running } from '../support/cli.js'
import { CLIENT, stackConfig } from '../support/stack.js'

const TOKEN = 'ops-token-0123456789abcdef'
let emulators: Emulators
let configFile: string
/** By `budgets.sync.onSettle`. */
const budgetConfigFiles = new Map<boolean, string>()

beforeAll(async () => {
  emulators = await startEmulators({ auth: EMULATOR_CREDENTIALS })
  const dir = mkdtempSync(join(tmpdir(), 'sluice-durable-'))
  configFile = join(dir, 'sluice.json')
  writeFileSync(
    configFile,
    JSON.stringify({
      ...stackConfig(emulators),
      state: { store: 'sqlite', path: join(dir, 'data') },
      admin: { host: '127.0.0.1', port: 0, tokens: [{ name: 'ops', token: TOKEN, role: 'admin' }] },
    }),
  )
  // State directories of their own: the test above leaves gpt-4o-mini switched off in its own.
  // A global budget is read back at startup (ledger.load), so /v1/budgets shows it at once.
  for (const onSettle of [true, false]) {
    const file = join(dir, `sluice-budgets-${String(onSettle)}.json`)
    budgetConfigFiles.set(onSettle, file)
    writeFileSync(
      file,
      JSON.stringify({
        ...stackConfig(emulators),
        state: { store: 'sqlite', path: join(dir, `budget-data-${String(onSettle)}`) },
        admin: { host: '127.0.0.1', port: 0, tokens: [{ name: 'ops', token: TOKEN, role: 'admin' }] },
        budgets: { limits: { total: { scope: 'global', limitUsd: 1000, window: 'day' } }, sync: { onSettle } },
      }),
    )
  }
})
afterAll(async () => {
  await emulators.close()
})

async function serve(config = configFile): Promise<{ running: Running; admin: string; data: string }> {
  const running = startCommand(['serve', '--config', config])
  const line = await running.until((l) => l.msg === 'sluice listening')
  return { running, admin: `http://127.0.0.1:${String(line.adminPort)}`, data: `http://127.0.0.1:${String(line.dataPort)}` }
}

const call = (base: string, method: string, path: string, body?: unknown) =>
  fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

const chatCode = async (data: string): Promise<string | number> => {
  const res = await fetch(`${data}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CLIENT.credentials.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  })
  const body = (await res.json()) as { error?: { code?: string } }
  return body.error?.code ?? res.status
}

describe('durability across kill -9', () => {
  it('keeps kill switches, overrides and audit records', async () => {
    const first = await serve()
    expect((await call(first.admin, 'PUT', '/v1/kill-switches/model/gpt-4o-mini', { reason: 'before crash' })).status).toBe(200)
    const off = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' }
    expect((await call(first.admin, 'PUT', '/v1/flags/ai.streaming.enabled', { definition: off, reason: 'no streams' })).status).toBe(200)
    expect(await chatCode(first.data)).toBe('SLUICE_ERR_KILL_MODEL')
    first.running.child.kill('SIGKILL')
    await exited(first.running.child)

    const second = await serve()
    try {
      const switches = (await (await call(second.admin, 'GET', '/v1/kill-switches')).json()) as { killSwitches: unknown[] }
      expect(switches.killSwitches).toEqual([expect.objectContaining({ scope: 'model', target: 'gpt-4o-mini', reason: 'before crash' })])
      const flag = (await (await call(second.admin, 'GET', '/v1/flags/ai.streaming.enabled')).json()) as Record<string, unknown>
      expect(flag).toMatchObject({ origin: 'overrides', defaultVariant: 'off' })
      const audit = (await (await call(second.admin, 'GET', '/v1/audit')).json()) as { entries: Array<{ reason: string }> }
      expect(audit.entries.map((e) => e.reason)).toEqual(expect.arrayContaining(['before crash', 'no streams']))
      expect(await chatCode(second.data)).toBe('SLUICE_ERR_KILL_MODEL')
    } finally {
      second.running.child.kill('SIGTERM')
      await exited(second.running.child)
    }
  })
})

interface ChatUsage {
  prompt_tokens: number
  completion_tokens: number
  prompt_tokens_details?: { cached_tokens?: number }
}

/** One answered call; resolves with its usage once the whole body has arrived. */
async function chatUsage(data: string, i: number): Promise<ChatUsage> {
  const res = await fetch(`${data}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CLIENT.credentials.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `call ${String(i)}: say something` }], max_tokens: 64 }),
  })
  const body = (await res.json()) as { usage?: ChatUsage }
  expect(res.status).toBe(200)
  expect(body.usage).toBeDefined()
  return body.usage!
}

describe('budget spend across kill -9', () => {
  // With onSettle off the last interval's spend sat in memory only; with it on, a kill between the
  // end of the response and the sync's commit lost the last call.
  it.each([true, false])('counts every answered call, killed right after the last response (sync.onSettle %s)', async (onSettle) => {
    const price = buildPriceTable(readShippedPrices(), budgetsConfig({})).lookup('openai', 'gpt-4o-mini')!
    const config = budgetConfigFiles.get(onSettle)!
    const first = await serve(config)
    let answeredUsd = 0
    let calls = 0
    try {
      for (; calls < 20; calls++) {
        const usage = await chatUsage(first.data, calls)
        const cached = usage.prompt_tokens_details?.cached_tokens ?? 0
        answeredUsd += costUsd(price, { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens, cachedTokens: cached, reasoningTokens: 0 })
      }
    } finally {
      // No wait: the last call's response has just ended.
      first.running.child.kill('SIGKILL')
    }
    await exited(first.running.child)
    expect(calls).toBe(20)

    const second = await serve(config)
    try {
      const report = (await (await call(second.admin, 'GET', '/v1/budgets')).json()) as { budgets: Array<{ budget: string; spentUsd: number }> }
      const total = report.budgets.find((b) => b.budget === 'total')
      // Never less than what was answered (to within the store's nano-USD rounding); more is
      // allowed: a call in flight at the crash counts its reservation.
      expect(total?.spentUsd).toBeGreaterThanOrEqual(answeredUsd - calls * 1e-9)
      // And not wildly more: a settled call's reservation is released, not counted on top (a
      // reservation is several times the cost of these short answers).
      expect(total!.spentUsd).toBeLessThan(answeredUsd * 2)
    } finally {
      second.running.child.kill('SIGTERM')
      await exited(second.running.child)
    }
  })
})
