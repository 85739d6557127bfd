// In-process microbenchmark of the per-request decision path (targets: p50 ≤ 20 µs for
// gates 1–3; ≤ 10 µs per local gate): identify (mount lookup, operation/model recognition
// with the body's JSON parse, client key auth, evaluation context, candidates), gates 2–3 (kill switches with
// a few switches set, control flags) gate 5 (two local rate-limit rules, acquire + settle) and steering;
// then the same with gate 6, budgets (three budgets on the default sqlite spend store in a temp
// directory, with its crash journal: estimate, check, reserve, settle, and the sync each settle
// starts). Run: `npm run build && node dist/bench/gates.js`.
// Each sample times a batch of requests and divides, since one request is near the timer's
// resolution; p50/p99 are over batches. A server settles each request in a turn of its own, and
// the settle's sync (a sqlite commit) runs then; the last line yields to the event loop after each
// request to count that too (the yield itself is in the number: compare it with the line above).
import { authenticate } from '../src/auth/client-auth.js'
import { parseConfig } from '../src/config/load.js'
import { buildSnapshot } from '../src/runtime/snapshot.js'
import { findMount } from '../src/pipeline/snapshot.js'
import { CircuitRegistry } from '../src/resilience/circuits.js'
import { builtinFlags, compileFlagSet, killSwitchFlags, providerFlags } from '../src/flags/index.js'
import type { Outcome } from '../src/core/facts.js'
import { LocalRateLimiter } from '../src/gates/rate-limit/index.js'
import { GateRun } from '../src/pipeline/gates.js'
import { readSluiceHeaders } from '../src/pipeline/headers.js'
import { identifyNative } from '../src/pipeline/identify.js'
import { steer } from '../src/steering/plan.js'
import type { NativeRequest } from '../src/core/wire.js'
import { createLogger } from '../src/log.js'
import { Budgets } from '../src/gates/budget/runtime.js'
import { createStore } from '../src/state/index.js'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryExperimentHooks } from '../src/runtime/outcomes.js'
import { guardrailsFor } from '../src/runtime/guardrails.js'

const OUTCOME: Outcome = {
  status: 200,
  decision: 'allow',
  code: '200',
  usage: { inputTokens: 12, outputTokens: 20, cachedTokens: 0, reasoningTokens: 0 },
  overheadMs: 0,
  ttftMs: 0,
  upstreamMs: 0,
  clientAborted: false,
  upstreamBroken: false,
}
const BATCH = 100
const BATCHES = 5_000
const on = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' }

const stateDir = mkdtempSync(join(tmpdir(), 'sluice-bench-gates-'))
const loaded = parseConfig(
  JSON.stringify({
    state: { store: 'sqlite', path: stateDir },
    providers: { openai: { type: 'openai', mount: '/openai', endpoint: 'http://127.0.0.1:9', apiKey: 'sk-upstream' } },
    clients: [{ id: 'app', tenant: 'shop', credentials: { apiKey: 'sk-client' } }],
    // Generous limits: the bench measures the cost of checking, not of refusing.
    rateLimits: {
      rules: [
        { name: 'per-user', key: ['tenant', 'user'], requests: { limit: 1_000_000_000, windowSeconds: 60 } },
        { name: 'per-model-tokens', key: ['model'], tokens: { limit: 1_000_000_000_000, windowSeconds: 60 } },
      ],
    },
    // Three budgets every call counts toward (generous, like the rate limits).
    budgets: {
      limits: {
        daily: { scope: 'global', limitUsd: 1_000_000_000, window: 'day' },
        'per-tenant': { scope: 'tenant', limitUsd: 1_000_000_000, window: 'month' },
        'per-user': { scope: 'user', limitUsd: 1_000_000_000, window: 'rolling', windowSeconds: 3600 },
      },
    },
  }),
)
if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems))
const config = loaded.config
const compiled = compileFlagSet([{ source: 'bench', document: { flags: { 'ai.egress.enabled': on, 'ai.streaming.enabled': on, 'ai.ratelimit.enforce': on, 'ai.budget.enforce': on } } }], {}, {
  builtins: { ...builtinFlags(), ...providerFlags(['openai']), ...killSwitchFlags({ provider: ['openai'], route: ['openai'] }) },
})
if (!compiled.ok) throw new Error(compiled.problems.join('\n'))
const at = new Date().toISOString()
const switches = ['gpt-3.5-turbo', 'gpt-4-0613', 'o1-preview'].map((target) => ({ scope: 'model' as const, target, reason: 'bench', actor: 'bench', setAt: at }))
const rateLimiter = new LocalRateLimiter(config.rateLimits)
// Built as in the default configuration; the mode flag is off, so a request pays its evaluation only.
const guardrails = guardrailsFor(config, { words: [], patterns: [] })
const logger = createLogger('silent')
const noBudgets = buildSnapshot(config, 'bench', { flags: compiled.flagSet, killSwitches: switches, rateLimiter, budgets: undefined, circuits: new CircuitRegistry(), experiments: memoryExperimentHooks(), guardrails })
// The budget machinery as `sluice serve` starts it: spend in <stateDir>/budgets.db (sync timer and
// sync on settle on), the crash journal beside it. The state store only takes threshold actions.
const budgetMachinery = await Budgets.start(config, await createStore({ ...config.state, store: 'memory' }), logger)
const withBudgets = buildSnapshot(config, 'bench', {
  flags: compiled.flagSet,
  killSwitches: switches,
  rateLimiter,
  budgets: budgetMachinery.reconfigure(config),
  circuits: new CircuitRegistry(),
  experiments: memoryExperimentHooks(),
  guardrails,
})

