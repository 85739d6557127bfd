// Issue #10 item 9's second half: a later gate's refusal releases what earlier gates reserved. The
// rate-limit gate (5) admits and charges a request; the budget gate (6) refuses it; the charge is
// given back, so refused calls never use up the rate limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FLAG_ON, TRAFFIC_ON_FLAGS } from '../../src/emulators/sluice-config.js'
import { CLIENT, startStack, type Stack } from '../support/stack.js'

let stack: Stack

beforeAll(async () => {
  stack = await startStack({
    configure(config) {
      config.flags = { ...TRAFFIC_ON_FLAGS, 'ai.ratelimit.enforce': FLAG_ON, 'ai.budget.enforce': FLAG_ON }
      config.rateLimits = { rules: [{ name: 'two-an-hour', key: ['client'], requests: { limit: 2, windowSeconds: 3600 } }] }
      // A budget no call fits: every call the rate limiter admits is refused by the budget gate.
      config.budgets = { limits: { tiny: { scope: 'model', target: 'gpt-4o', limitUsd: 0.000001, window: 'day' } } }
    },
  })
})
afterAll(async () => {
  await stack.close()
})

async function chat(model: string): Promise<string> {
  const res = await fetch(`${stack.sluice.dataUrl}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CLIENT.credentials.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }),
  })
  const body = (await res.json()) as { error?: { code: string } }
  return body.error?.code ?? String(res.status)
}

describe('a budget refusal leaves the rate-limit counter unchanged', () => {
  it('five budget refusals, then the two requests the limit allows still pass', async () => {
    for (let i = 0; i < 5; i++) expect(await chat('gpt-4o')).toBe('SLUICE_ERR_BUDGET_EXCEEDED')
    // Another model, outside the budget: the limit of two is whole.
    expect(await chat('gpt-4o-mini')).toBe('200')
    expect(await chat('gpt-4o-mini')).toBe('200')
    expect(await chat('gpt-4o-mini')).toBe('SLUICE_ERR_RATE_LIMITED')
  })
})
