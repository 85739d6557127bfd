// Upstream auth for Bedrock: a Bedrock API key goes out as a Bearer token; otherwise the request is
// re-signed with SigV4 (service `bedrock`) using the static pair from config or the AWS default
// credential chain (env, shared files, web identity, IMDS), whose provider caches and refreshes.
//
// Only `host` and the signer's own x-amz-* headers are signed (x-amz-content-sha256 included, as the
// AWS SDK does). AWS requires no more, and the data plane may still adjust other headers
// (content-length, tags) after signing.
// The path is signed exactly as sent, still percent-encoded: for non-S3 services the signer encodes
// it once more (`%3A` → `%253A`), just as the AWS SDK did when the client signed, and as AWS does
// when it verifies.
import { defaultProvider } from '@aws-sdk/credential-provider-node'
import { Hash } from '@smithy/hash-node'
import { HttpRequest } from '@smithy/protocol-http'
import { SignatureV4 } from '@smithy/signature-v4'
import type { ProviderConfig } from '../config/schema.js'
import type { UpstreamAuth, UpstreamRequest } from '../core/wire.js'
import { bearerAuth } from './upstream-auth.js'

export const DEFAULT_REGION = 'us-east-1'

function queryRecord(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of new URLSearchParams(query)) {
    const prev = out[k]
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]
  }
  return out
}

async function sign(signer: SignatureV4, request: UpstreamRequest, origin: URL): Promise<void> {
  const q = request.path.indexOf('?')
  const signed = await signer.sign(
    new HttpRequest({
      method: request.method,
      protocol: origin.protocol,
      hostname: origin.hostname,
      path: q === -1 ? request.path : request.path.slice(0, q),
      query: q === -1 ? {} : queryRecord(request.path.slice(q + 1)),
      headers: { host: origin.host },
      body: request.body,
    }),
  )
  // authorization, x-amz-date, x-amz-content-sha256 and, for temporary credentials, x-amz-security-token.
  for (const name in signed.headers) request.headers[name] = signed.headers[name]!
}

/** Rejects when no credentials can be resolved; the data plane answers SLUICE_ERR_UPSTREAM_AUTH. */
export function createBedrockAuth(config: ProviderConfig): UpstreamAuth {
  if (config.apiKey !== undefined) return bearerAuth(config.apiKey)
  // One signer per provider config: it caches derived signing keys across requests.
  const signer = new SignatureV4({
    service: 'bedrock',
    region: config.region ?? DEFAULT_REGION,
    sha256: Hash.bind(null, 'sha256'),
    credentials: config.credentials ?? defaultProvider(),
  })
  return (request, origin) => sign(signer, request, origin)
}
