// The one interface every provider adapter implements (adapters are pure translators): the
// data-plane side (core/wire.ts `Dialect`) plus what the composition root needs to build a mount.
import type { ProviderConfig } from '../config/schema.js'
import type { Dialect, UpstreamAuth } from '../core/wire.js'

export interface ProviderAdapter extends Dialect {
  /** The provider's public base URL when config gives no `endpoint`. */
  defaultEndpoint(config: ProviderConfig): string
  createUpstreamAuth(config: ProviderConfig): UpstreamAuth
}
