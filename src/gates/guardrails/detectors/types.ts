// The one shape every built-in guardrail detector shares. A detector is pure: it scans a string and
// says where the matches are, never what they were, so findings can be logged, counted and turned
// into redactions without copying the sensitive text anywhere.

export type DetectorName = 'pii' | 'credentials' | 'injection' | 'denyList'

/** One match: which detector, a category (e.g. 'card', 'email', 'aws_access_key_id', an injection rule id, 'word'/'pattern'), and [start, end) UTF-16 offsets into the scanned text. Never the matched text itself. */
export interface Finding {
  readonly detector: DetectorName
  readonly category: string
  readonly start: number
  readonly end: number
}

export interface TextDetector {
  readonly name: DetectorName
  /** The longest text any match of this detector can span, in UTF-16 code units (a streaming scanner holds back this much minus one). At most 1024. */
  readonly maxMatchLength: number
  scan(text: string): Finding[]
  /** The same scan split into parts of shorter reach (findings of all parts = `scan`'s), so a stream scanner can hold back per part. */
  readonly parts?: readonly TextDetector[]
}

/** The contract's ceiling on `maxMatchLength`. */
export const MAX_MATCH_LENGTH_LIMIT = 1024
