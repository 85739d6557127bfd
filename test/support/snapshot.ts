// A real snapshot from a config object, built by the composition root's own builder, for unit
// tests of the pipeline's steps (identify, gates, steering) without sockets.
import { parseConfig } from '../../src/config/load.js'
import type { Config } from '../../src/config/schema.js'
import type { KillSwitch } from '../../src/core/store.js'
import type { Snapshot } from '../../src/pipeline/snapshot.js'
import { CircuitRegistry } from '../../src/resilience/circuits.js'
import { compileConfigFlags } from '../../src/runtime/runtime.js'
import { buildSnapshot } from '../../src/runtime/snapshot.js'
import { memoryExperimentHooks } from '../../src/runtime/outcomes.js'
import { guardrailsFor } from '../../src/runtime/guardrails.js'

export function snapshotOf(config: Record<string, unknown>, killSwitches: readonly KillSwitch[] = []): Snapshot {
  const loaded = parseConfig(JSON.stringify({ state: { store: 'memory' }, ...config }))
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems))
  const parsed: Config = loaded.config
  const compiled = compileConfigFlags(parsed, [])
  if (!compiled.ok) throw new Error(compiled.problems.join('\n'))
  return buildSnapshot(parsed, 'test', { flags: compiled.flagSet, killSwitches, rateLimiter: undefined, budgets: undefined, circuits: new CircuitRegistry(), experiments: memoryExperimentHooks(), guardrails: guardrailsFor(parsed, { words: [], patterns: [] }) })
}

export const killSwitch = (scope: KillSwitch['scope'], target: string): KillSwitch => ({
  scope,
  target,
  reason: 'test',
  actor: 'test',
  setAt: '2026-01-01T00:00:00.000Z',
})
