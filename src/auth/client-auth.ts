// Client authentication (docs/config.md): the credential arrives where the client's own SDK puts it —
// a SigV4 signature (verified with that client's secret), an x-goog-api-key, or a Bearer token —
// and must belong to a client in `clients:`. Mounts with `auth: none` skip this.
//
// A SigV4 signature must also be scoped to this mount (service `bedrock`, the mount's `region`)
// and cover the body: `UNSIGNED-PAYLOAD` only for a client with `credentials.allowUnsignedPayload`
// (docs/config.md, "SigV4 client signatures").
import type { ClientConfig } from '../config/schema.js'
import type { NativeRequest, Dialect } from '../core/wire.js'
import { createSigV4Verifier, type ParsedSigV4, type SigV4Verifier } from './sigv4-verify.js'

export type AuthResult =
  | { readonly ok: true; readonly client: ClientConfig | undefined }
  | { readonly ok: false; readonly code: 'SLUICE_ERR_AUTH_MISSING' | 'SLUICE_ERR_AUTH_INVALID'; readonly detail: string }

/** Who may call, by the credential they present (the snapshot's client indexes). */
export interface ClientDirectory {
  readonly clientsByKey: ReadonlyMap<string, ClientConfig>
  readonly clientsByAccessKeyId: ReadonlyMap<string, ClientConfig>
}

const ANONYMOUS: AuthResult = { ok: true, client: undefined }
const MISSING: AuthResult = { ok: false, code: 'SLUICE_ERR_AUTH_MISSING', detail: '' }
const UNKNOWN_KEY: AuthResult = { ok: false, code: 'SLUICE_ERR_AUTH_INVALID', detail: 'The key is not known.' }

/**
 * Synchronous for keys; a Promise only when a SigV4 signature has to be recomputed. `mode` is the
 * mount's (or the unified endpoint's) `auth`; `adapter` says where its SDK puts the credential.
 * `fullPath` is the path as the client sent it, mount included: what a SigV4 client signed;
 * `region` the one region a SigV4 signature may be scoped to (the mount's).
 */
export function authenticate(
  clients: ClientDirectory,
  mode: 'client' | 'none',
  adapter: Dialect,
  request: NativeRequest,
  fullPath: string,
  region: string,
): AuthResult | Promise<AuthResult> {
  if (mode === 'none') return ANONYMOUS
  const presented = adapter.presentedCredential(request)
  switch (presented.kind) {
    case 'none':
      return MISSING
    case 'malformed':
      return { ok: false, code: 'SLUICE_ERR_AUTH_INVALID', detail: presented.detail }
    case 'key': {
      const client = clients.clientsByKey.get(presented.key)
      return client === undefined ? UNKNOWN_KEY : { ok: true, client }
    }
    case 'sigv4':
      return verifyClientSignature(clients, { ...request, path: fullPath }, presented.parsed, region)
  }
}

/**
 * One verifier per client, built on its first signed request. A reload builds new client
 * objects, so old verifiers are collected with them; the secret is checked too, so a client object
 * edited in place (config is frozen, but tests build their own) never verifies with a stale one.
 */
const verifiers = new WeakMap<ClientConfig, { readonly secretAccessKey: string; readonly verifier: SigV4Verifier }>()

function verifierFor(client: ClientConfig, accessKeyId: string, secretAccessKey: string): SigV4Verifier {
  const cached = verifiers.get(client)
  if (cached !== undefined && cached.secretAccessKey === secretAccessKey) return cached.verifier
  const verifier = createSigV4Verifier({ accessKeyId, secretAccessKey })
  verifiers.set(client, { secretAccessKey, verifier })
  return verifier
}

async function verifyClientSignature(clients: ClientDirectory, request: NativeRequest, parsed: ParsedSigV4, region: string): Promise<AuthResult> {
  const client = clients.clientsByAccessKeyId.get(parsed.accessKeyId)
  const secret = client?.credentials.secretAccessKey
  if (client === undefined || secret === undefined) {
    return { ok: false, code: 'SLUICE_ERR_AUTH_INVALID', detail: 'The access key id is not known.' }
  }
  const result = await verifierFor(client, parsed.accessKeyId, secret).verify(parsed, request, {
    service: 'bedrock',
    regions: [region],
    allowUnsignedPayload: client.credentials.allowUnsignedPayload === true,
  })
  return result.ok ? { ok: true, client } : { ok: false, code: 'SLUICE_ERR_AUTH_INVALID', detail: `SigV4: ${result.reason}.` }
}
