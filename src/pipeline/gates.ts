// The gates after identify, in SPEC §5 order. Declared here and nowhere else.
import { controlFlagsGate } from '../gates/control-flags/gate.js'
import type { Gate } from '../gates/gate.js'
import { killSwitchGate } from '../gates/kill-switch/gate.js'
import { rateLimitGate } from '../gates/rate-limit/gate.js'
import { budgetGate } from '../gates/budget/gate.js'

export const GATES: readonly Gate[] = [killSwitchGate, controlFlagsGate, rateLimitGate, budgetGate]
