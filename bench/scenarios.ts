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
