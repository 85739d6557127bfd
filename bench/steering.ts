// In-process microbenchmark of the steering step (pipeline step 7): `steer` over a unified
// request's facts for a virtual model with two targets — by weight; with a running experiment
// whose targeting admits the user (flagd rule, then the fractional bucket over seed + targetingKey);
// with a bandit in mode `active` (flag evaluation, Thompson draw, feedback token); and with both
// (the experiment's users steered by it, the rest by the bandit). Then the settle side: crediting
// one finished request to a variant, to a bandit arm and to a rollout's arm. A canary rollout at its 50 %
// step (started on a memory state store) is timed too. Facts for 1,000 users are built first
// (identify is not timed); each sample times a batch of 100 decisions and divides.
// Run: `npm run build && node dist/bench/steering.js`.
import { parseConfig } from '../src/config/load.js'
import type { RequestFacts } from '../src/core/facts.js'
import { builtinFlags, compileFlagSet, providerFlags } from '../src/flags/index.js'
import { LocalRateLimiter } from '../src/gates/rate-limit/index.js'
import { readSluiceHeaders } from '../src/pipeline/headers.js'
import { identifyUnified, parseUnified } from '../src/pipeline/identify.js'
import { CircuitRegistry } from '../src/resilience/circuits.js'
import { buildSnapshot } from '../src/runtime/snapshot.js'
import { steer } from '../src/steering/plan.js'
import { memoryExperimentHooks } from '../src/runtime/outcomes.js'
import { createStore } from '../src/state/index.js'
import { guardrailsFor } from '../src/runtime/guardrails.js'

const USERS = 1_000
const BATCH = 100
const BATCHES = 20_000

const targets = [
  { provider: 'openai', model: 'gpt-4o-mini' },
  { provider: 'openai', model: 'gpt-4o', weight: 1 },
]
/** A running experiment on `model`: flagd targeting that admits the bench's users, 90 % allocation. */
const experimentOn = (model: string): Record<string, unknown> => ({
  status: 'running',
  model,
  allocationPercent: 90,
  targeting: { and: [{ '==': [{ var: 'tenant' }, 'shop'] }, { in: [{ var: 'plan' }, ['pro', 'beta']] }] },
  variants: [
    { name: 'control', control: true, target: { provider: 'openai', model: 'gpt-4o-mini' } },
    { name: 'bigger', target: { provider: 'openai', model: 'gpt-4o' } },
  ],
})
const loaded = parseConfig(
  JSON.stringify({
    state: { store: 'memory' },
    providers: { openai: { type: 'openai', mount: '/openai', endpoint: 'http://127.0.0.1:9', apiKey: 'sk-upstream' } },
    clients: [{ id: 'app', tenant: 'shop', credentials: { apiKey: 'sk-client' } }],
    models: {
      weighted: { targets },
      experimented: { targets },
      bandit: { targets, bandit: {} },
      both: { targets, bandit: {} },
      rolled: { targets },
    },
    experiments: { trial: experimentOn('experimented'), alongside: experimentOn('both') },
    rollouts: {
      canary: { model: 'rolled', stable: targets[0], canary: { provider: 'openai', model: 'gpt-4o' }, steps: [{ percent: 50 }, { percent: 100 }] },
    },
  }),
)
if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems))
const config = loaded.config
const active = { state: 'ENABLED', variants: { off: 'off', active: 'active' }, defaultVariant: 'active' }
const compiled = compileFlagSet([{ source: 'bench', document: { flags: { 'ai.bandit.mode': active } } }], {}, { builtins: { ...builtinFlags(), ...providerFlags(['openai']) } })
if (!compiled.ok) throw new Error(compiled.problems.join('\n'))
const hooks = memoryExperimentHooks()
const snapshot = buildSnapshot(config, 'bench', {
  flags: compiled.flagSet,
  killSwitches: [],
  rateLimiter: new LocalRateLimiter(config.rateLimits),
  budgets: undefined,
  circuits: new CircuitRegistry(),
  experiments: hooks,
  guardrails: guardrailsFor(config, { words: [], patterns: [] }),
})
// The rollout runs on a memory state store, started, at its 50 % step.
const state = await createStore({ store: 'memory', path: '' })
await hooks.rollouts.start(state)
await hooks.rollouts.act('canary', 'start', 'bench', 'bench')
const client = config.clients[0]!

