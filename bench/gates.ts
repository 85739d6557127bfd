// In-process microbenchmark of the per-request decision path (issue #3 target: p50 ≤ 20 µs for
// gates 1–3; issue #4: ≤ 10 µs per local gate): identify (mount lookup, operation/model recognition
// with the body's JSON parse, client key auth, evaluation context, candidates), gates 2–3 (kill switches with
// a few switches set, control flags) gate 5 (two local rate-limit rules, acquire + settle) and steering. Run: `npm run build && node dist/bench/gates.js`.
// Each sample times a batch of requests and divides, since one request is near the timer's
// resolution; p50/p99 are over batches.
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

const loaded = parseConfig(
  JSON.stringify({
    state: { store: 'memory' },
    providers: { openai: { type: 'openai', mount: '/openai', endpoint: 'http://127.0.0.1:9', apiKey: 'sk-upstream' } },
    clients: [{ id: 'app', tenant: 'shop', credentials: { apiKey: 'sk-client' } }],
    // Generous limits: the bench measures the cost of checking, not of refusing.
    rateLimits: {
      rules: [
        { name: 'per-user', key: ['tenant', 'user'], requests: { limit: 1_000_000_000, windowSeconds: 60 } },
        { name: 'per-model-tokens', key: ['model'], tokens: { limit: 1_000_000_000_000, windowSeconds: 60 } },
      ],
    },
  }),
)
if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems))
const config = loaded.config
const compiled = compileFlagSet([{ source: 'bench', document: { flags: { 'ai.egress.enabled': on, 'ai.streaming.enabled': on, 'ai.ratelimit.enforce': on } } }], {}, {
  builtins: { ...builtinFlags(), ...providerFlags(['openai']), ...killSwitchFlags({ provider: ['openai'], route: ['openai'] }) },
})
if (!compiled.ok) throw new Error(compiled.problems.join('\n'))
const at = new Date().toISOString()
const switches = ['gpt-3.5-turbo', 'gpt-4-0613', 'o1-preview'].map((target) => ({ scope: 'model' as const, target, reason: 'bench', actor: 'bench', setAt: at }))
const rateLimiter = new LocalRateLimiter(config.rateLimits)
const logger = createLogger('silent')
const snapshot = buildSnapshot(config, 'bench', { flags: compiled.flagSet, killSwitches: switches, rateLimiter, budgets: undefined, circuits: new CircuitRegistry() })

const body = Buffer.from(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello in one short sentence.' }], max_tokens: 32 }))
const headers = { 'content-type': 'application/json', authorization: 'Bearer sk-client', 'x-sluice-user': 'user-42', 'x-sluice-attr-plan': 'pro' }

function decide(): boolean {
  const mount = findMount(snapshot, '/openai/v1/chat/completions')!
  const request: NativeRequest = { method: 'POST', path: '/v1/chat/completions', query: '', headers, body }
  const recognised = mount.adapter.recognise(request)
  if (!recognised.ok) throw new Error(recognised.detail)
  const auth = authenticate(snapshot, mount.config.auth, mount.adapter, request, '/openai/v1/chat/completions')
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

for (let i = 0; i < 50_000; i++) if (!decide()) throw new Error('denied')
const perRequestUs: number[] = []
for (let b = 0; b < BATCHES; b++) {
  const start = performance.now()
  for (let i = 0; i < BATCH; i++) decide()
  perRequestUs.push(((performance.now() - start) * 1000) / BATCH)
}
perRequestUs.sort((a, b) => a - b)
const q = (p: number): string => perRequestUs[Math.floor(p * (perRequestUs.length - 1))]!.toFixed(2)
process.stdout.write(`identify + kill switches + control flags + rate limits (acquire and settle) per request (${BATCHES} batches of ${BATCH}): p50 ${q(0.5)} µs, p99 ${q(0.99)} µs\n`)
