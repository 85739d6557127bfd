// Upstream auth variants for Bedrock: the AWS default credential chain (here: environment
// variables) and a Bedrock API key sent as a Bearer token. The emulator verifies what arrives.
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime'
import { afterEach, describe, expect, it } from 'vitest'
import { EMULATOR_CREDENTIALS } from '../../src/emulators/index.js'
import { CLIENT, startStack, type Stack } from '../support/stack.js'

let stack: Stack | undefined
afterEach(async () => {
  await stack?.close()
  stack = undefined
})

async function converse(s: Stack): Promise<string | undefined> {
  const client = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: `${s.sluice.dataUrl}/bedrock`,
    credentials: { accessKeyId: CLIENT.credentials.accessKeyId, secretAccessKey: CLIENT.credentials.secretAccessKey },
    maxAttempts: 1,
  })
  try {
    const out = await client.send(
      new ConverseCommand({ modelId: 'amazon.nova-lite-v1:0', messages: [{ role: 'user', content: [{ text: 'hi' }] }] }),
    )
    return out.output?.message?.content?.[0]?.text
  } finally {
    client.destroy()
  }
}

describe('Bedrock upstream auth', () => {
  it('re-signs with the AWS default credential chain when no credentials are configured', async () => {
    process.env.AWS_ACCESS_KEY_ID = EMULATOR_CREDENTIALS.bedrock.accessKeyId
    process.env.AWS_SECRET_ACCESS_KEY = EMULATOR_CREDENTIALS.bedrock.secretAccessKey
    try {
      stack = await startStack({ configure: (config) => void delete config.providers.bedrock!.credentials })
      expect(await converse(stack)).toBeTruthy()
      const upstream = stack.emulators.bedrock.requests.last()!
      expect(upstream.headers.authorization).toContain(`Credential=${EMULATOR_CREDENTIALS.bedrock.accessKeyId}/`)
    } finally {
      delete process.env.AWS_ACCESS_KEY_ID
      delete process.env.AWS_SECRET_ACCESS_KEY
    }
  })

  it('no credentials anywhere: 502 SLUICE_ERR_UPSTREAM_AUTH natively; a virtual model falls back to its next target', async () => {
    const saved = { ...process.env }
    // Every link of the default chain comes up empty, fast: no keys, no files, no instance metadata.
    Object.assign(process.env, { AWS_EC2_METADATA_DISABLED: 'true', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_CONFIG_FILE: '/nonexistent/config' })
    try {
      stack = await startStack({
        configure(config) {
          delete config.providers.bedrock!.credentials
          config.models = {
            chat: { targets: [{ provider: 'bedrock', model: 'amazon.nova-lite-v1:0' }, { provider: 'google', model: 'gemini-2.5-flash', weight: 0 }] },
          }
        },
      })
      const err = (await converse(stack).catch((e: unknown) => e)) as { name: string; $metadata: { httpStatusCode: number } }
      expect(err.name).toBe('ServiceUnavailableException')
      expect(err.$metadata.httpStatusCode).toBe(502)
      expect(stack.decisions.at(-1)).toMatchObject({ code: 'SLUICE_ERR_UPSTREAM_AUTH' })
      expect(stack.emulators.bedrock.requests.count).toBe(0)

      const res = await fetch(`${stack.sluice.dataUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${CLIENT.credentials.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }),
      })
      expect(res.status).toBe(200)
      expect(res.headers.get('x-sluice-fallback')).toBe('google/gemini-2.5-flash')
    } finally {
      process.env = saved
    }
  })

  it('sends a Bedrock API key as Bearer when one is configured', async () => {
    stack = await startStack({
      configure(config) {
        const bedrock = config.providers.bedrock!
        delete bedrock.credentials
        bedrock.apiKey = EMULATOR_CREDENTIALS.bedrock.apiKey
      },
    })
    expect(await converse(stack)).toBeTruthy()
    expect(stack.emulators.bedrock.requests.last()!.headers.authorization).toBe(`Bearer ${EMULATOR_CREDENTIALS.bedrock.apiKey}`)
  })
})
