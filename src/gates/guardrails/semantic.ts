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

export function guardrailProblems(config: { readonly guardrails: GuardrailsConfig; readonly providers: Readonly<Record<string, unknown>> }): ConfigProblem[] {
  const { patterns } = config.guardrails.denyList
  const problems = patternProblems(patterns).map(({ index, problem }) => problemAt(['guardrails', 'denyList', 'patterns', index], problem, patterns[index]))
  const { model } = config.guardrails
  if (model.enabled && model.target === undefined) problems.push(problemAt(['guardrails', 'model', 'target'], 'is required when the model detector is enabled'))
  if (model.target !== undefined && !(model.target.provider in config.providers)) {
    problems.push(problemAt(['guardrails', 'model', 'target', 'provider'], 'no such provider under providers:', model.target.provider))
  }
  return problems
}
