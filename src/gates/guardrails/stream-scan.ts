// Incremental scanning of a streamed answer's text (docs/guardrails.md "Streams"). Text arrives
// in pieces (SSE events, event-stream frames) and a match may be split across them. Each push
// scans the new text together with the last `holdBack` characters already seen, so any match of
// at most `holdBack + 1` characters is found whole, whatever the split; a match seen before (or
// the same one grown by the new text) is not reported again. `safeEnd` is the offset below which the text can no longer be part of a
// match not yet found: a caller holding bytes back may release what lies below it.
import type { Finding, TextDetector } from './detectors/types.js'

/** The most text held back: matches longer than this + 1 are not guaranteed across pieces. */
export const MAX_HOLD_BACK = 1024

export class StreamScanner {
  readonly #detectors: readonly TextDetector[]
  readonly #holdBack: number
  /** The last `holdBack` characters scanned. */
  #tail = ''
  /** Offset of `#tail`'s first character in the whole text. */
  #tailStart = 0
  /** Findings already reported that reach into the tail (the only ones that can be found again). */
  #recent: Finding[] = []

  constructor(detectors: readonly TextDetector[]) {
    this.#detectors = detectors
    let longest = 1
    for (const d of detectors) longest = Math.max(longest, d.maxMatchLength)
    this.#holdBack = Math.min(MAX_HOLD_BACK, longest - 1)
  }

  /** Characters of the whole text scanned so far. */
  get length(): number {
    return this.#tailStart + this.#tail.length
  }

  /** Below this offset no match can still appear: everything there was scanned with enough text after it. */
  get safeEnd(): number {
    return Math.max(0, this.length - this.#holdBack)
  }

  /** Scans `text` (the next piece) with the held-back tail; returns the new findings, offsets into the whole text. */
  push(text: string): Finding[] {
    if (text === '') return []
    const window = this.#tail + text
    const base = this.#tailStart
    const found: Finding[] = []
    for (const detector of this.#detectors) {
      for (const f of detector.scan(window)) {
        const finding = { detector: f.detector, category: f.category, start: base + f.start, end: base + f.end }
        // The same match seen again through the tail, or grown by the new text (an address whose
        // domain went on): reported once.
        if (this.#recent.some((r) => r.detector === finding.detector && r.category === finding.category && r.start < finding.end && finding.start < r.end)) continue
        this.#recent.push(finding)
        found.push(finding)
      }
    }
    const keep = Math.min(this.#holdBack, window.length)
    this.#tailStart = base + window.length - keep
    this.#tail = keep === 0 ? '' : window.slice(window.length - keep)
    if (this.#recent.length > 0) this.#recent = this.#recent.filter((r) => r.end > this.#tailStart)
    return found
  }
}
