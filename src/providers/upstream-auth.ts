// Upstream auth for the key-based providers: one header set on every request, built once per
// provider config. Without a configured key the request goes out as it is (keyless endpoints,
// emulators); the client's own credential was already stripped (clientAuthHeaders).
import type { UpstreamAuth } from '../core/wire.js'

export const NO_UPSTREAM_AUTH: UpstreamAuth = () => {}

export function headerAuth(name: string, value: string | undefined): UpstreamAuth {
  if (value === undefined) return NO_UPSTREAM_AUTH
  return (request) => {
    request.headers[name] = value
  }
}

export function bearerAuth(apiKey: string | undefined): UpstreamAuth {
  return headerAuth('authorization', apiKey === undefined ? undefined : `Bearer ${apiKey}`)
}
