import { Value } from '@sinclair/typebox/value'
import { describe, expect, it } from 'vitest'
import { formatProblem } from '../../core/problems.js'
import { ExperimentSchema, type ExperimentConfig } from './schema.js'
import { experimentProblems } from './semantic.js'

const models = { chat: { targets: [{ provider: 'openai', model: 'gpt-4o' }, { provider: 'google', model: 'gemini-2.5-flash' }] } }
const variants: ExperimentConfig['variants'] = [
  { name: 'control', weight: 1, control: true, target: { provider: 'openai', model: 'gpt-4o' } },
  { name: 'b', weight: 1, control: false, target: { provider: 'google', model: 'gemini-2.5-flash' } },
]
const experiment = (over: Partial<ExperimentConfig> = {}): ExperimentConfig =>
  Value.Default(ExperimentSchema, { status: 'running', model: 'chat', variants, ...over }) as ExperimentConfig
const providers = { openai: { type: 'openai' }, google: { type: 'gemini' }, azure: { type: 'openai' } }
const problems = (experiments: Record<string, ExperimentConfig>): string[] => experimentProblems({ providers, models, experiments }).map(formatProblem)

describe('experiment config checks', () => {
  it('accepts a well-formed experiment', () => {
    expect(problems({ e: experiment() })).toEqual([])
  })

  it('names an unknown model, a foreign target, duplicate names, the control count and zero weights', () => {
    const out = problems({
      a: experiment({ model: 'nope' }),
      b: experiment({ variants: [variants[0]!, { ...variants[1]!, target: { provider: 'openai', model: 'gpt-4o-mini' } }] }),
      c: experiment({ variants: [variants[0]!, { ...variants[1]!, name: 'control', control: true }] }),
      d: experiment({ variants: [{ ...variants[0]!, control: false }, variants[1]!] }),
      e: experiment({ status: 'draft', variants: variants.map((v) => ({ ...v, weight: 0 })) }),
    })
    expect(out.join('\n')).toMatch(/experiments\.a\.model.*not a key of models/)
    expect(out.join('\n')).toMatch(/experiments\.b\.variants\[1\]\.target.*not one of chat's targets/)
    expect(out.join('\n')).toMatch(/experiments\.c\.variants\[1\]\.name.*duplicates/)
    expect(out.join('\n')).toMatch(/experiments\.c\.variants.*exactly one control variant \(has 2\)/)
    expect(out.join('\n')).toMatch(/experiments\.d\.variants.*exactly one control variant \(has 0\)/)
    expect(out.join('\n')).toMatch(/experiments\.e\.variants.*weight above 0/)
  })

  it('allows one running experiment per model', () => {
    const out = problems({ first: experiment(), second: experiment(), third: experiment({ status: 'stopped' }) })
    expect(out).toHaveLength(1)
    expect(out[0]).toMatch(/experiments\.second\.status.*chat already runs experiment first/)
  })

  it('names application metrics that reuse a built-in name, and primary or guardrail metrics that do not resolve', () => {
    const out = problems({
      e: experiment({
        metrics: { success: { kind: 'proportion', lowerIsBetter: false }, thumbs_up: { kind: 'proportion', lowerIsBetter: false } },
        primaryMetric: 'thumbs',
        guardrailMetrics: ['latency_ms', 'thumbs_up', 'nope'],
      }),
    }).join('\n')
    expect(out).toMatch(/experiments\.e\.metrics\.success.*built-in metric/)
    expect(out).toMatch(/experiments\.e\.primaryMetric.*neither a built-in metric nor a key of metrics.*thumbs/)
    expect(out).toMatch(/experiments\.e\.guardrailMetrics\[2\].*nope/)
    expect(out).not.toMatch(/guardrailMetrics\[1\]/)
  })

  it('checks a native experiment: its mount exists and its variants keep the dialect', () => {
    const native = (over: Partial<ExperimentConfig>): ExperimentConfig =>
      experiment({
        mount: 'openai',
        model: 'gpt-4o',
        variants: [
          { name: 'control', weight: 1, control: true, target: { provider: 'openai', model: 'gpt-4o' } },
          { name: 'mini', weight: 1, control: false, target: { provider: 'azure', model: 'gpt-4o-mini' } },
        ],
        ...over,
      })
    expect(problems({ n: native({}) })).toEqual([])
    const out = problems({
      a: native({ mount: 'nope' }),
      b: native({ variants: [variants[0]!, { ...variants[1]!, target: { provider: 'google', model: 'gemini-2.5-flash' } }] }),
      c: native({ status: 'running' }),
    }).join('\n')
    expect(out).toMatch(/experiments\.a\.mount.*not a key of providers/)
    expect(out).toMatch(/experiments\.b\.variants\[1\]\.target\.provider.*must be a openai provider/)
    expect(out).toMatch(/experiments\.c\.status.*openai\/gpt-4o already runs experiment/)
  })
})
