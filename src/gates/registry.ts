// The gates after identify, in pipeline order (docs/lifecycle.md) — declared here and nowhere else. The pipeline runs
// them in this order (pipeline/gates.ts), the composition root builds each one per snapshot from
// the inputs its module asks for (runtime/snapshot.ts), and `gates.<name>.failMode` in config
// overrides each module's default. Adding a gate: its folder, one line here, its error codes.
import type { GateModule } from '../core/gate.js'
import { budgetGate } from './budget/gate.js'
import { guardrailsGate } from './guardrails/gate.js'
import { controlFlagsGate } from './control-flags/gate.js'
import { killSwitchGate } from './kill-switch/gate.js'
import { rateLimitGate } from './rate-limit/gate.js'

export const GATES = [killSwitchGate, controlFlagsGate, guardrailsGate, rateLimitGate, budgetGate] as const

type InputsOf<G> = G extends GateModule<infer I> ? (unknown extends I ? never : I) : never
type Intersect<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never

/** Everything the registered gates need to be built: the union of their modules' inputs. */
export type GateInputs = Intersect<InputsOf<(typeof GATES)[number]>>

/** `gates:` keys in config that name no registered gate. */
export function unknownGateNames(configured: Readonly<Record<string, unknown>>): string[] {
  const known = new Set<string>(GATES.map((g) => g.name))
  return Object.keys(configured).filter((name) => !known.has(name))
}
