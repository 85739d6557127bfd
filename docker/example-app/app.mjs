// The example application of docker/compose.yaml: the official OpenAI SDK, pointed at the Sluice
// sidecar instead of the provider. Each round it makes the calls an application would, through
// each path the Grafana dashboard shows:
//   - a chat completion on the OpenAI mount (a shadow mirrors half the users to another model);
//   - a stream on the same mount (time to first token);
//   - a stream on the unified endpoint's virtual model `chat` (the rollout moves it to a canary);
//   - every fifth round, a prompt holding an AWS access key id, which the guardrails refuse.
// A refusal is printed with its SLUICE_ERR_* code; the loop goes on. SIGTERM ends it after the
// round in progress, so a stream open at shutdown finishes (the pod's grace period allows for it).
//
//   SLUICE_URL      the sidecar's data plane (default http://127.0.0.1:8080)
//   SLUICE_API_KEY  the key this application presents to Sluice (its `clients` entry)
//   APP_INTERVAL_MS pause between rounds (default 5000)
//   APP_ROUNDS      stop after this many rounds (default 0: run until stopped)
//   APP_USERS       how many distinct users to spread calls over (default 20)
import OpenAI from 'openai'

const base = (process.env.SLUICE_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '')
const apiKey = process.env.SLUICE_API_KEY
if (!apiKey) {
  console.error('example-app: set SLUICE_API_KEY (docker/example.env)')
  process.exit(2)
}
const intervalMs = Number(process.env.APP_INTERVAL_MS ?? 5000)
const rounds = Number(process.env.APP_ROUNDS ?? 0)
const users = Math.max(1, Number(process.env.APP_USERS ?? 20))

// maxRetries 0: Sluice already retries and falls back upstream; a refusal should show as it is.
const native = new OpenAI({ baseURL: `${base}/openai/v1`, apiKey, maxRetries: 0 })
const unified = new OpenAI({ baseURL: `${base}/v1`, apiKey, maxRetries: 0 })

// A signal lets the round in progress finish, and cuts the pause between rounds short.
let stopping = false
let wake = () => {}
const stop = () => {
  stopping = true
  wake()
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
const pause = (ms) => new Promise((resolve) => {
  const timer = setTimeout(resolve, ms)
  wake = () => {
    clearTimeout(timer)
    resolve()
  }
})

/** One line per call: what was asked, Sluice's decision, and the answer or the refusal's code. */
async function call(label, user, run) {
  try {
    const { data, response } = await run({ headers: { 'x-sluice-user': user } })
    console.log(JSON.stringify({ call: label, user, status: response.status, decision: response.headers.get('x-sluice-decision'), answer: String(await data).slice(0, 80) }))
  } catch (error) {
    const status = error instanceof OpenAI.APIError ? error.status : undefined
    const code = error instanceof OpenAI.APIError ? (error.code ?? error.error?.code) : undefined
    console.log(JSON.stringify({ call: label, user, status: status ?? 'unreachable', code, error: error instanceof Error ? error.message.slice(0, 120) : String(error) }))
  }
}

async function streamText(stream) {
  let text = ''
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? ''
  return text
}

async function round(n) {
  const user = `user-${n % users}`
  await call('chat', user, (options) =>
    native.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello.' }] }, options)
      .withResponse()
      .then(({ data, response }) => ({ data: data.choices[0]?.message?.content ?? '', response })),
  )
  await call('native-stream', user, (options) =>
    native.chat.completions
      .create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Name three rivers.' }] }, options)
      .withResponse()
      .then(({ data, response }) => ({ data: streamText(data), response })),
  )
  await call('stream', user, (options) =>
    unified.chat.completions
      .create({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'Count to five.' }] }, options)
      .withResponse()
      .then(({ data, response }) => ({ data: streamText(data), response })),
  )
  if (n % 5 === 4) {
    await call('leaky', user, (options) =>
      native.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Why does AKIAIOSFODNN7EXAMPLE not work?' }] }, options)
        .withResponse()
        .then(({ data, response }) => ({ data: data.choices[0]?.message?.content ?? '', response })),
    )
  }
}

for (let n = 0; !stopping && (rounds === 0 || n < rounds); n++) {
  await round(n)
  if (!stopping && (rounds === 0 || n + 1 < rounds)) await pause(intervalMs)
}
