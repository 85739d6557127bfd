// A kill switch on a misspelt name is stored, reported as on, and blocks nothing: the worst thing
// to find out in an incident. After `kill provider|model`, ctl reads the running config (secrets
// already redacted by Sluice) and warns when nothing configured matches the target.
import { readShippedPrices } from '../../gates/budget/prices.js'
import { field } from './format.js'

/** The warning for `kill <scope> <target>`, or undefined when something configured matches. */
export function unmatchedKillTarget(scope: string, target: string, config: unknown): string | undefined {
  if (scope === 'provider') return unmatchedProvider(target, Object.keys(record(field(config, 'providers'))))
  if (scope === 'model') return unmatchedModel(target, config)
  return undefined
}

function unmatchedProvider(target: string, providers: readonly string[]): string | undefined {
  if (providers.includes(target)) return undefined
  return (
    `warning: no configured provider is named "${target}"${suggestion(target, providers)}. ` +
    `The switch is stored but blocks nothing unless a provider of that name is added.\n` +
    `  configured providers: ${providers.length === 0 ? 'none' : providers.join(', ')}\n` +
    `  undo with: sluice ctl revive provider ${target} --reason "..."\n`
  )
}

function unmatchedModel(target: string, config: unknown): string | undefined {
  const wanted = canonical(target)
  const named = new Set<string>()
  collectModels(config, named)
  for (const key of Object.keys(record(field(field(config, 'budgets'), 'prices')))) named.add(key)
  for (const key of shippedPriceKeys()) named.add(key)
  if ([...named].some((model) => canonical(model) === wanted)) return undefined
  const virtual = record(field(config, 'models'))[target]
  if (virtual !== undefined) {
    const targets = new Set<string>()
    collectModels(virtual, targets)
    return (
      `warning: "${target}" is a virtual model of the unified endpoint, not an upstream model id: a model switch ` +
      `matches the target models it routes to (${[...targets].join(', ') || 'none'}). Kill those, or route /v1/chat/completions.\n` +
      `  undo with: sluice ctl revive model ${target} --reason "..."\n`
    )
  }
  return (
    `warning: no configured or priced model matches "${target}"${suggestion(target, [...named])}. ` +
    `The switch is stored and blocks any request for exactly that model id, but check the spelling.\n` +
    `  undo with: sluice ctl revive model ${target} --reason "..."\n`
  )
}

/** Every string under a `model` key, anywhere (targets of models, experiments, rollouts, shadows, guardrails). */
function collectModels(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) for (const item of value) collectModels(item, into)
  else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'model' && typeof inner === 'string') into.add(inner)
      else collectModels(inner, into)
    }
  }
}

/** Price keys are `<provider type>/<model>`: the model part, or nothing if the file cannot be read. */
function shippedPriceKeys(): string[] {
  try {
    return Object.keys(readShippedPrices().models)
  } catch {
    return []
  }
}

/**
 * Roughly what the kill index does per provider: case-insensitive, the last path segment (price
 * keys, ARNs, publishers/…/models/x), no Bedrock cross-region prefix. Only to decide whether to warn.
 */
function canonical(model: string): string {
  const last = model.toLowerCase().split('/').pop() ?? ''
  return last.replace(/^(us|eu|apac|jp|au|ca|us-gov|global)\./, '')
}

function suggestion(target: string, names: readonly string[]): string {
  const wanted = canonical(target)
  const close = names.filter((name) => distance(canonical(name), wanted) <= 2)
  return close.length === 0 ? '' : ` (did you mean ${[...new Set(close)].slice(0, 3).join(', ')}?)`
}

/** Levenshtein distance, for the "did you mean". */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = row
  }
  return previous[b.length]!
}

const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
