// Checks of `guardrails:` beyond its schema: every deny-list pattern compiles as the detector
// compiles it (flags giu). The deny-list file is read and checked by the runtime, which knows
// where the config file is.
import { problemAt, type ConfigProblem } from '../../core/problems.js'
import type { GuardrailsConfig } from './schema.js'

/** The flags deny-list patterns are compiled with. */
export const DENY_PATTERN_FLAGS = 'giu'

/** Why each pattern that does not compile fails, by its index. */
export function patternProblems(patterns: readonly string[]): Array<{ index: number; problem: string }> {
  const problems: Array<{ index: number; problem: string }> = []
  patterns.forEach((source, index) => {
    try {
      new RegExp(source, DENY_PATTERN_FLAGS)
    } catch (error) {
      problems.push({ index, problem: (error as Error).message })
    }
  })
  return problems
}

export function guardrailProblems(config: { readonly guardrails: GuardrailsConfig }): ConfigProblem[] {
  const { patterns } = config.guardrails.denyList
  return patternProblems(patterns).map(({ index, problem }) => problemAt(['guardrails', 'denyList', 'patterns', index], problem, patterns[index]))
}
