// The price table (docs/budgets.md): the shipped config/prices.json, overridden by `budgets.prices`, and
// the unknown-model rule. Cost is USD; cached input tokens are priced on their own (Sluice's Usage
// counts them inside inputTokens, src/providers/adapter.ts).
import { readFileSync } from 'node:fs'
import type { ProviderType } from '../../core/wire.js'
import type { Usage } from '../../core/wire.js'
import { formatProblem } from '../../core/problems.js'
import { schemaProblems } from '../../core/schema-problems.js'
import { PriceFileSchema, type BudgetsConfig, type Price, type PriceFile } from './schema.js'

/** Where a price came from, so metrics and logs can flag unknown models. */
export type PriceSource = 'table' | 'unknown'

export interface ResolvedPrice {
  readonly inputPerMTok: number
  readonly outputPerMTok: number
  readonly cachedInputPerMTok: number
  readonly source: PriceSource
  /** The key that matched, e.g. `openai/gpt-4o-mini`; the model id itself for `unknown`. */
  readonly key: string
}

export interface PriceTable {
  /** Undefined only when the model is unknown and `unknownModel.policy` is `deny`. */
  lookup(providerType: ProviderType, model: string): ResolvedPrice | undefined
}

/** Reads config/prices.json, found by walking up from this module (src/ or dist/src/) to Sluice's package root. */
export function readShippedPrices(): PriceFile {
  for (let dir = new URL('.', import.meta.url); dir.pathname !== '/'; dir = new URL('..', dir)) {
    let text: string
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string }
      if (pkg.name !== 'sluice') continue
      text = readFileSync(new URL('config/prices.json', dir), 'utf8')
    } catch {
      continue // not the package root; keep walking up
    }
    return parsePriceFile(text, 'config/prices.json')
  }
  throw new Error('config/prices.json not found above the budget module')
}

export function parsePriceFile(text: string, source: string): PriceFile {
  const value: unknown = JSON.parse(text)
  const problems = schemaProblems(PriceFileSchema, value)
  if (problems.length > 0) throw new Error(`${source}: ${problems.map(formatProblem).join('; ')}`)
  return value as PriceFile
}

// Bedrock: an ARN or inference-profile ARN ends in the model id; a cross-region profile prefixes
// it with a geography (`us.`, `eu.`, `apac.`, `global.`), priced like the model itself.
const BEDROCK_GEO = /^(?:[a-z]{2}|apac|us-gov|global)\./

/** The model id as the table keys it: lower case, without paths, ARNs or geography prefixes. */
export function normaliseModel(providerType: ProviderType, model: string): string {
  let id = model.toLowerCase()
  if (providerType === 'bedrock' || providerType === 'gemini') id = id.slice(id.lastIndexOf('/') + 1)
  if (providerType === 'bedrock') id = id.replace(BEDROCK_GEO, '')
  return id
}

/**
 * Vertex AI lists Google's and Anthropic's models at their publishers' own list prices, so a
 * `vertex/…` id without an entry of its own is priced as the Gemini API's (`gemini/<id>`) or
 * Anthropic's on Bedrock (`anthropic/claude-x@date` as `bedrock/anthropic.claude-x`).
 */
function listPriceId(providerType: ProviderType, id: string): string | undefined {
  if (providerType !== 'vertex') return undefined
  const model = id.slice('vertex/'.length)
  if (model.startsWith('anthropic/')) return `bedrock/anthropic.${model.slice('anthropic/'.length)}`
  return model.includes('/') ? undefined : `gemini/${model}`
}

// A key matches the whole id or a prefix that ends where the id continues with one of these, so
// `gpt-4o` prices `gpt-4o-2024-08-06` but `gpt-4` never prices `gpt-4o` or `gpt-4.5-preview`.
const BOUNDARY = /[-:@_]/g

export function buildPriceTable(file: PriceFile, budgets: Pick<BudgetsConfig, 'prices' | 'unknownModel'>): PriceTable {
  const prices = new Map<string, ResolvedPrice>()
  const add = (key: string, price: Price): void => {
    const lower = key.toLowerCase()
    prices.set(lower, {
      inputPerMTok: price.inputPerMTok,
      outputPerMTok: price.outputPerMTok,
      cachedInputPerMTok: price.cachedInputPerMTok ?? price.inputPerMTok,
      source: 'table',
      key: lower,
    })
  }
  for (const [key, price] of Object.entries(file.models)) add(key, price)
  for (const [key, price] of Object.entries(budgets.prices)) add(key, price)
  const unknown = budgets.unknownModel
  const find = (id: string): ResolvedPrice | undefined => {
    const exact = prices.get(id)
    if (exact !== undefined) return exact
    const cuts = [...id.matchAll(BOUNDARY)].map((m) => m.index)
    for (let i = cuts.length - 1; i >= 0; i--) {
      const found = prices.get(id.slice(0, cuts[i]))
      if (found !== undefined) return found
    }
    return undefined
  }
  return {
    lookup(providerType, model) {
      const id = `${providerType}/${normaliseModel(providerType, model)}`
      const found = find(id)
      if (found !== undefined) return found
      const listed = listPriceId(providerType, id)
      const list = listed === undefined ? undefined : find(listed)
      if (list !== undefined) return list
      if (unknown.policy === 'deny') return undefined
      const { inputPerMTok, outputPerMTok } = unknown
      return { inputPerMTok, outputPerMTok, cachedInputPerMTok: inputPerMTok, source: 'unknown', key: id }
    },
  }
}

/** USD for `usage`: uncached input, cached input and output each at their own price. */
export function costUsd(price: ResolvedPrice, usage: Usage): number {
  const cached = Math.min(usage.cachedTokens, usage.inputTokens)
  const micro =
    (usage.inputTokens - cached) * price.inputPerMTok + cached * price.cachedInputPerMTok + usage.outputTokens * price.outputPerMTok
  return micro / 1e6
}

export interface CostEstimate {
  readonly price: ResolvedPrice
  readonly inputTokens: number
  readonly outputTokens: number
  readonly costUsd: number
}

export type EstimateResult =
  | { readonly ok: true; readonly estimate: CostEstimate }
  | { readonly ok: false; readonly code: 'SLUICE_ERR_BUDGET_PRICE_UNKNOWN'; readonly detail: string }

export interface EstimateInput {
  readonly providerType: ProviderType
  readonly model: string
  readonly bodyBytes: number
  /** `max_tokens` or the dialect's equivalent, when the request states it. */
  readonly maxTokens: number | undefined
}

/**
 * The reservation's cost before the call: input from the body size (bytes / bytesPerToken, which
 * over-counts JSON syntax: deliberately conservative) and output from max_tokens or the default.
 */
export function estimateCost(table: PriceTable, config: BudgetsConfig['estimate'], input: EstimateInput): EstimateResult {
  const price = table.lookup(input.providerType, input.model)
  if (price === undefined) {
    return { ok: false, code: 'SLUICE_ERR_BUDGET_PRICE_UNKNOWN', detail: `No price for ${input.providerType}/${input.model}.` }
  }
  const inputTokens = Math.ceil(input.bodyBytes / config.bytesPerToken)
  const outputTokens = input.maxTokens ?? config.defaultOutputTokens
  const usage = { inputTokens, outputTokens, cachedTokens: 0, reasoningTokens: 0 }
  return { ok: true, estimate: { price, inputTokens, outputTokens, costUsd: costUsd(price, usage) } }
}
