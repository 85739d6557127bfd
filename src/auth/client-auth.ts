// Client authentication (SPEC §4): the credential arrives where the client's own SDK puts it —
// a SigV4 signature (verified with that client's secret), an x-goog-api-key, or a Bearer token —
// and must belong to a client in `clients:`. Mounts with `auth: none` skip this.
import type { ClientConfig } from '../config/schema.js'
import type { Snapshot } from '../config/snapshot.js'
import type { NativeRequest, ProviderAdapter } from '../providers/adapter.js'
import { parseSigV4, verifySigV4 } from './sigv4-verify.js'

export type AuthResult =
  | { readonly ok: true; readonly client: ClientConfig | undefined }
  | { readonly ok: false; readonly code: 'SLUICE_ERR_AUTH_MISSING' | 'SLUICE_ERR_AUTH_INVALID'; readonly detail: string }

const ANONYMOUS: AuthResult = { ok: true, client: undefined }
const MISSING: AuthResult = { ok: false, code: 'SLUICE_ERR_AUTH_MISSING', detail: '' }
const UNKNOWN_KEY: AuthResult = { ok: false, code: 'SLUICE_ERR_AUTH_INVALID', detail: 'The key is not known.' }

/**
 * Synchronous for keys; a Promise only when a SigV4 signature has to be recomputed. `mode` is the
 * mount's (or the unified endpoint's) `auth`; `adapter` says where its SDK puts the credential.
 * `fullPath` is the path as the client sent it, mount included: what a SigV4 client signed.
 */
export function authenticate(
  snapshot: Snapshot,
  mode: 'client' | 'none',
  adapter: ProviderAdapter,
  request: NativeRequest,
  fullPath: string,
): AuthResult | Promise<AuthResult> {
  if (mode === 'none') return ANONYMOUS
  const presented = adapter.presentedCredential(request)
  switch (presented.kind) {
    case 'none':
      return MISSING
    case 'malformed':
      return { ok: false, code: 'SLUICE_ERR_AUTH_INVALID', detail: presented.detail }
    case 'key': {
      const client = snapshot.clientsByKey.get(presented.key)
      return client === undefined ? UNKNOWN_KEY : { ok: true, client }
    }
    case 'sigv4':
      return verifyClientSignature(snapshot, { ...request, path: fullPath }, presented.accessKeyId)
  }
}

async function verifyClientSignature(snapshot: Snapshot, request: NativeRequest, accessKeyId: string): Promise<AuthResult> {
  const client = snapshot.clientsByAccessKeyId.get(accessKeyId)
  const secret = client?.credentials.secretAccessKey
  if (client === undefined || secret === undefined) {
    return { ok: false, code: 'SLUICE_ERR_AUTH_INVALID', detail: 'The access key id is not known.' }
  }
  const parsed = parseSigV4(request.headers.authorization)
  if (parsed === undefined) return { ok: false, code: 'SLUICE_ERR_AUTH_INVALID', detail: 'Malformed SigV4 Authorization header.' }
  const result = await verifySigV4(parsed, { ...request, secretAccessKey: secret })
  return result.ok ? { ok: true, client } : { ok: false, code: 'SLUICE_ERR_AUTH_INVALID', detail: `SigV4: ${result.reason}.` }
}
