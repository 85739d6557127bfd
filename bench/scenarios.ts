// What the benchmark sends: an OpenAI chat completion, plain JSON and SSE-streamed.
export const BENCH_UPSTREAM_KEY = 'sk-bench-upstream-key-0000'
export const BENCH_CLIENT_KEY = 'sk-bench-client-key-0000'

export interface Scenario {
  readonly name: string
  readonly body: string
}

const messages = [{ role: 'user', content: 'Say hello to the benchmark in a short sentence.' }]

export const scenarios: readonly Scenario[] = [
  { name: 'json', body: JSON.stringify({ model: 'gpt-4o-mini', messages, max_tokens: 32 }) },
  {
    name: 'sse',
    body: JSON.stringify({ model: 'gpt-4o-mini', messages, max_tokens: 32, stream: true, stream_options: { include_usage: true } }),
  },
]

/**
 * `npm run bench`'s steering columns: the unified endpoint over a virtual model `steered` with two
 * targets on the emulator, once by weight only (`sluice-unified`) and once with a running
 * experiment and a bandit in mode `active` (`sluice-steered`). The experiment's targeting admits
 * non-streamed requests only, so the JSON rows are steered by the experiment (assignment, tags,
 * per-variant statistics) and the SSE rows by the bandit (Thompson draw, feedback token, arm
 * statistics): each row pays for one of them, as a request does (an experiment's users are not
 * the bandit's).
 */
export const STEERED_MODEL = 'steered'
const steeredTargets = [
  { provider: 'openai', model: 'gpt-4o-mini' },
  { provider: 'openai', model: 'gpt-4o', weight: 1 },
]
export const unifiedOverrides = { models: { [STEERED_MODEL]: { targets: steeredTargets } } }
export function steeredOverrides(flags: Record<string, unknown>): Record<string, unknown> {
  return {
    models: { [STEERED_MODEL]: { targets: steeredTargets, bandit: {} } },
    experiments: {
      bench: {
        status: 'running',
        model: STEERED_MODEL,
        targeting: { '==': [{ var: 'stream' }, false] },
        variants: [
          { name: 'control', control: true, target: steeredTargets[0] },
          { name: 'bigger', target: { provider: 'openai', model: 'gpt-4o' } },
        ],
      },
    },
    flags: { ...flags, 'ai.bandit.mode': { state: 'ENABLED', variants: { off: 'off', active: 'active' }, defaultVariant: 'active' } },
  }
}

/**
 * `npm run bench`'s `sluice-shadow` column: the default configuration with every request of the
 * bench's native model mirrored (100 %) to gpt-4o on a second emulator process (`shadowUpstream`),
 * with a cap of 64 in flight: far above what the paced phase needs (500 req/s × ~2 ms ≈ 1 in
 * flight), so every paced request is mirrored, while the saturating closed loop has some mirrors
 * skipped, as the cap is there to do. Set against the `sluice` column it shows what
 * mirroring adds to the client's latency: nothing, by design, as a mirror starts once the answer
 * has ended; the mirrors' own work still shares the proxy's CPU.
 */
export function shadowOverrides(shadowUpstream: string): Record<string, unknown> {
  return {
    providers: { shadow: { type: 'openai', mount: '/shadow', endpoint: shadowUpstream, apiKey: BENCH_UPSTREAM_KEY } },
    shadows: { bench: { mount: 'openai', model: 'gpt-4o-mini', target: { provider: 'shadow', model: 'gpt-4o' }, percent: 100, maxConcurrent: 64 } },
    flags: { 'ai.shadow.enabled': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' } },
  }
}

/**
 * `npm run bench`'s `sluice-guardrails` column: the default configuration with guardrails in block
 * mode and their default detectors (personal data, credentials, injection heuristics) on the
 * request and the answer, which carry nothing they match: what checking costs.
 */
export const guardrailOverrides = {
  flags: { 'ai.guardrails.mode': { state: 'ENABLED', variants: { off: 'off', block: 'block' }, defaultVariant: 'block' } },
}

/** A scenario's body naming the virtual model instead of the native one. */
export function forModel(scenario: Scenario, model: string): Scenario {
  return { name: scenario.name, body: JSON.stringify({ ...(JSON.parse(scenario.body) as object), model }) }
}

/** The native models behind `npm run bench:unified`'s virtual models `bench-<provider>`. */
export const UNIFIED_MODELS = {
  bedrock: 'anthropic.claude-3-haiku-20240307-v1:0',
  gemini: 'gemini-2.5-flash',
  llama: 'Llama-4-Maverick-17B-128E-Instruct-FP8',
} as const

const prompt = messages[0]!.content

/** One request for the unified-endpoint bench: where it goes on Sluice and its body. */
export interface UnifiedScenario {
  readonly provider: keyof typeof UNIFIED_MODELS
  readonly mode: 'native' | 'unified'
  readonly stream: boolean
  readonly path: string
  readonly headers: Record<string, string>
  readonly body: string
}

/** Each provider, JSON and streamed, natively on its mount and through POST /v1/chat/completions. */
export function unifiedScenarios(): UnifiedScenario[] {
  const out: UnifiedScenario[] = []
  const bearer = { authorization: `Bearer ${BENCH_CLIENT_KEY}` }
  for (const provider of ['bedrock', 'gemini', 'llama'] as const) {
    for (const stream of [false, true]) {
      const model = UNIFIED_MODELS[provider]
      const unifiedBody = { model: `bench-${provider}`, messages, max_tokens: 32, ...(stream ? { stream, stream_options: { include_usage: true } } : {}) }
      out.push({ provider, mode: 'unified', stream, path: '/v1/chat/completions', headers: bearer, body: JSON.stringify(unifiedBody) })
      out.push({ provider, mode: 'native', stream, ...nativeRequest(provider, model, stream) })
    }
  }
  return out
}

function nativeRequest(provider: UnifiedScenario['provider'], model: string, stream: boolean): Pick<UnifiedScenario, 'path' | 'headers' | 'body'> {
  switch (provider) {
    case 'bedrock':
      return {
        path: `/bedrock/model/${encodeURIComponent(model)}/${stream ? 'converse-stream' : 'converse'}`,
        headers: {},
        body: JSON.stringify({ messages: [{ role: 'user', content: [{ text: prompt }] }], inferenceConfig: { maxTokens: 32 } }),
      }
    case 'gemini':
      return {
        path: `/google/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
        headers: { 'x-goog-api-key': BENCH_CLIENT_KEY },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: prompt }] }], generationConfig: { maxOutputTokens: 32 } }),
      }
    case 'llama':
      return { path: '/meta/v1/chat/completions', headers: { authorization: `Bearer ${BENCH_CLIENT_KEY}` }, body: JSON.stringify({ model, messages, max_completion_tokens: 32, stream }) }
  }
}
