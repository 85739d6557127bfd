// Failures callers must tell apart: the admin API answers `invalid_input` with 400 and the rest
// with 503; startup treats any of them as fatal (docs/state.md).

export type StateErrorCode =
  /** The caller passed something the store refuses to write (bad scope, too long, not JSON…). */
  | 'invalid_input'
  /** The store was closed; the process is shutting down. */
  | 'closed'
  /** The engine could not read or write (disk full, I/O error, lock timeout, network). */
  | 'unavailable'
  /** Stored data does not have the shape this version wrote; someone edited it by hand. */
  | 'corrupt'
  /** The database was migrated by a newer Sluice; refusing to guess at its layout. */
  | 'schema_too_new'
  /** A compare-and-set precondition (`ifMatch`) did not hold: another writer changed the record first. Nothing was written. */
  | 'conflict'

export class StateError extends Error {
  override readonly name = 'StateError'

  constructor(
    readonly code: StateErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** Wraps an engine failure; a `StateError` passes through unchanged. */
export function asUnavailable(err: unknown, doing: string): StateError {
  if (err instanceof StateError) return err
  const detail = err instanceof Error ? err.message : String(err)
  return new StateError('unavailable', `state store could not ${doing}: ${detail}`, { cause: err })
}
