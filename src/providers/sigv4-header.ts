// Reading a SigV4 `Authorization` header (the Bedrock adapter's presentedCredential, and the
// verifier in auth/sigv4-verify.ts, read it the same way) and a possibly repeated header's value.
import type { ParsedSigV4 } from '../core/wire.js'

const AUTH_RE =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;._:-]+),\s*Signature=([0-9a-f]{64})$/

export function parseSigV4(authorization: string | undefined): ParsedSigV4 | undefined {
  if (authorization === undefined) return undefined
  const m = AUTH_RE.exec(authorization)
  if (m === null) return undefined
  return {
    accessKeyId: m[1]!,
    date: m[2]!,
    region: m[3]!,
    service: m[4]!,
    signedHeaders: m[5]!.split(';'),
    signature: m[6]!,
  }
}

/** The first value of a header Node may hand over as an array. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
