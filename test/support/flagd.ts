// What @openfeature/flagd-core answers for an experiment's assignment rule (steering/experiments/
// assign.ts `flagdRule`): a flag with that targeting and one variant per bucket, so tests can check
// that Sluice assigns users the way a flagd client predicts.
import { FlagdCore } from '@openfeature/flagd-core'
import { flagdRule, UNALLOCATED, type AssignmentTable } from '../../src/steering/experiments/assign.js'

const silent = { error() {}, warn() {}, info() {}, debug() {} }

/** The variant flagd-core puts `targetingKey` in; undefined for the unallocated bucket. */
export function flagdAssigner(table: AssignmentTable): (targetingKey: string) => string | undefined {
  const variants = Object.fromEntries(table.buckets.map((name) => [name, name]))
  const core = new FlagdCore(undefined, silent)
  core.setConfigurations(JSON.stringify({ flags: { exp: { state: 'ENABLED', variants, defaultVariant: table.buckets[0], targeting: flagdRule(table) } } }))
  return (targetingKey) => {
    const variant = core.resolveStringEvaluation('exp', 'none', { targetingKey }, silent).variant
    return variant === UNALLOCATED ? undefined : variant
  }
}
