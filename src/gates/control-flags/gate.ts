// Gate 3 (SPEC §5, §6): the control flags. They ship dark: egress and streaming are off until
// config or an override turns them on; each provider has its own switch (on by default, so the
// one master switch is enough). An evaluation error falls back to the safe value: deny.
import { booleanFlag } from '../flag-eval.js'
import type { Gate } from '../gate.js'

export const EGRESS_FLAG = 'ai.egress.enabled'
export const STREAMING_FLAG = 'ai.streaming.enabled'
export const providerFlagKey = (provider: string): string => `ai.provider.${provider}.enabled`

export const controlFlagsGate: Gate = {
  name: 'controlFlags',
  check(facts, snapshot) {
    const { context } = facts
    const flags = snapshot.flags
    if (!booleanFlag(flags, EGRESS_FLAG, false, context)) return { code: 'SLUICE_ERR_EGRESS_DISABLED' }
    if (!booleanFlag(flags, facts.mount.enabledFlag, false, context)) {
      return { code: 'SLUICE_ERR_PROVIDER_DISABLED', detail: `Flag ${facts.mount.enabledFlag} is off.` }
    }
    if (context.stream && !booleanFlag(flags, STREAMING_FLAG, false, context)) return { code: 'SLUICE_ERR_STREAMING_DISABLED' }
    return undefined
  },
}
