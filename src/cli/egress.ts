// The first-run trap: `ai.egress.enabled` ships off, so a config that never turns it on starts
// cleanly and then answers every data-plane request with 503 SLUICE_ERR_EGRESS_DISABLED. serve
// and validate look at the compiled flag and, when no request can pass, say so on stderr with the
// exact ways to turn it on.
import type { Config } from '../config/schema.js'
import { evaluate, type FlagSet } from '../flags/index.js'
import { EGRESS_FLAG } from '../gates/control-flags/gate.js'

/** `off`: no request gets through. `targeted`: the flag's targeting decides per request. */
export type EgressState = { readonly kind: 'on' } | { readonly kind: 'targeted' } | { readonly kind: 'off'; readonly because: string }

export function egressState(flags: FlagSet): EgressState {
  const flag = flags.get(EGRESS_FLAG)
  if (flag === undefined) return { kind: 'off', because: `${EGRESS_FLAG} is not defined` }
  const from = origin(flag.origin)
  if (!flag.enabled) return { kind: 'off', because: `${EGRESS_FLAG} is DISABLED ${from}, so it evaluates to off` }
  if (!Object.values(flag.definition.variants).includes(true)) return { kind: 'off', because: `no variant of ${EGRESS_FLAG} is true ${from}` }
  if (flag.rule !== undefined) return { kind: 'targeted' }
  const result = evaluate(flags, EGRESS_FLAG, 'boolean', false)
  if (result.value) return { kind: 'on' }
  return { kind: 'off', because: `${EGRESS_FLAG} serves "${result.variant ?? 'off'}" ${from}` }
}

function origin(name: string): string {
  if (name === 'builtin') return '(the built-in default: traffic ships dark)'
  if (name === 'overrides') return '(a runtime override in the state store, set by `sluice ctl flags set` or `sluice ctl activate`)'
  return `(defined in ${name})`
}

/**
 * The warning, or undefined when some request can get through. `stored` says whether the store's
 * overrides were read (serve) or not (validate: a stored override may still turn egress on).
 */
export function egressWarning(flags: FlagSet, config: Readonly<Config>, stored: boolean): string | undefined {
  const state = egressState(flags)
  if (state.kind !== 'off') return undefined
  const onVariant = Object.entries(flags.get(EGRESS_FLAG)?.definition.variants ?? {}).find(([, value]) => value === true)?.[0] ?? 'on'
  const sequences = Object.entries(config.activation.sequences)
    .filter(([, flagValues]) => flagValues[EGRESS_FLAG] !== undefined && flagValues[EGRESS_FLAG] === onVariant)
    .map(([name]) => name)
  const lines = [
    '',
    'WARNING: egress is OFF. Every AI request will be refused with 503 SLUICE_ERR_EGRESS_DISABLED.',
    `  Why: ${state.because}.`,
    ...(stored ? [] : ['  (validate does not read the state store: an override stored by an earlier `sluice ctl` change may turn it on when serving.)']),
    '  Turn it on, either:',
    ...(sequences.length > 0
      ? [`  - on the running Sluice (admin API, operator token):  sluice ctl activate ${sequences.includes('active') ? 'active' : sequences[0]} --reason "launch"`]
      : []),
    `  - on the running Sluice, this flag alone:             sluice ctl flags set ${EGRESS_FLAG} ${onVariant} --reason "launch"`,
    '  - in the config file (flags:), then reload or restart:',
    `      flags:`,
    `        ${EGRESS_FLAG}: { state: ENABLED, variants: { on: true, off: false }, defaultVariant: on }`,
    '  Streaming has its own switch, ai.streaming.enabled (also off by default). See docs/flags.md and docs/cli.md.',
    '',
  ]
  return lines.join('\n')
}
