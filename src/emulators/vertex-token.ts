// Google's OAuth 2.0 token endpoint as the Vertex emulator serves it (`POST /token`): the JWT-bearer
// grant a service account makes (RFC 7523; https://developers.google.com/identity/protocols/oauth2/service-account),
// its RS256 signature checked with the account's public key, answered with a short random access
// token; model calls must then carry an issued token that has not expired. `ttlSeconds` and
// `refusing` may be changed while it runs, so a test can make the next grant expire at once or fail.
import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto'

/** The audience google-auth-library signs its grants for, whatever endpoint it then posts them to. */
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token'
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform'

export interface ServiceAccount {
  readonly clientEmail: string
  /** PEM (SPKI) or a KeyObject. */
  readonly publicKey: string | KeyObject
}

export type GrantAnswer = { readonly status: number; readonly body: Record<string, unknown> }

function invalidGrant(description: string): GrantAnswer {
  return { status: 400, body: { error: 'invalid_grant', error_description: description } }
}

function decodePart(part: string | undefined): Record<string, unknown> | undefined {
  if (part === undefined) return undefined
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

export class VertexTokens {
  readonly #keys = new Map<string, KeyObject>()
  readonly #issued = new Map<string, number>()
  /** Lifetime of the tokens granted from now on. */
  ttlSeconds: number
  /** While true every grant is refused (`invalid_grant`, as for a deleted key). */
  refusing = false
  /** Grants answered with a token. */
  granted = 0

  constructor(accounts: readonly ServiceAccount[], options: { ttlSeconds?: number; now?: () => number } = {}) {
    for (const account of accounts) {
      const key = typeof account.publicKey === 'string' ? createPublicKey(account.publicKey) : account.publicKey
      this.#keys.set(account.clientEmail, key)
    }
    this.ttlSeconds = options.ttlSeconds ?? 3600
    this.#now = options.now ?? Date.now
  }

  readonly #now: () => number

  /** Answers a form-encoded token request. */
  grant(form: string): GrantAnswer {
    const params = new URLSearchParams(form)
    if (params.get('grant_type') !== JWT_BEARER) return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Invalid grant_type.' } }
    const [head, payload, signature, extra] = (params.get('assertion') ?? '').split('.')
    const header = decodePart(head)
    const claims = decodePart(payload)
    if (header === undefined || claims === undefined || signature === undefined || extra !== undefined) return invalidGrant('Invalid JWT.')
    const key = typeof claims.iss === 'string' ? this.#keys.get(claims.iss) : undefined
    if (header.alg !== 'RS256' || key === undefined) return invalidGrant('Invalid JWT: unknown issuer or algorithm.')
    if (!verify('RSA-SHA256', Buffer.from(`${head}.${payload}`), key, Buffer.from(signature, 'base64url'))) return invalidGrant('Invalid JWT Signature.')
    const nowSeconds = this.#now() / 1000
    if (claims.aud !== GOOGLE_TOKEN_URL) return invalidGrant('Invalid JWT: aud is not the token endpoint.')
    if (typeof claims.exp !== 'number' || claims.exp < nowSeconds) return invalidGrant('Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.')
    if (typeof claims.scope !== 'string' || !claims.scope.split(' ').includes(CLOUD_PLATFORM_SCOPE)) return invalidGrant('Invalid JWT: the cloud-platform scope is missing.')
    if (this.refusing) return invalidGrant('Invalid JWT Signature.')
    return this.issue()
  }

  /**
   * A token for the instance's own service account, as the metadata server hands it out (GCE,
   * Cloud Run, GKE workload identity); `refusing` answers 500 there, as an unbound identity does.
   */
  issue(): GrantAnswer {
    if (this.refusing) return { status: 500, body: { error: 'service account not available' } }
    const token = `ya29.emulator-${randomBytes(16).toString('hex')}`
    this.#issued.set(token, this.#now() + this.ttlSeconds * 1000)
    this.granted++
    return { status: 200, body: { access_token: token, expires_in: this.ttlSeconds, token_type: 'Bearer' } }
  }

  /** True when `token` was issued here and has not expired. */
  valid(token: string): boolean {
    const expiresAt = this.#issued.get(token)
    return expiresAt !== undefined && expiresAt > this.#now()
  }
}