function factsFor(model: string): RequestFacts[] {
  const parsed = parseUnified(snapshot, Buffer.from(JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello' }], max_tokens: 16 })))
  if (!parsed.ok) throw new Error(parsed.code)
  return Array.from({ length: USERS }, (_, i) => {
    const sluiceHeaders = readSluiceHeaders({ 'x-sluice-user': `user-${i}`, 'x-sluice-attr-plan': 'pro' })
    if (typeof sluiceHeaders === 'string') throw new Error(sluiceHeaders)
    const facts = identifyUnified({ requestId: 'r', arrivedAt: 0, bodyReadAt: 0, client, sluiceHeaders, environment: 'bench' }, parsed.request, new Map())
    if (typeof facts === 'string') throw new Error(facts)
    return facts
  })
}

function measure(label: string, all: readonly RequestFacts[], check: (facts: RequestFacts) => void): void {
  let sink = 0
  const random = Math.random
  for (const facts of all) check(facts)
  for (let i = 0; i < 200_000; i++) sink += steer(all[i % USERS]!, random).candidates.length // warm-up
  const perDecisionUs: number[] = []
  for (let b = 0; b < BATCHES; b++) {
    const offset = (b * BATCH) % USERS
    const start = performance.now()
    for (let i = 0; i < BATCH; i++) sink += steer(all[(offset + i) % USERS]!, random).candidates.length
    perDecisionUs.push(((performance.now() - start) * 1000) / BATCH)
  }
  perDecisionUs.sort((a, b) => a - b)
  const q = (p: number): string => perDecisionUs[Math.floor(p * (perDecisionUs.length - 1))]!.toFixed(3)
  process.stdout.write(`${label} (${BATCHES} batches of ${BATCH}): p50 ${q(0.5)} µs, p99 ${q(0.99)} µs  [${sink > 0 ? 'ok' : '?'}]\n`)
}

measure('steer, weighted (no experiment)', factsFor('weighted'), (facts) => {
  if (steer(facts, Math.random).by !== 'weighted') throw new Error('expected a weighted plan')
})
let inExperiment = 0
measure('steer, running experiment (targeting + bucket)', factsFor('experimented'), (facts) => {
  const plan = steer(facts, Math.random)
  if (plan.by === 'experiment') inExperiment++
  else if (plan.by !== 'weighted') throw new Error(`unexpected plan ${plan.by}`)
})
// The allocation is 90 %: about 900 of the 1,000 users are in the experiment.
process.stdout.write(`users in the experiment: ${inExperiment} of ${USERS}\n`)
if (inExperiment < 850 || inExperiment > 950) throw new Error('the experiment did not assign as configured')
measure('steer, bandit in mode active', factsFor('bandit'), (facts) => {
  if (steer(facts, Math.random).by !== 'bandit') throw new Error('expected a bandit plan')
})
const byBoth = new Map<string, number>()
measure('steer, experiment and bandit on one model', factsFor('both'), (facts) => {
  const { by } = steer(facts, Math.random)
  byBoth.set(by, (byBoth.get(by) ?? 0) + 1)
})
process.stdout.write(`experiment and bandit: ${[...byBoth].map(([by, n]) => `${n} by ${by}`).join(', ')}\n`)
if ((byBoth.get('experiment') ?? 0) < 850 || (byBoth.get('bandit') ?? 0) < 50) throw new Error('expected both the experiment and the bandit to steer')

const byRollout = new Map<string, number>()
measure('steer, canary rollout at 50 %', factsFor('rolled'), (facts) => {
  const plan = steer(facts, Math.random)
  if (plan.by !== 'rollout') throw new Error(`expected a rollout plan, got ${plan.by}`)
  const arm = plan.tags?.['x-sluice-rollout-arm'] ?? '?'
  byRollout.set(arm, (byRollout.get(arm) ?? 0) + 1)
})
process.stdout.write(`rollout arms: ${[...byRollout].map(([arm, n]) => `${n} ${arm}`).join(', ')}\n`)

/** Times `settle` of one finished request on the plans' credits (the settle side of steering). */
function measureCredit(label: string, facts: RequestFacts): void {
  const credit = steer(facts, Math.random).credit
  if (credit === undefined) throw new Error(`${label}: no credit`)
  const request = { user: facts.context.targetingKey, ok: true, durationMs: 420, ttftMs: 180, usage: { inputTokens: 20, outputTokens: 40, cachedTokens: 0, reasoningTokens: 0 }, served: undefined, model: undefined, clientAborted: false }
  for (let i = 0; i < 100_000; i++) credit.settle(request) // warm-up
  const perUs: number[] = []
  for (let b = 0; b < BATCHES; b++) {
    const start = performance.now()
    for (let i = 0; i < BATCH; i++) credit.settle(request)
    perUs.push(((performance.now() - start) * 1000) / BATCH)
  }
  perUs.sort((a, b) => a - b)
  const q = (p: number): string => perUs[Math.floor(p * (perUs.length - 1))]!.toFixed(3)
  process.stdout.write(`${label} (${BATCHES} batches of ${BATCH}): p50 ${q(0.5)} µs, p99 ${q(0.99)} µs\n`)
}
measureCredit('settle credit, experiment variant', factsFor('experimented').find((f) => steer(f, Math.random).by === 'experiment')!)
measureCredit('settle credit, bandit arm', factsFor('bandit')[0]!)
measureCredit('settle credit, rollout arm', factsFor('rolled')[0]!)
await hooks.rollouts.close()
await state.close()
