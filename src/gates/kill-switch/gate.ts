// Gate 2 (SPEC §5, §7): kill switches, checked global → provider → model → route → client/tenant.
// Switches come from the state store (admin API, CLI) and from `ai.killswitch.<scope>.<name>` flags.
import type { KillSwitch } from '../../state/index.js'
import { booleanFlag } from '../flag-eval.js'
import type { Denial, Gate } from '../gate.js'
import type { ErrorCode } from '../../errors.js'
import type { Snapshot } from '../../config/snapshot.js'
import type { Target } from '../../models/targets.js'
import type { EvaluationContext } from '../../pipeline/facts.js'

function denied(code: ErrorCode, killSwitch: KillSwitch | undefined, what: string): Denial {
  return { code, detail: killSwitch === undefined ? `Flag ai.killswitch.${what} is on.` : `Reason: ${killSwitch.reason}` }
}

/** The provider → model part of the order, shared by the gate and the fallback check below. */
function targetKill(snapshot: Snapshot, provider: string, model: string, context: EvaluationContext): Denial | undefined {
  const { kills, flags } = snapshot
  const providerSwitch = kills.provider.get(provider)
  if (providerSwitch !== undefined) return denied('SLUICE_ERR_KILL_PROVIDER', providerSwitch, '')
  const providerFlag = kills.flags.provider.get(provider)
  if (providerFlag !== undefined && booleanFlag(flags, providerFlag.key, false, context)) {
    return denied('SLUICE_ERR_KILL_PROVIDER', undefined, `provider.${provider}`)
  }
  const modelSwitch = kills.model.get(model)
  if (modelSwitch !== undefined) return denied('SLUICE_ERR_KILL_MODEL', modelSwitch, '')
  const modelFlag = kills.flags.model.get(model)
  if (modelFlag !== undefined && booleanFlag(flags, modelFlag.key, false, context)) {
    return denied('SLUICE_ERR_KILL_MODEL', undefined, `model.${model}`)
  }
  return undefined
}

export const killSwitchGate: Gate = {
  name: 'killSwitches',
  check(facts, snapshot) {
    const kills = snapshot.kills
    if (kills.global !== undefined) return denied('SLUICE_ERR_KILL_GLOBAL', kills.global, '')
    const { context } = facts
    const target = targetKill(snapshot, context.provider, context.model, context)
    if (target !== undefined) return target
    const route = kills.route.get(context.route)
    if (route !== undefined) return denied('SLUICE_ERR_KILL_ROUTE', route, '')
    const routeFlag = kills.flags.route.get(context.route)
    if (routeFlag !== undefined && booleanFlag(snapshot.flags, routeFlag.key, false, context)) {
      return denied('SLUICE_ERR_KILL_ROUTE', undefined, `route.${context.route}`)
    }
    if (kills.client.size > 0) {
      const client =
        (context.client === undefined ? undefined : kills.client.get(context.client)) ??
        (context.tenant === undefined ? undefined : kills.client.get(`tenant:${context.tenant}`))
      if (client !== undefined) return denied('SLUICE_ERR_KILL_CLIENT', client, '')
    }
    return undefined
  },
}

/**
 * Whether a fallback target may not be used: its provider or model is killed (store or flag) or
 * its provider is switched off. Gates checked the first target; fallbacks are checked here so a
 * kill switch on one provider moves traffic to the next instead of leaking to a killed one.
 */
export function targetBlocked(snapshot: Snapshot, target: Target, context: EvaluationContext): boolean {
  if (targetKill(snapshot, target.mount.name, target.model, context) !== undefined) return true
  return !booleanFlag(snapshot.flags, target.mount.enabledFlag, false, context)
}
