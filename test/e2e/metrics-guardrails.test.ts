// Time to first token on the unified endpoint when a guardrail in block mode holds streamed text
// back (docs/guardrails.md: text that could be the start of a credential waits for the rest): the
// translated content reaches the responder only when the guardrail lets it go, at the latest when
// the stream ends, and sluice_time_to_first_token_seconds still gets its sample.
import OpenAI from 'openai'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { TRAFFIC_ON_FLAGS } from '../../src/emulators/sluice-config.js'
import { CLIENT, startStack, type Stack } from '../support/stack.js'

let stack: Stack
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0'

beforeAll(async () => {
  stack = await startStack({
    configure(config) {
      config.models = { 'chat-bedrock': { targets: [{ provider: 'bedrock', model: MODEL }] } }
      config.flags = { ...TRAFFIC_ON_FLAGS, 'ai.guardrails.mode': { state: 'ENABLED', variants: { off: 'off', block: 'block' }, defaultVariant: 'block' } }
    },
  })
})
afterAll(async () => {
  await stack?.close()
})

const count = (text: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith('sluice_time_to_first_token_seconds_count{') && l.includes(`model="${MODEL}"`))
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1))
}

it('records time to first token for a unified stream a block-mode guardrail scanned', async () => {
  stack.emulators.bedrock.script.enqueue({ chunks: 3 })
  const client = new OpenAI({ baseURL: `${stack.sluice.dataUrl}/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
  const stream = await client.chat.completions.create({ model: 'chat-bedrock', messages: [{ role: 'user', content: 'Say hello' }], stream: true })
  let text = ''
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
  expect(text).not.toBe('')
  let seen: number | undefined
  for (let i = 0; i < 50 && seen === undefined; i++) {
    seen = count(await (await fetch(`${stack.sluice.adminUrl}/metrics`)).text())
    if (seen === undefined) await new Promise((r) => setTimeout(r, 20))
  }
  expect(seen).toBe(1)
})
