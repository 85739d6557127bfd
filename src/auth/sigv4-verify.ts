// Verifies an AWS SigV4 `Authorization` header against a known secret by re-signing the request
// exactly as the client presented it (same signed headers, date and path) with @smithy/signature-v4
// and comparing signatures in constant time. Used for client auth on Bedrock mounts (docs/config.md)
// and by the Bedrock emulator to check what Sluice sends upstream.
//
// A signature proves the secret, not that the request is the one the client meant to send: it
// binds the body only through the payload hash, and only to the credential scope it names. So
// the scope must be the service and a region this endpoint stands for, and
// `UNSIGNED-PAYLOAD` — a signature over no body at all, replayable with any other body within the
// 15-minute skew — is refused unless the caller opts in.
import { timingSafeEqual, createHash } from 'node:crypto'
import { HttpRequest } from '@smithy/protocol-http'
import { SignatureV4 } from '@smithy/signature-v4'
import { Hash } from '@smithy/hash-node'
import type { IncomingHttpHeaders } from 'node:http'

import type { ParsedSigV4 } from '../core/wire.js'
import { headerValue, parseSigV4 } from '../providers/sigv4-header.js'

export type { ParsedSigV4 }

/** The request as the client sent it: what its signature covers. */
export interface SignedRequest {
  readonly method: string
  /** Path exactly as sent (percent-encoded), without query. */
  readonly path: string
  readonly query: string
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

export interface VerifyInput extends SignedRequest {
  readonly secretAccessKey: string
  readonly sessionToken?: string
}

export interface SigV4Credentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string
}

export type VerifyResult = { ok: true } | { ok: false; reason: string }

export interface VerifyOptions {
  /** Now, for the clock-skew check. Default: Date.now(). */
  readonly nowMs?: number
  /** The service the credential scope must name. Default `bedrock`. */
  readonly service?: string
  /** Regions the credential scope may name. Default: any (the caller checks, as the emulator does). */
  readonly regions?: readonly string[]
  /** Accept `x-amz-content-sha256: UNSIGNED-PAYLOAD`, whose signature does not cover the body. Default false. */
  readonly allowUnsignedPayload?: boolean
}

/** Checks signatures made with one secret; build it once per credential and reuse it. */
export interface SigV4Verifier {
  verify(parsed: ParsedSigV4, request: SignedRequest, options?: VerifyOptions): Promise<VerifyResult>
}

const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD'

/** Largest clock skew accepted between the signature date and now, as AWS does. */
const MAX_SKEW_MS = 15 * 60 * 1000

function parseAmzDate(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value)
  if (m === null) return Number.NaN
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)
}

function queryRecord(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of new URLSearchParams(query)) {
    const prev = out[k]
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]
  }
  return out
}

/** The signer's own header always ends `, Signature=<64 hex>`; no need to parse the rest. */
const SIGNATURE_MARK = ', Signature='

function signatureOf(authorization: string | undefined): string {
  if (authorization === undefined) return ''
  const at = authorization.lastIndexOf(SIGNATURE_MARK)
  return at < 0 ? '' : authorization.slice(at + SIGNATURE_MARK.length)
}

/**
 * The signers hold only the credential: region and service come from each request's credential
 * scope (`signingRegion`, `signingService`), so one verifier serves every scope a client signs for.
 */
