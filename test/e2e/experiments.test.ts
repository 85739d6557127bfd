// A/B experiments over a virtual model, through the unified endpoint with the official
// openai SDK to the emulators: a user's variant is sticky, is the one a flagd client predicts from
// the experiment's rule (checked with @openfeature/flagd-core), is served by the variant's target,
// and tags the response and the decision record; targeting keeps the users it does not admit out.
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assignmentTable } from '../../src/steering/experiments/assign.js'
import { flagdAssigner } from '../support/flagd.js'
import { CLIENT, startStack, type Stack } from '../support/stack.js'

const HELLO = [{ role: 'user' as const, content: 'Say hello.' }]
const VARIANTS = [
  { name: 'control', control: true, weight: 1, target: { provider: 'openai', model: 'gpt-4o-mini' } },
  { name: 'gemini', weight: 1, target: { provider: 'google', model: 'gemini-2.5-flash' } },
]
const PROVIDER_OF: Record<string, string> = { control: 'openai', gemini: 'google' }

let stack: Stack

beforeAll(async () => {
  stack = await startStack({
    configure(config) {
      const targets = [
        { provider: 'openai', model: 'gpt-4o-mini' },
        { provider: 'google', model: 'gemini-2.5-flash', weight: 0 },
      ]
      config.models = { 'support-chat': { targets }, 'beta-chat': { targets }, 'quiet-chat': { targets } }
      config.experiments = {
        'gemini-trial': { status: 'running', model: 'support-chat', seed: 'trial-2026', variants: VARIANTS },
        'beta-only': { status: 'running', model: 'beta-chat', targeting: { '==': [{ var: 'plan' }, 'beta'] }, variants: VARIANTS },
        'not-yet': { model: 'quiet-chat', variants: VARIANTS },
      }
    },
  })
})
afterAll(async () => {
  await stack.close()
})

const openai = (): OpenAI => new OpenAI({ baseURL: `${stack.sluice.dataUrl}/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })

async function ask(model: string, user: string, extra: Record<string, string> = {}) {
  const { response } = await openai().chat.completions.create({ model, messages: HELLO }, { headers: { 'x-sluice-user': user, ...extra } }).withResponse()
  return {
    experiment: response.headers.get('x-sluice-experiment'),
    variant: response.headers.get('x-sluice-variant'),
    provider: response.headers.get('x-sluice-provider'),
    requestId: response.headers.get('x-sluice-request-id')!,
  }
}

/** What a flagd client answers for `user` with the experiment's rule. */
const flagdPredictor = (seed: string): ((user: string) => string | undefined) => flagdAssigner(assignmentTable(seed, VARIANTS, 100))

describe('an experiment on a virtual model', () => {
  it("assigns each user the variant flagd predicts, serves it from the variant's target, and tags it", async () => {
    const predict = flagdPredictor('trial-2026')
    const seen = new Set<string>()
    for (let i = 0; i < 24; i++) {
      const user = `user-${i}`
      const first = await ask('support-chat', user)
      expect(first.experiment).toBe('gemini-trial')
      expect(first.variant).toBe(predict(user))
      expect(first.provider).toBe(PROVIDER_OF[first.variant!])
      seen.add(first.variant!)
      // Sticky: the same user gets the same variant again.
      expect((await ask('support-chat', user)).variant).toBe(first.variant)
    }
    expect([...seen].sort()).toEqual(['control', 'gemini'])
  })

  it('counts the requests it steered per variant', async () => {
    const count = async (variant: string): Promise<number> => {
      const text = await (await fetch(`${stack.sluice.adminUrl}/metrics`)).text()
      const line = text.split('\n').find((l) => l.startsWith(`sluice_experiment_assignments_total{experiment="gemini-trial",variant="${variant}"}`))
      return line === undefined ? 0 : Number(line.split(' ').pop())
    }
    const predict = flagdPredictor('trial-2026')
    const before = { control: await count('control'), gemini: await count('gemini') }
    const expected = { control: 0, gemini: 0 }
    for (let i = 100; i < 110; i++) {
      await ask('support-chat', `user-${i}`)
      expected[predict(`user-${i}`) as 'control' | 'gemini']++
    }
    expect({ control: (await count('control')) - before.control, gemini: (await count('gemini')) - before.gemini }).toEqual(expected)
  })

  it('writes the experiment and variant into the decision record', async () => {
    const answer = await ask('support-chat', 'user-7')
    const record = await stack.decision(answer.requestId)
    expect(record).toMatchObject({ experiment: 'gemini-trial', variant: answer.variant })
  })

  it('leaves out the users its targeting does not admit: routed by weight, untagged', async () => {
    const outside = await ask('beta-chat', 'user-1')
    expect(outside.experiment).toBeNull()
    expect(outside.variant).toBeNull()
    expect(outside.provider).toBe('openai') // the only target with a weight
    const inside = await ask('beta-chat', 'user-1', { 'x-sluice-attr-plan': 'beta' })
    expect(inside.experiment).toBe('beta-only')
    expect(inside.variant).not.toBeNull()
  })

  it('does nothing while it is a draft', async () => {
    for (let i = 0; i < 5; i++) {
      const answer = await ask('quiet-chat', `user-${i}`)
      expect(answer.experiment).toBeNull()
      expect(answer.provider).toBe('openai')
    }
  })
})
