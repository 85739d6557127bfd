// A Bedrock Runtime client (default HTTP/2 handler) pointed at Sluice's /bedrock mount, signing
// as the test client, with SDK retries off; `onHeaders` sees each response's headers.
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime'
import { CLIENT } from './stack.js'

export interface BedrockOptions {
  readonly secretAccessKey?: string
  readonly onHeaders?: (headers: Record<string, string>) => void
}

export function bedrockThroughSluice(dataUrl: string, options: BedrockOptions = {}): BedrockRuntimeClient {
  const client = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: `${dataUrl}/bedrock`,
    credentials: { accessKeyId: CLIENT.credentials.accessKeyId, secretAccessKey: options.secretAccessKey ?? CLIENT.credentials.secretAccessKey },
    maxAttempts: 1,
  })
  const { onHeaders } = options
  if (onHeaders !== undefined) {
    client.middlewareStack.add(
      (next) => async (args) => {
        const out = await next(args)
        onHeaders((out.response as { headers: Record<string, string> }).headers)
        return out
      },
      { step: 'deserialize', name: 'captureHeaders' },
    )
  }
  return client
}
