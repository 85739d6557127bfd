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
