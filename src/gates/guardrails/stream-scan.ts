// Incremental scanning of a streamed answer's text (docs/guardrails.md "Streams"). Text arrives
// in pieces (SSE events, event-stream frames) and a match may be split across them. Each push
// scans the new text together with the last `holdBack` characters already seen, so any match of
// at most `holdBack + 1` characters is found whole, whatever the split; a match seen before (or
// the same one grown by the new text) is not reported again. `safeEnd` is the offset below which the text can no longer be part of a
// match not yet found: a caller holding bytes back may release what lies below it.
import type { Finding, TextDetector } from './detectors/types.js'

/** The most text held back: matches longer than this + 1 are not guaranteed across pieces. */
export const MAX_HOLD_BACK = 1024

/**
 * Characters of context scanned before each part's reach: the detectors' look-behinds (a token
 * must not follow another token character) see what precedes a match instead of a cut. A finding
 * starting inside this margin ended before the new text, so it was reported by an earlier push.
 */
const CONTEXT = 8

interface Part {
  readonly detector: TextDetector
  readonly holdBack: number
}

/**
 * What a scanner needs to know about its detectors, worked out once per detector set (a config
 * snapshot's), not per answer: each part and its reach, and the longest of them.
 */
export class ScanPlan {
  readonly detectors: readonly TextDetector[]
  readonly parts: readonly Part[]
  readonly holdBack: number
  /** While a window's old text is no longer than this, every part would scan all of it. */
  readonly wholeBelow: number

  constructor(detectors: readonly TextDetector[]) {
    this.detectors = detectors
    // Each part holds back its own reach: short shapes do not rescan a long shape's window.
    this.parts = detectors.flatMap((d) => d.parts ?? [d]).map((detector) => ({ detector, holdBack: Math.min(MAX_HOLD_BACK, Math.max(1, detector.maxMatchLength) - 1) }))
    let holdBack = 0
    let shortest = Infinity
    for (const part of this.parts) {
      holdBack = Math.max(holdBack, part.holdBack)
      shortest = Math.min(shortest, part.holdBack)
    }
    this.holdBack = holdBack
    this.wholeBelow = shortest === Infinity ? 0 : shortest + CONTEXT
  }
}

export class StreamScanner {
  readonly #plan: ScanPlan
  /** The last `holdBack + CONTEXT` characters scanned. */
  #tail = ''
  /** Offset of `#tail`'s first character in the whole text. */
  #tailStart = 0
  /** Findings already reported that reach into the tail (the only ones that can be found again). */
  #recent: Finding[] = []

  constructor(plan: ScanPlan) {
    this.#plan = plan
  }

  /** Characters of the whole text scanned so far. */
  get length(): number {
    return this.#tailStart + this.#tail.length
  }

  /** Below this offset no match can still appear: everything there was scanned with enough text after it. */
  get safeEnd(): number {
    return this.safeEndAfter(0)
  }

  /** Where `safeEnd` will be once `more` characters after the scanned ones are scanned. */
  safeEndAfter(more: number): number {
    return Math.max(0, this.length + more - this.#plan.holdBack)
  }

  /** Scans `text` (the next piece) with the held-back tail; returns the new findings in order, offsets into the whole text. */
  push(text: string): Finding[] {
    if (text === '') return []
    const window = this.#tail + text
    const base = this.#tailStart
    const fresh = window.length - text.length
    const found: Finding[] = []
    // While the old text is short, every part would scan the whole window: each detector's own
    // scan does it in one pass (its findings are its parts' together).
    if (fresh <= this.#plan.wholeBelow) {
      for (const detector of this.#plan.detectors) for (const f of detector.scan(window)) this.#report(f, base, 0, found)
    } else {
      for (const { detector, holdBack } of this.#plan.parts) {
        // Any match of at most holdBack + 1 characters that ends in the new text starts at or after
        // `fresh - holdBack`; CONTEXT more characters before that give its look-behind what it needs.
        const from = Math.max(0, fresh - holdBack - CONTEXT)
        const floor = from === 0 ? 0 : from + CONTEXT
        const scanned = from === 0 ? window : window.slice(from)
        for (const f of detector.scan(scanned)) if (from + f.start >= floor) this.#report(f, base, from, found)
      }
    }
    const keep = Math.min(this.#plan.holdBack + CONTEXT, window.length)
    this.#tailStart = base + window.length - keep
    this.#tail = keep === 0 ? '' : window.slice(window.length - keep)
    if (this.#recent.length > 0) this.#recent = this.#recent.filter((r) => r.end > this.#tailStart)
    // In the text's order, whichever detector found them.
    return found.length > 1 ? found.sort((a, b) => a.start - b.start) : found
  }

  /** A finding at `from` in the window, unless already reported. */
  #report(f: Finding, base: number, from: number, found: Finding[]): void {
    const finding = { detector: f.detector, category: f.category, start: base + from + f.start, end: base + from + f.end }
    // The same match seen again through the tail, or grown by the new text (an address whose
    // domain went on): reported once.
    if (this.#recent.some((r) => r.detector === finding.detector && r.category === finding.category && r.start < finding.end && finding.start < r.end)) return
    this.#recent.push(finding)
    found.push(finding)
  }
}
