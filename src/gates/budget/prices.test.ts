import { describe, expect, it } from 'vitest'
import { buildPriceTable, costUsd, estimateCost, normaliseModel, parsePriceFile, readShippedPrices } from './prices.js'
import type { BudgetsConfig } from './schema.js'
import { budgetsConfig } from './test-support.js'

const config = (budgets: Record<string, unknown> = {}): BudgetsConfig => budgetsConfig(budgets)
const shipped = readShippedPrices()
const table = buildPriceTable(shipped, config())

describe('the shipped price table', () => {
  it('says when and where its prices come from', () => {
    expect(shipped.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    expect(shipped.sources.length).toBeGreaterThan(3)
    expect(shipped.note).toMatch(/not fetched live/)
  })

  it.each([
    ['openai', 'gpt-4o'],
    ['openai', 'gpt-4o-mini'],
    ['bedrock', 'anthropic.claude-3-5-sonnet-20241022-v2:0'],
    ['bedrock', 'amazon.nova-pro-v1:0'],
    ['bedrock', 'meta.llama3-3-70b-instruct-v1:0'],
    ['llama', 'Llama-4-Maverick-17B-128E-Instruct-FP8'],
    ['gemini', 'gemini-2.5-flash'],
  ] as const)('prices %s %s from the table', (type, model) => {
    expect(table.lookup(type, model)?.source).toBe('table')
  })

  it('rejects a malformed file with every problem', () => {
    expect(() => parsePriceFile('{"updated":"soon","note":"","sources":[],"models":{"gpt-4o":{}}}', 'x.json')).toThrow(
      /x\.json: updated: .*sources/,
    )
  })
})

describe('lookup', () => {
  it.each([
    ['openai', 'gpt-4o-2024-08-06', 'openai/gpt-4o'],
    ['openai', 'gpt-4o-2024-05-13', 'openai/gpt-4o-2024-05-13'],
    ['openai', 'gpt-4o-mini-2024-07-18', 'openai/gpt-4o-mini'],
    ['openai', 'gpt-4-0613', 'openai/gpt-4'],
    ['openai', 'o1-pro-2025-03-19', 'openai/o1-pro'],
    ['bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'bedrock/anthropic.claude-sonnet-4-5'],
    ['bedrock', 'anthropic.claude-sonnet-4-20250514-v1:0', 'bedrock/anthropic.claude-sonnet-4'],
    ['bedrock', 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.amazon.nova-lite-v1:0', 'bedrock/amazon.nova-lite'],
    ['bedrock', 'global.anthropic.claude-haiku-4-5-20251001-v1:0', 'bedrock/anthropic.claude-haiku-4-5'],
    ['gemini', 'models/gemini-2.5-flash-lite-preview-06-17', 'gemini/gemini-2.5-flash-lite'],
    ['gemini', 'gemini-1.5-flash-8b-001', 'gemini/gemini-1.5-flash-8b'],
    ['llama', 'Llama-3.3-70B-Instruct', 'llama/llama-3.3-70b-instruct'],
    // Vertex AI at its publishers' list prices.
    ['vertex', 'gemini-2.5-flash', 'gemini/gemini-2.5-flash'],
    ['vertex', 'anthropic/claude-sonnet-4@20250514', 'bedrock/anthropic.claude-sonnet-4'],
  ] as const)('%s %s → the longest matching key %s', (type, model, key) => {
    expect(table.lookup(type, model)?.key).toBe(key)
  })

  it.each([
    ['openai', 'gpt-4.5-preview'],
    ['openai', 'gpt-4x'],
    ['gemini', 'gemini-9-ultra'],
    ['bedrock', 'mistral.mistral-large-2402-v1:0'],
    ['vertex', 'meta/llama-4-maverick'],
  ] as const)('does not stretch a key over a different model: %s %s is unknown', (type, model) => {
    expect(table.lookup(type, model)?.source).toBe('unknown')
  })

  it('charges unknown models the configured default (high by default)', () => {
    expect(table.lookup('openai', 'brand-new')).toEqual({
      inputPerMTok: 15,
      outputPerMTok: 75,
      cachedInputPerMTok: 15,
      source: 'unknown',
      key: 'openai/brand-new',
    })
    const cheap = buildPriceTable(shipped, config({ unknownModel: { inputPerMTok: 1, outputPerMTok: 2 } }))
    expect(cheap.lookup('openai', 'brand-new')).toMatchObject({ inputPerMTok: 1, outputPerMTok: 2 })
  })

  it('refuses unknown models under the deny policy', () => {
    const strict = buildPriceTable(shipped, config({ unknownModel: { policy: 'deny' } }))
    expect(strict.lookup('openai', 'brand-new')).toBeUndefined()
    expect(strict.lookup('openai', 'gpt-4o')).toBeDefined()
    const result = estimateCost(strict, config().estimate, { providerType: 'openai', model: 'brand-new', bodyBytes: 10, maxTokens: 1 })
    expect(result).toEqual({ ok: false, code: 'SLUICE_ERR_BUDGET_PRICE_UNKNOWN', detail: 'No price for openai/brand-new.' })
  })

  it('lets config override and add prices, case-insensitively', () => {
    const overridden = buildPriceTable(
      shipped,
      config({ prices: { 'openai/GPT-4o': { inputPerMTok: 1, outputPerMTok: 1 }, 'openai/my-model': { inputPerMTok: 3, outputPerMTok: 4 } } }),
    )
    expect(overridden.lookup('openai', 'gpt-4o-2024-08-06')).toMatchObject({ inputPerMTok: 1, cachedInputPerMTok: 1 })
    expect(overridden.lookup('openai', 'my-model')).toMatchObject({ inputPerMTok: 3, outputPerMTok: 4, source: 'table' })
  })

  it('normalises ids per provider type', () => {
    expect(normaliseModel('bedrock', 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0')).toBe(
      'anthropic.claude-3-haiku-20240307-v1:0',
    )
    expect(normaliseModel('openai', 'ft:gpt-4o-mini:org::abc')).toBe('ft:gpt-4o-mini:org::abc')
  })
})

describe('cost', () => {
  const price = { inputPerMTok: 3, outputPerMTok: 15, cachedInputPerMTok: 0.3, source: 'table', key: 'k' } as const

  it.each([
    [{ inputTokens: 1_000_000, outputTokens: 0, cachedTokens: 0 }, 3],
    [{ inputTokens: 0, outputTokens: 1_000_000, cachedTokens: 0 }, 15],
    // Cached tokens are part of inputTokens and priced at the cache rate instead.
    [{ inputTokens: 1_000_000, outputTokens: 0, cachedTokens: 400_000 }, 0.6 * 3 + 0.4 * 0.3],
    [{ inputTokens: 1200, outputTokens: 350, cachedTokens: 1000 }, (200 * 3 + 1000 * 0.3 + 350 * 15) / 1e6],
    // A reader that reports more cached than input tokens cannot make the cost negative.
    [{ inputTokens: 10, outputTokens: 0, cachedTokens: 50 }, (10 * 0.3) / 1e6],
    [{ inputTokens: 0, outputTokens: 0, cachedTokens: 0 }, 0],
  ])('%o costs %f USD', (tokens, usd) => {
    expect(costUsd(price, { ...tokens, reasoningTokens: 0 })).toBeCloseTo(usd, 12)
  })

  it('estimates input from body bytes and output from max_tokens or the default', () => {
    const estimate = (maxTokens: number | undefined) =>
      estimateCost(table, config().estimate, { providerType: 'openai', model: 'gpt-4o', bodyBytes: 4001, maxTokens })
    expect(estimate(100)).toMatchObject({ ok: true, estimate: { inputTokens: 1001, outputTokens: 100, costUsd: (1001 * 2.5 + 100 * 10) / 1e6 } })
    expect(estimate(undefined)).toMatchObject({ ok: true, estimate: { outputTokens: 1024 } })
  })
})