export function createSigV4Verifier(credentials: SigV4Credentials): SigV4Verifier {
  const buildSigner = (uriEscapePath: boolean): SignatureV4 =>
    new SignatureV4({
      service: 'bedrock', // overridden per request by signingService
      region: 'us-east-1', // overridden per request by signingRegion
      sha256: Hash.bind(null, 'sha256'),
      uriEscapePath,
      // Sign x-amz-content-sha256 only when the client did (it is then in signableHeaders):
      // boto3 and curl --aws-sigv4 leave it out for non-S3 services.
      applyChecksum: false,
      credentials,
    })
  const escaping = buildSigner(true)
  let asSent: SignatureV4 | undefined // built on first need: only old curl signs the path as sent

  async function verify(parsed: ParsedSigV4, input: SignedRequest, options: VerifyOptions = {}): Promise<VerifyResult> {
    const { nowMs = Date.now(), service = 'bedrock', regions, allowUnsignedPayload = false } = options
    if (parsed.service !== service) return { ok: false, reason: `the credential scope names service ${parsed.service}, not ${service}` }
    if (regions !== undefined && !regions.includes(parsed.region)) {
      return { ok: false, reason: `the credential scope names region ${parsed.region}; this endpoint accepts ${regions.join(', ')}` }
    }
    const amzDate = headerValue(input.headers['x-amz-date'])
    if (amzDate === undefined) return { ok: false, reason: 'x-amz-date header missing' }
    const signedAt = parseAmzDate(amzDate)
    if (Number.isNaN(signedAt) || !amzDate.startsWith(parsed.date)) return { ok: false, reason: 'x-amz-date is invalid' }
    if (Math.abs(nowMs - signedAt) > MAX_SKEW_MS) return { ok: false, reason: 'signature expired (clock skew over 15 minutes)' }

    const headers: Record<string, string> = {}
    for (const name of parsed.signedHeaders) {
      // HTTP/2 carries the host in :authority.
      const value = name === 'host' ? headerValue(input.headers.host) ?? headerValue(input.headers[':authority']) : headerValue(input.headers[name])
      if (value === undefined) return { ok: false, reason: `signed header ${name} missing` }
      headers[name] = value
    }
    // A signed x-amz-content-sha256 is the payload hash of the canonical request (the signer reads
    // it from the header); unsigned, the signer hashes the body itself, which binds it just as well.
    const payloadHash = headers['x-amz-content-sha256']
    if (payloadHash === UNSIGNED_PAYLOAD) {
      if (!allowUnsignedPayload) return { ok: false, reason: 'x-amz-content-sha256 is UNSIGNED-PAYLOAD; sign the body (its SHA-256) instead' }
    } else if (payloadHash !== undefined) {
      // Any other value (STREAMING-*, another body's hash) must be this body's SHA-256.
      const actual = createHash('sha256').update(input.body).digest('hex')
      if (actual !== payloadHash) return { ok: false, reason: 'x-amz-content-sha256 does not match the body' }
    }
    const request = new HttpRequest({
      method: input.method,
      protocol: 'https:',
      hostname: headers.host ?? '',
      path: input.path,
      query: queryRecord(input.query),
      headers,
      body: input.body,
    })
    const signing = {
      signingDate: new Date(signedAt),
      signingRegion: parsed.region,
      signingService: parsed.service,
      signableHeaders: new Set(parsed.signedHeaders),
    }
    const presented = Buffer.from(parsed.signature)
    const matches = async (signer: SignatureV4): Promise<boolean> => {
      const expected = Buffer.from(signatureOf((await signer.sign(request, signing)).headers.authorization))
      return expected.length === presented.length && timingSafeEqual(expected, presented)
    }
    // AWS SDKs encode an already-encoded path again for non-S3 services (`%3A` → `%253A`); some
    // signers (curl --aws-sigv4 before 8.x) sign it as sent. Either way the secret is proven.
    if (await matches(escaping)) return { ok: true }
    if (input.path.includes('%') && (await matches((asSent ??= buildSigner(false))))) return { ok: true }
    return { ok: false, reason: 'signature does not match' }
  }
  return { verify }
}

/** One-off check (the Bedrock emulator, tests); the data plane keeps a verifier per client. */
export function verifySigV4(parsed: ParsedSigV4, input: VerifyInput, options: VerifyOptions = {}): Promise<VerifyResult> {
  const { secretAccessKey, sessionToken } = input
  const credentials = { accessKeyId: parsed.accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) }
  return createSigV4Verifier(credentials).verify(parsed, input, options)
}
