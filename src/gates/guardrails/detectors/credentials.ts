// The credentials detector: cloud keys, private keys, JWTs and provider API keys pasted into
// prompts or echoed in answers. Every shape starts with a fixed prefix or keyword, so it is one
// native regex scan that skips ordinary prose quickly, and most are not scanned for at all unless
// the text contains a rare substring of their prefix. Shapes that are weak on their own are
// checked further: a JWT's header must decode to JSON naming an `alg`, an `sk-` key must look random.
import { maxMatchLengthOf } from './max-length.js'
import type { Finding, TextDetector } from './types.js'
import { MAX_MATCH_LENGTH_LIMIT } from './types.js'

import { CREDENTIAL_KINDS } from '../schema.js'

export { CREDENTIAL_KINDS }
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number]

/** One shape of one kind. */
interface Shape {
  readonly pattern: RegExp
  /** Scanned for only when the text contains one of these (cheap `includes` checks that skip most text). */
  readonly needles?: readonly string[]
  /** The longest text a match needs, keyword context included; default the pattern's bound. */
  readonly maxMatchLength?: number
  /** Where the finding is inside the match, or undefined to drop the match; default the whole match. */
  readonly span?: (match: RegExpExecArray) => readonly [start: number, end: number] | undefined
}

const whole = (match: RegExpExecArray): [number, number] => [match.index, match.index + match[0].length]

/** An access key id: a documented four-letter type prefix and 16 base-32 characters. */
const AWS_ACCESS_KEY_ID = /(?<![A-Za-z0-9])A(?:KIA|SIA|BIA|CCA|GPA|IDA|IPA|NPA|NVA|ROA|PKA|SCA)[A-Z2-7]{16}(?![A-Za-z0-9])/g

/**
 * A secret access key is 40 characters of `[A-Za-z0-9/+]`, a shape that any base64 blob or hash
 * also has, so it counts only after its keyword on the same line (`aws_secret_access_key = …`,
 * `"SecretAccessKey": "…"`, `AWS secret key: …`), at most 40 characters on, right after a
 * separator. The finding is the value alone.
 */
const AWS_SECRET_KEY = /(?:aws[_ -]?secret(?:[_ -]?access)?(?:[_ -]?key)?|secret[_ -]?access[_ -]?key)[^\n]{0,40}?(?<=[\s"'`:=>,(])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/gi
const SECRET_VALUE_LENGTH = 40
/** Random base64 has both cases; a lower-case hex digest or an upper-case placeholder does not. */
const mixedCase = (value: string): boolean => /[a-z]/.test(value) && /[A-Z]/.test(value)

/** A PEM (or OpenPGP armour) private key header: enough to know a key follows, and short. */
const PRIVATE_KEY = /-----BEGIN (?:(?:RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY(?: BLOCK)?-----/g

/** Three base64url segments, the first two JSON objects (`{"` encodes as `eyJ`). */
const JWT = /(?<![A-Za-z0-9_-])eyJ([A-Za-z0-9_-]+)\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g

function jwtHeaderHasAlg(encoded: string): boolean {
  const json = Buffer.from(`eyJ${encoded}`, 'base64url').toString('utf8')
  // Most look-alikes fail here, without the cost of JSON.parse throwing.
  if (!json.includes('"alg"') || !json.endsWith('}')) return false
  try {
    const header: unknown = JSON.parse(json)
    return typeof header === 'object' && header !== null && typeof (header as { alg?: unknown }).alg === 'string'
  } catch {
    return false
  }
}

/** Provider keys are whole tokens: not preceded or followed by another token character. */
const token = (body: string): RegExp => new RegExp(String.raw`(?<![A-Za-z0-9_-])(?:${body})(?![A-Za-z0-9_-])`, 'g')
/** `sk-` is also prose and package names (`sk-learn-…`): the key must mix cases and digits like a random one. */
const looksRandom = (key: string): boolean => /[a-z]/.test(key) && /[A-Z]/.test(key) && /\d/.test(key)

const KINDS: Readonly<Record<CredentialKind, readonly Shape[]>> = {
  aws_access_key_id: [{ pattern: AWS_ACCESS_KEY_ID }],
  aws_secret_key: [
    {
      pattern: AWS_SECRET_KEY,
      span: (match) => {
        const end = match.index + match[0].length
        return mixedCase(match[0].slice(-SECRET_VALUE_LENGTH)) ? [end - SECRET_VALUE_LENGTH, end] : undefined
      },
    },
  ],
  private_key: [{ pattern: PRIVATE_KEY, needles: ['-----BEGIN '] }],
  jwt: [
    {
      pattern: JWT,
      needles: ['.eyJ'],
      // A token longer than the contract's ceiling is reported as its first 1024 code units.
      maxMatchLength: MAX_MATCH_LENGTH_LIMIT,
      span: (match) => (jwtHeaderHasAlg(match[1]!) ? [match.index, match.index + Math.min(match[0].length, MAX_MATCH_LENGTH_LIMIT)] : undefined),
    },
  ],
  // The api_key shapes, by provider. Each prefix has a rare character or pair to look for first.
  api_key: [
    // OpenAI `sk-…` and `sk-proj-…`, Anthropic `sk-ant-…`
    { pattern: token(String.raw`sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,256}`), needles: ['k-'], span: (match) => (looksRandom(match[0].slice(3)) ? whole(match) : undefined) },
    // GitHub classic and fine-grained tokens, Stripe live secret and restricted keys
    { pattern: token(String.raw`gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82}|[rs]k_live_[0-9A-Za-z]{24,247}`), needles: ['_'] },
    // Slack bot, user, app, refresh and legacy tokens
    { pattern: token(String.raw`xox[abprs]-\d{1,15}-[A-Za-z0-9-]{10,240}`), needles: ['xox'] },
    // Google API keys
    { pattern: token(String.raw`AIza[0-9A-Za-z_-]{35}`), needles: ['AIza'] },
    // GitLab personal access tokens
    { pattern: token(String.raw`glpat-[0-9A-Za-z_-]{20}`), needles: ['pat-'] },
  ],
}

type BuiltShape = Shape & { readonly category: CredentialKind; readonly span: NonNullable<Shape['span']> }

/** Scans for the given kinds (default all); findings sorted by start. */
export function createCredentialsDetector(kinds: readonly CredentialKind[] = CREDENTIAL_KINDS): TextDetector {
  const shapes: BuiltShape[] = [...new Set(kinds)].flatMap((category) => KINDS[category].map((shape) => ({ category, span: whole, ...shape })))
  const reach = (shape: BuiltShape): number => shape.maxMatchLength ?? maxMatchLengthOf(shape.pattern)
  return {
    name: 'credentials',
    maxMatchLength: Math.max(1, ...shapes.map(reach)),
    scan: (text) => scanShapes(shapes, text),
    // A PEM block needs a 1 KiB reach, an access key id 20 characters: a stream scanner holding
    // back per shape rescans 20, not 1,024, characters of old text for the short ones.
    parts: shapes.map((shape) => ({ name: 'credentials', maxMatchLength: reach(shape), scan: (text: string) => scanShapes([shape], text) })),
  }
}

function scanShapes(shapes: readonly BuiltShape[], text: string): Finding[] {
  const findings: Finding[] = []
  for (const { category, pattern, needles, span } of shapes) {
    if (needles !== undefined && !needles.some((needle) => text.includes(needle))) continue
    pattern.lastIndex = 0
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      const found = span(match)
      if (found !== undefined) findings.push({ detector: 'credentials', category, start: found[0], end: found[1] })
    }
  }
  return findings.length > 1 ? findings.sort((a, b) => a.start - b.start) : findings
}
