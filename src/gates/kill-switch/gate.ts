// Gate 2 (docs/lifecycle.md, docs/admin-api.md): kill switches, checked global → provider → model → route → client/tenant.
// Switches come from the state store (admin API, CLI) and from `ai.killswitch.<scope>.<name>` flags.
// Provider and model switches apply to every candidate target: a killed one is dropped, so a
// virtual model's traffic moves to the next target instead of failing (core/plan.ts).
// Fail mode: closed by default (a gate that cannot tell must not let a killed scope through).
import type { KillSwitch } from '../../core/store.js'
import { deny, PASS, type Refusal, type Verdict } from '../../core/decision.js'
import type { ErrorCode } from '../../core/errors.js'
import type { EvaluationContext, RequestFacts } from '../../core/facts.js'
import type { GateCheck, GateModule, GateView } from '../../core/gate.js'
import { type Candidate } from '../../core/plan.js'
import { narrowCandidates } from '../../core/narrow.js'
import { buildKillIndex, type CanonicalModel, type KillIndex } from './kill-index.js'

export interface KillSwitchInputs {
  /** The store's switches. */
  readonly killSwitches: readonly KillSwitch[]
  /** Every flag key of the snapshot's flag set (to find `ai.killswitch.*` flags). */
  readonly flagKeys: Iterable<string>
  /** How each provider writes a model id canonically, so a model switch matches all its aliases. */
  readonly canonicalModel: CanonicalModel
}

function refused(code: ErrorCode, killSwitch: KillSwitch | undefined, what: string): Refusal {
  return { code, detail: killSwitch === undefined ? `Flag ai.killswitch.${what} is on.` : `Reason: ${killSwitch.reason}` }
}

/** The provider → model part of the order, for each candidate target (and a shadow target, runtime/shadows.ts). */
export function candidateKill(kills: KillIndex, canonical: CanonicalModel, view: GateView, candidate: Candidate, context: EvaluationContext): Refusal | undefined {
  const provider = candidate.target.mount.name
  const providerSwitch = kills.provider.get(provider)
  if (providerSwitch !== undefined) return refused('SLUICE_ERR_KILL_PROVIDER', providerSwitch, '')
  const providerFlag = kills.flags.provider.get(provider)
  if (providerFlag !== undefined && view.flag(providerFlag, false, context)) return refused('SLUICE_ERR_KILL_PROVIDER', undefined, `provider.${provider}`)
  // The index is keyed by each provider's canonical id, so an alias (an ARN, a cross-region
  // profile, another letter case) finds the switch its base model has.
  const type = candidate.target.mount.config.type
  const model = canonical(type, candidate.model)
  const modelSwitch = kills.model.get(type)!.get(model)
  if (modelSwitch !== undefined) return refused('SLUICE_ERR_KILL_MODEL', modelSwitch, '')
  const modelFlag = kills.flags.model.get(type)!.get(model)
  if (modelFlag !== undefined && view.flag(modelFlag, false, context)) return refused('SLUICE_ERR_KILL_MODEL', undefined, `model.${model}`)
  return undefined
}

function check(kills: KillIndex, canonical: CanonicalModel, facts: RequestFacts, view: GateView): Verdict<never> {
  if (kills.global !== undefined) return deny(refused('SLUICE_ERR_KILL_GLOBAL', kills.global, ''))
  const { context } = facts
  const target = narrowCandidates(facts, (candidate) => candidateKill(kills, canonical, view, candidate, context))
  if (target !== undefined) return deny(target)
  const route = kills.route.get(context.route)
  if (route !== undefined) return deny(refused('SLUICE_ERR_KILL_ROUTE', route, ''))
  const routeFlag = kills.flags.route.get(context.route)
  if (routeFlag !== undefined && view.flag(routeFlag, false, context)) return deny(refused('SLUICE_ERR_KILL_ROUTE', undefined, `route.${context.route}`))
  if (kills.client.size > 0) {
    const client =
      (context.client === undefined ? undefined : kills.client.get(context.client)) ??
      (context.tenant === undefined ? undefined : kills.client.get(`tenant:${context.tenant}`))
    if (client !== undefined) return deny(refused('SLUICE_ERR_KILL_CLIENT', client, ''))
  }
  return PASS
}

export const killSwitchGate: GateModule<KillSwitchInputs> = {
  name: 'killSwitches',
  failMode: 'closed',
  build(inputs): GateCheck {
    const kills = buildKillIndex(inputs.killSwitches, inputs.flagKeys, inputs.canonicalModel)
    return { check: (facts, view) => check(kills, inputs.canonicalModel, facts, view) }
  },
}
