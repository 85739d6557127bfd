// The human-readable text of a Sluice error, the same in every dialect: the code first, because
// some SDKs surface only `message` (the AWS SDK drops every other body field), and the request id
// to quote when asking what happened.
import type { SluiceError } from '../core/errors.js'

export function errorMessage(error: SluiceError): string {
  return `${error.code}: ${error.message} (request id: ${error.requestId})`
}
