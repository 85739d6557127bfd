// Gate 3 (docs/lifecycle.md, docs/flags.md): the control flags. They ship dark: egress and streaming are off until
// config or an override turns them on; each provider has its own switch (on by default, so the
// one master switch is enough) that drops that provider's candidate targets. An evaluation error
// falls back to the safe value: deny. Fail mode: closed by default.
import { deny, PASS, type Refusal } from '../../core/decision.js'
import type { GateModule } from '../../core/gate.js'
import { narrowCandidates } from '../../core/narrow.js'

export const EGRESS_FLAG = 'ai.egress.enabled'
export const STREAMING_FLAG = 'ai.streaming.enabled'
export const providerFlagKey = (provider: string): string => `ai.provider.${provider}.enabled`

const EGRESS_DISABLED = deny({ code: 'SLUICE_ERR_EGRESS_DISABLED' })
const STREAMING_DISABLED = deny({ code: 'SLUICE_ERR_STREAMING_DISABLED' })

export const controlFlagsGate: GateModule<unknown> = {
  name: 'controlFlags',
  failMode: 'closed',
  build: () => ({
    check(facts, view) {
      const { context } = facts
      if (!view.flag(EGRESS_FLAG, false, context)) return EGRESS_DISABLED
      const disabled = narrowCandidates(facts, ({ target }): Refusal | undefined =>
        view.flag(target.mount.enabledFlag, false, context)
          ? undefined
          : { code: 'SLUICE_ERR_PROVIDER_DISABLED', detail: `Flag ${target.mount.enabledFlag} is off.` },
      )
      if (disabled !== undefined) return deny(disabled)
      if (context.stream && !view.flag(STREAMING_FLAG, false, context)) return STREAMING_DISABLED
      return PASS
    },
  }),
}
