// The deny-list detector: an operator's own words and regular expressions. Words match case-
// insensitively as whole words, where a word character is a Unicode letter, digit or combining
// mark (`\p{L}\p{N}\p{M}`), so `darn` finds "Darn!" but not "darned", and `naïve` is not cut at
// its `ï`. Patterns are JavaScript regular expressions compiled with `giu`.
import type { Finding, TextDetector } from './types.js'
import { MAX_MATCH_LENGTH_LIMIT } from './types.js'
import { DENY_PATTERN_FLAGS, patternProblems } from '../semantic.js'

export interface DenyListOptions {
  readonly words: readonly string[]
  /** Regular expression sources; check them with denyListProblems first (an invalid one throws here). */
  readonly patterns: readonly string[]
  /**
   * What a streaming scanner holds back for patterns, in UTF-16 code units; default 256, at most
   * 1024, never less than the longest word. A longer pattern match is still reported when it lies
   * within one scanned piece of text, but is only guaranteed to be found across a chunk boundary
   * up to this length.
   */
  readonly maxMatchLength?: number
}

const PATTERN_FLAGS = DENY_PATTERN_FLAGS
const DEFAULT_MAX_MATCH_LENGTH = 256

/** Escapes the characters that are syntax under the `u` flag (which rejects any other escape). */
const escapeWord = (word: string): string => word.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')

/** One readable problem per pattern that does not compile: `patterns[2]: Invalid regular expression: …`. */
export function denyListProblems(patterns: readonly string[]): string[] {
  return patternProblems(patterns).map(({ index, problem }) => `patterns[${index}]: ${problem}`)
}

/** Appends every non-empty match of the global `pattern` in `text`; an empty match moves on by one code point. */
function collect(pattern: RegExp, category: string, text: string, out: Finding[]): void {
  pattern.lastIndex = 0
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const end = match.index + match[0].length
    if (end > match.index) out.push({ detector: 'denyList', category, start: match.index, end })
    else pattern.lastIndex = end + ((text.codePointAt(end) ?? 0) > 0xffff ? 2 : 1)
  }
}

export function createDenyListDetector(options: DenyListOptions): TextDetector {
  // Longest first, so a phrase wins over a word it starts with.
  const words = [...new Set(options.words.filter((word) => word.trim() !== ''))].sort((a, b) => b.length - a.length)
  const wordPattern = words.length === 0 ? undefined : new RegExp(`(?<![\\p{L}\\p{N}\\p{M}])(?:${words.map(escapeWord).join('|')})(?![\\p{L}\\p{N}\\p{M}])`, PATTERN_FLAGS)
  const patterns = options.patterns.map((source) => new RegExp(source, PATTERN_FLAGS))
  const longestWord = words[0]?.length ?? 0
  return {
    name: 'denyList',
    maxMatchLength: Math.min(MAX_MATCH_LENGTH_LIMIT, Math.max(1, longestWord, patterns.length > 0 ? (options.maxMatchLength ?? DEFAULT_MAX_MATCH_LENGTH) : 0)),
    scan(text) {
      const findings: Finding[] = []
      if (wordPattern !== undefined) collect(wordPattern, 'word', text, findings)
      for (const pattern of patterns) collect(pattern, 'pattern', text, findings)
      return findings.length > 1 ? findings.sort((a, b) => a.start - b.start) : findings
    },
  }
}
