// Builds the upstream request for one leg of an exchange (upstream/exchange.ts): the client's
// forwardable headers (never hop-by-hop, client auth or x-sluice-*), the upstream host, and the
// path under the provider's endpoint. Auth is applied afterwards by the mount's signer.
import type { Mount } from '../core/target.js'
import type { NativeRequest, Dialect, UpstreamRequest } from '../core/wire.js'

/** Headers that describe one hop (RFC 9110 §7.6.1) or that Sluice sets itself. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'http2-settings',
  'host',
  'content-length',
  'accept-encoding',
  'expect',
])

const skipSets = new WeakMap<Dialect, ReadonlySet<string>>()

function requestSkipSet(adapter: Dialect): ReadonlySet<string> {
  let set = skipSets.get(adapter)
  if (set === undefined) skipSets.set(adapter, (set = new Set([...HOP_BY_HOP, ...adapter.clientAuthHeaders])))
  return set
}

/** The upstream request head for `request` on `mount`: forwardable client headers, then Sluice's. */
export function buildUpstreamRequest(mount: Mount, request: NativeRequest): UpstreamRequest {
  const skip = requestSkipSet(mount.adapter)
  const headers: Record<string, string> = {}
  for (const name in request.headers) {
    // Pseudo-headers (HTTP/2) and Sluice's own x-sluice-* headers never go upstream (docs/config.md).
    if (skip.has(name) || name.charCodeAt(0) === 58 || name.startsWith('x-sluice-')) continue
    const value = request.headers[name]
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value
  }
  headers.host = mount.origin.host
  headers['content-length'] = String(request.body.length)
  // Usage is read from the response as it passes, which needs it uncompressed.
  headers['accept-encoding'] = 'identity'
  let query = request.query
  if (query !== '' && mount.adapter.clientAuthQuery.length > 0) {
    const params = new URLSearchParams(query)
    for (const name of mount.adapter.clientAuthQuery) params.delete(name)
    query = params.toString()
  }
  return {
    method: request.method,
    path: mount.basePath + request.path + (query === '' ? '' : `?${query}`),
    headers,
    body: request.body,
  }
}
