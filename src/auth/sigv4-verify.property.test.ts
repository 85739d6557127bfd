// Property tests for parsing a SigV4 `Authorization` header: any string
// parses to undefined or a well-formed ParsedSigV4 without throwing, any header built from valid
// parts parses back to exactly those parts, and a Bedrock mount's presentedCredential never throws.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { nativeRequest } from '../../test/fixtures/providers/helpers.js'
import { runs } from '../../test/support/arbitraries.js'
import type { ParsedSigV4 } from '../core/wire.js'
import { adapters } from '../providers/index.js'
import { parseSigV4 } from '../providers/sigv4-header.js'

/** What any parse result must look like: the grammar of AUTH_RE, restated field by field. */
function expectWellFormed(parsed: ParsedSigV4): void {
  expect(Object.keys(parsed).sort()).toEqual(['accessKeyId', 'date', 'region', 'service', 'signature', 'signedHeaders'])
  for (const part of [parsed.accessKeyId, parsed.region, parsed.service]) expect(part).toMatch(/^[^/,\s]+$/)
  expect(parsed.date).toMatch(/^\d{8}$/)
  expect(parsed.signature).toMatch(/^[0-9a-f]{64}$/)
  expect(parsed.signedHeaders.length).toBeGreaterThan(0)
  for (const name of parsed.signedHeaders) expect(name).toMatch(/^[a-z0-9._:-]*$/)
}

const scopePart = fc.string({ unit: 'binary', minLength: 1, maxLength: 16 }).filter((s) => !/[/,\s]/.test(s))
const headerName = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789._:-'), maxLength: 12 })
const parts = fc.record({
  accessKeyId: scopePart,
  date: fc.stringMatching(/^\d{8}$/),
  region: scopePart,
  service: scopePart,
  signedHeaders: fc.array(headerName, { minLength: 1, maxLength: 5 }).filter((names) => names.join(';') !== ''),
  signature: fc.stringMatching(/^[0-9a-f]{64}$/),
})
// Whitespace the pattern's `\s*` accepts after each comma, Unicode spaces included.
const gap = fc.string({ unit: fc.constantFrom(' ', '\t', '\u00a0', '\u2028', '\ufeff'), maxLength: 3 })

function header(p: ParsedSigV4, gap1: string, gap2: string): string {
  return `AWS4-HMAC-SHA256 Credential=${p.accessKeyId}/${p.date}/${p.region}/${p.service}/aws4_request,${gap1}SignedHeaders=${p.signedHeaders.join(';')},${gap2}Signature=${p.signature}`
}

/** Strings near the grammar: a valid header cut, spliced or extended, or its tokens in any order. */
const TOKENS = ['AWS4-HMAC-SHA256 ', 'Credential=', 'AKID', '/', '20240102', 'us-east-1', 'bedrock', 'aws4_request', ',', ' ', 'SignedHeaders=', 'host;x-amz-date', ';', 'Signature=', 'a1'.repeat(32), '\n', 'é']
const nearHeader = fc.oneof(
  fc.tuple(parts, gap, gap, fc.nat(), fc.nat(), fc.string({ unit: 'binary', maxLength: 8 })).map(([p, g1, g2, from, to, insert]) => {
    const valid = header(p, g1, g2)
    const a = from % (valid.length + 1)
    const b = to % (valid.length + 1)
    return valid.slice(0, Math.min(a, b)) + insert + valid.slice(Math.max(a, b))
  }),
  fc.array(fc.constantFrom(...TOKENS), { maxLength: 24 }).map((tokens) => tokens.join('')),
  fc.string({ unit: 'binary', maxLength: 200 }),
)

describe('parseSigV4 properties', () => {
  it('any string parses to undefined or a well-formed result, without throwing', () => {
    fc.assert(
      fc.property(fc.option(nearHeader, { nil: undefined }), (authorization) => {
        const parsed = parseSigV4(authorization)
        if (parsed !== undefined) expectWellFormed(parsed)
      }),
      runs(1000),
    )
  })

  it('a header built from valid parts parses back to exactly those parts', () => {
    fc.assert(
      fc.property(parts, gap, gap, (p, gap1, gap2) => {
        expect(parseSigV4(header(p, gap1, gap2))).toEqual(p)
      }),
      runs(500),
    )
  })

  it('the Bedrock adapter never throws on any Authorization header, and hands on what parseSigV4 parsed', () => {
    const authorization = fc.oneof(nearHeader, fc.tuple(parts, gap, gap).map(([p, g1, g2]) => header(p, g1, g2)))
    fc.assert(
      fc.property(authorization, (value) => {
        const credential = adapters.bedrock.presentedCredential(nativeRequest('POST', '/model/m/converse', '{}', { authorization: value }))
        expect(['none', 'key', 'sigv4', 'malformed']).toContain(credential.kind)
        if (credential.kind === 'sigv4') {
          expectWellFormed(credential.parsed)
          expect(credential.accessKeyId).toBe(credential.parsed.accessKeyId)
        }
      }),
      runs(500),
    )
  })
})
