// OFREP callers authenticate the way OFREP providers send credentials (openapi.yaml
// `securitySchemes`): `Authorization: Bearer <key>` or `X-API-Key: <key>`, where the key is a
// client's `credentials.apiKey` from `clients:`. `ofrep.auth: none` (a trusted localhost sidecar)
// skips this, and the caller's context is then taken as it is.
import type { IncomingHttpHeaders } from 'node:http'
import type { ClientConfig } from '../config/schema.js'
import type { Snapshot } from '../pipeline/snapshot.js'

export type OfrepAuth =
  | { readonly ok: true; readonly client: ClientConfig | undefined }
  | { readonly ok: false; readonly code: 'SLUICE_ERR_AUTH_MISSING' | 'SLUICE_ERR_AUTH_INVALID' }

const ANONYMOUS: OfrepAuth = { ok: true, client: undefined }
const MISSING: OfrepAuth = { ok: false, code: 'SLUICE_ERR_AUTH_MISSING' }
const UNKNOWN_KEY: OfrepAuth = { ok: false, code: 'SLUICE_ERR_AUTH_INVALID' }
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i

export function authenticateOfrep(snapshot: Snapshot, headers: IncomingHttpHeaders): OfrepAuth {
  if (snapshot.config.ofrep.auth === 'none') return ANONYMOUS
  const key = presentedKey(headers)
  if (key === undefined) return MISSING
  const client = snapshot.clientsByKey.get(key)
  return client === undefined ? UNKNOWN_KEY : { ok: true, client }
}

/** X-API-Key first: a provider configured with it may still run behind a proxy that sets Authorization. */
function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const apiKey = headers['x-api-key']
  if (typeof apiKey === 'string' && apiKey !== '') return apiKey
  const authorization = headers.authorization
  return authorization === undefined ? undefined : BEARER.exec(authorization)?.[1]
}
