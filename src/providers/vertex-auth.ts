// Upstream auth for Vertex AI: a Bearer access token from Google application default credentials
// (google-auth-library): the key file in `credentialsFile` (else GOOGLE_APPLICATION_CREDENTIALS)
// — a service-account key, a workload identity federation (`external_account`) or an
// `authorized_user` file — or, without one, gcloud's ADC file and then the metadata server (GCE,
// Cloud Run, GKE workload identity). One GoogleAuth per provider config: it caches the token and
// refreshes it five minutes before it expires, one refresh at a time. A Vertex express-mode API
// key (`apiKey`) goes out as x-goog-api-key instead.
//
// The same step addresses the request to the configured project and location (vertex-path.ts).
//
// google-auth-library sends a service account's JWT grant to https://oauth2.googleapis.com/token
// whatever the key file's `token_uri` says; Google's other client libraries honour `token_uri`
// (a Private Service Connect endpoint, an emulator), so this one is made to as well.
import { readFileSync } from 'node:fs'
import { GoogleAuth, gaxios, type GoogleAuthOptions } from 'google-auth-library'
import type { ProviderConfig } from '../config/schema.js'
import type { UpstreamAuth, UpstreamRequest } from '../core/wire.js'
import { vertexUpstreamPath, type VertexScope } from './vertex-path.js'

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform'
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token'
export const DEFAULT_LOCATION = 'global'

type TokenSource = () => Promise<string>

/** Why credentials could not be had, without the library's request (which holds the signed grant). */
function authFailure(what: string, err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err)
  return new Error(`Google credentials: ${what}: ${message.slice(0, 300)}`)
}

function keyFile(path: string): Record<string, unknown> | Error {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'))
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>
    return new Error(`Google credentials: ${path} does not hold a JSON object`)
  } catch (err) {
    // JSON.parse's message may quote the file's text; name the file and the failure only.
    const reason = err instanceof SyntaxError ? 'not valid JSON' : ((err as NodeJS.ErrnoException).code ?? 'unreadable')
    return new Error(`Google credentials: cannot read ${path} (${reason})`)
  }
}

/** A transporter that sends the JWT grant to `tokenUri` instead of Google's default token endpoint. */
function tokenTransporter(tokenUri: string): gaxios.Gaxios {
  const transporter = new gaxios.Gaxios()
  transporter.interceptors.request.add({
    resolved: async (options) => {
      if (options.url.href === GOOGLE_TOKEN_URL) options.url = new URL(tokenUri)
      return options
    },
  })
  return transporter
}

function authOptions(json: Record<string, unknown> | undefined): GoogleAuthOptions {
  if (json === undefined) return { scopes: [CLOUD_PLATFORM_SCOPE] }
  const options: GoogleAuthOptions = { scopes: [CLOUD_PLATFORM_SCOPE], credentials: json }
  const tokenUri = json.token_uri
  if (json.type === 'service_account' && typeof tokenUri === 'string' && tokenUri !== GOOGLE_TOKEN_URL) {
    options.clientOptions = { transporter: tokenTransporter(tokenUri) }
  }
  return options
}

function createTokenSource(config: ProviderConfig): TokenSource {
  const path = config.credentialsFile ?? process.env.GOOGLE_APPLICATION_CREDENTIALS
  const json = path === undefined || path === '' ? undefined : keyFile(path)
  if (json instanceof Error) return () => Promise.reject(json)
  const auth = new GoogleAuth(authOptions(json))
  return async () => {
    let token: string | null | undefined
    try {
      token = await auth.getAccessToken()
    } catch (err) {
      throw authFailure('no access token', err)
    }
    if (typeof token !== 'string' || token === '') throw new Error('Google credentials: the credential source returned no access token')
    return token
  }
}

/** Rewrites the path under the endpoint's own base path to the configured project and location. */
function address(request: UpstreamRequest, origin: URL, scope: VertexScope): void {
  const base = origin.pathname.replace(/\/+$/, '')
  if (base !== '' && !request.path.startsWith(base)) return
  request.path = base + vertexUpstreamPath(request.path.slice(base.length), scope)
}

/** Rejects when no token can be had; the data plane answers SLUICE_ERR_UPSTREAM_AUTH. */
export function createVertexAuth(config: ProviderConfig): UpstreamAuth {
  const scope: VertexScope = { project: config.project, location: config.location ?? DEFAULT_LOCATION }
  const apiKey = config.apiKey
  if (apiKey !== undefined) {
    return (request, origin) => {
      address(request, origin, scope)
      request.headers['x-goog-api-key'] = apiKey
    }
  }
  const token = createTokenSource(config)
  return async (request, origin) => {
    address(request, origin, scope)
    request.headers.authorization = `Bearer ${await token()}`
  }
}

/** The regional endpoint for `location`; `global` has its own host. */
export function vertexEndpoint(config: ProviderConfig): string {
  const location = config.location ?? DEFAULT_LOCATION
  return location === 'global' ? 'https://aiplatform.googleapis.com' : `https://${location}-aiplatform.googleapis.com`
}
