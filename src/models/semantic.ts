// Cross-field checks of `models:` and providers' `alternates:` (config/semantic.ts runs them):
// targets name existing providers, alternates stay in their dialect, a virtual model has weight.
import { problemAt, type ConfigProblem } from '../core/problems.js'
import type { AlternateConfig, VirtualModelConfig } from './schema.js'

/** The parts of a config these checks read (the whole config satisfies it). */
export interface RoutingConfig {
  readonly providers: Readonly<Record<string, { readonly type: string; readonly alternates?: Readonly<Record<string, readonly AlternateConfig[]>> }>>
  readonly models: Readonly<Record<string, VirtualModelConfig>>
}

export function routingProblems(config: RoutingConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = []
  const providers = config.providers
  for (const [name, model] of Object.entries(config.models)) {
    const seen = new Set<string>()
    model.targets.forEach((target, i) => {
      const at = (key: string, problem: string, got?: unknown): void => {
        problems.push(problemAt(['models', name, 'targets', i, key], problem, got))
      }
      if (providers[target.provider] === undefined) at('provider', 'is not a key of providers', target.provider)
      const id = `${target.provider}/${target.model}`
      if (seen.has(id)) at('model', `duplicates an earlier target (${id})`, target.model)
      seen.add(id)
    })
    if (model.targets.every((t) => t.weight === 0)) {
      problems.push(problemAt(['models', name, 'targets'], 'needs at least one target with a weight above 0'))
    }
  }
  for (const [name, provider] of Object.entries(providers)) {
    for (const [model, alternates] of Object.entries(provider.alternates ?? {})) {
      alternates.forEach((alternate, i) => {
        if (alternate.provider === undefined) {
          if (alternate.model === model) problems.push(problemAt(['providers', name, 'alternates', model, i, 'model'], 'is the model itself', model))
          return
        }
        const other = providers[alternate.provider]
        const at = ['providers', name, 'alternates', model, i, 'provider']
        if (other === undefined) problems.push(problemAt(at, 'is not a key of providers', alternate.provider))
        else if (other.type !== provider.type) {
          problems.push(problemAt(at, `must be a ${provider.type} provider like ${name} (alternates keep the client's dialect)`, alternate.provider))
        }
      })
    }
  }
  return problems
}
