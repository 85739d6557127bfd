// The budget crash journal writes an event-loop iteration's lines when the iteration ends
// (src/gates/budget/journal.ts). Its promise to a call in flight is that the reservation is in the
// file before the request reaches the provider: here the upstream itself reads the journal when
// the request arrives, through a real Sluice on the sqlite store.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TRAFFIC_ON_FLAGS } from '../../src/emulators/sluice-config.js'
import { createLogger } from '../../src/log.js'
import { startSluice, type Sluice } from '../../src/main.js'
import { CLIENT } from '../support/stack.js'

const ANSWER = JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 0,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
})

let upstream: Server
let sluice: Sluice
let stateDir: string
/** The journal's total nano-USD for the tenant's day window, as the upstream saw it per request. */
const seenByUpstream: number[] = []

/** Sum of the journal's deltas for the tenant budget (lines are `[scope, window, nanos, expiresAt, …]`). */
function journalNanos(): number {
  let sum = 0
  for (const name of readdirSync(stateDir).filter((n) => n.startsWith('budgets-journal-') && n.endsWith('.log'))) {
    for (const line of readFileSync(join(stateDir, name), 'utf8').split('\n')) {
      if (line === '') continue
      const values = JSON.parse(line) as (string | number)[]
      for (let i = 0; i < values.length; i += 4) if (String(values[i]).startsWith('shop-day/')) sum += Number(values[i + 2])
    }
  }
  return sum
}

beforeAll(async () => {
  upstream = createServer((req, res) => {
    seenByUpstream.push(journalNanos())
    req.resume()
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(ANSWER))
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  stateDir = mkdtempSync(join(tmpdir(), 'sluice-journal-order-'))
  const config = {
    server: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    state: { store: 'sqlite', path: stateDir },
    providers: { openai: { type: 'openai', mount: '/openai', endpoint: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, apiKey: 'sk-upstream-test' } },
    clients: [CLIENT],
    flags: { ...TRAFFIC_ON_FLAGS, 'ai.budget.enforce': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' } },
    // Synced only every minute: what the journal holds is not struck off during the test.
    budgets: { limits: { 'shop-day': { scope: 'tenant', target: 'shop', limitUsd: 100, window: 'day' } }, sync: { intervalMs: 60_000, onSettle: false } },
  }
  const quiet = new Writable({ write: (_chunk, _enc, done) => done() })
  sluice = await startSluice({ configText: JSON.stringify(config), logger: createLogger('info', quiet), watch: false })
})

afterAll(async () => {
  await sluice?.close()
  await new Promise((resolve) => upstream.close(resolve))
})

describe('the crash journal and a call in flight', () => {
  it("holds each call's reservation before its request reaches the provider, and its cost after", async () => {
    for (let i = 0; i < 5; i++) {
      const before = journalNanos()
      const res = await fetch(`${sluice.dataUrl}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${CLIENT.credentials.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }], max_tokens: 16 }),
      })
      expect(res.status).toBe(200)
      await res.text()
      // The reservation (an estimate above the call's real cost) was on disk when the upstream read it.
      expect(seenByUpstream[i]).toBeGreaterThan(before)
      // Once the iteration that settled it ended, the journal holds the cost: less than the estimate, more than before.
      await new Promise((resolve) => setTimeout(resolve, 20))
      const after = journalNanos()
      expect(after).toBeGreaterThan(before)
      expect(after).toBeLessThan(seenByUpstream[i]!)
    }
  })
})