const body = Buffer.from(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello in one short sentence.' }], max_tokens: 32 }))
const headers = { 'content-type': 'application/json', authorization: 'Bearer sk-client', 'x-sluice-user': 'user-42', 'x-sluice-attr-plan': 'pro' }

function decide(snapshot: typeof noBudgets): boolean {
  const mount = findMount(snapshot, '/openai/v1/chat/completions')!
  const request: NativeRequest = { method: 'POST', path: '/v1/chat/completions', query: '', headers, body }
  const recognised = mount.adapter.recognise(request)
  if (!recognised.ok) throw new Error(recognised.detail)
  const auth = authenticate(snapshot, mount.config.auth, mount.adapter, request, '/openai/v1/chat/completions', 'us-east-1')
  if (auth instanceof Promise || !auth.ok) throw new Error('auth failed')
  const sluiceHeaders = readSluiceHeaders(headers)
  if (typeof sluiceHeaders === 'string') throw new Error(sluiceHeaders)
  const arrival = { requestId: 'r', arrivedAt: 0, bodyReadAt: 0, client: auth.client, sluiceHeaders, environment: 'bench' }
  const facts = identifyNative(snapshot, arrival, mount, request, recognised.operation)
  const gates = new GateRun(snapshot, facts, logger)
  const result = gates.run()
  if (result instanceof Promise) throw new Error('the local gates are synchronous')
  if (result.kind === 'deny') return false
  steer(facts, Math.random)
  // The request ends: settle what the gates reserved, as the pipeline does.
  gates.settle(OUTCOME)
  return true
}

async function measure(label: string, snapshot: typeof noBudgets, yieldEach: boolean): Promise<void> {
  const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
  for (let i = 0; i < 50_000; i++) {
    if (!decide(snapshot)) throw new Error('denied')
    if (yieldEach) await yieldTurn()
  }
  const perRequestUs: number[] = []
  for (let b = 0; b < BATCHES; b++) {
    const start = performance.now()
    for (let i = 0; i < BATCH; i++) {
      decide(snapshot)
      if (yieldEach) await yieldTurn()
    }
    perRequestUs.push(((performance.now() - start) * 1000) / BATCH)
    // Between batches, not timed: let a sync started by the batch finish.
    if (!yieldEach) await yieldTurn()
  }
  perRequestUs.sort((a, b) => a - b)
  const q = (p: number): string => perRequestUs[Math.floor(p * (perRequestUs.length - 1))]!.toFixed(2)
  process.stdout.write(`${label} per request (${BATCHES} batches of ${BATCH}): p50 ${q(0.5)} µs, p99 ${q(0.99)} µs\n`)
}

const base = 'identify + kill switches + control flags + rate limits (acquire and settle)'
await measure(base, noBudgets, false)
await measure(`${base} + budgets (sqlite)`, withBudgets, false)
await measure(`${base}, a turn each`, noBudgets, true)
await measure(`${base} + budgets (sqlite), a turn each`, withBudgets, true)
await budgetMachinery.stop()
