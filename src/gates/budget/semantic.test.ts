import { describe, expect, it } from 'vitest'
import { formatProblem } from '../../core/problems.js'
import { schemaProblems } from '../../core/schema-problems.js'
import { BudgetsSchema } from './schema.js'
import { checkBudgets } from './semantic.js'
import { budgetsConfig } from './test-support.js'

describe('budgets config', () => {
  it('fills defaults: UTC calendar windows, alerts at 80 and 100 %, a high unknown-model price', () => {
    const config = budgetsConfig({ limits: { total: { scope: 'global', limitUsd: 100, window: 'month' } } })
    expect(config.limits.total).toEqual({
      scope: 'global',
      limitUsd: 100,
      window: 'month',
      timeZone: 'UTC',
      thresholds: [
        { atPercent: 80, actions: [{ action: 'alert' }] },
        { atPercent: 100, actions: [{ action: 'alert' }] },
      ],
    })
    expect(config.unknownModel).toEqual({ policy: 'price', inputPerMTok: 15, outputPerMTok: 75 })
    expect(config.sync).toEqual({ intervalMs: 250, onSettle: true, localShareWhenStoreDown: 1 })
    expect(checkBudgets(config)).toEqual({ problems: [], warnings: [] })
  })

  it('reports schema problems in config notation', () => {
    const problems = schemaProblems(BudgetsSchema, {
      limits: { total: { scope: 'galaxy', limitUsd: -1, window: 'day' } },
      prices: { 'gpt-4o': { inputPerMTok: 1, outputPerMTok: 1 } },
    }).map(formatProblem)
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^limits\.total\.scope: must be one of global, provider, model, route, client, tenant, user, shadow/),
        expect.stringMatching(/^limits\.total\.limitUsd: must be at least 0/),
        expect.stringMatching(/^prices\.gpt-4o: is not a valid name \(must match \^\(bedrock\|gemini\|llama\|openai\)/),
      ]),
    )
  })

  it('reports what the schema cannot say', () => {
    const config = budgetsConfig({
      limits: {
        rolling: { scope: 'user', limitUsd: 1, window: 'rolling' },
        daily: { scope: 'global', target: 'x', limitUsd: 1, window: 'day', timeZone: 'Mars/Olympus_Mons', windowSeconds: 60 },
        actions: {
          scope: 'model',
          limitUsd: 1,
          window: 'day',
          thresholds: [
            { atPercent: 50, actions: [{ action: 'throttle' }, { action: 'alert', factor: 0.5 }] },
            { atPercent: 50, actions: [{ action: 'downgrade' }] },
            { atPercent: 100, actions: [{ action: 'downgrade', toModel: 'cheap' }, { action: 'disable', toModel: 'x' }] },
          ],
        },
      },
    })
    const { problems, warnings } = checkBudgets(config)
    expect(problems.map(formatProblem)).toEqual([
      'budgets.limits.rolling.windowSeconds: is required when window is rolling',
      'budgets.limits.daily.windowSeconds: only applies to window rolling (got 60)',
      'budgets.limits.daily.timeZone: is not an IANA time zone this runtime knows (got "Mars/Olympus_Mons")',
      'budgets.limits.daily.target: does not apply to scope global (got "x")',
      'budgets.limits.actions.thresholds[0].actions[0].factor: is required for throttle',
      'budgets.limits.actions.thresholds[0].actions[1].factor: only applies to throttle (got 0.5)',
      'budgets.limits.actions.thresholds[1].atPercent: duplicates another threshold (got 50)',
      'budgets.limits.actions.thresholds[1].actions[0].toModel: is required for downgrade',
      'budgets.limits.actions.thresholds[2].actions[1].toModel: only applies to downgrade (got "x")',
    ])
    expect(warnings).toEqual(['budgets.limits.actions: a downgrade at 100% never applies; the budget refuses calls from 100%'])
  })
})
