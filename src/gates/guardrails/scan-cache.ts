// The request detectors' findings for texts seen recently, one cache per config snapshot (its
// compiled detectors). A chat client sends the whole conversation again on every turn, and system
// prompts and few-shot examples repeat verbatim across requests: a text seen before is looked up,
// not scanned again. The detectors are functions of the text alone, so a hit gives exactly what a
// scan would. Answers are not cached: a model's answers rarely repeat.
// Bounded: at most SCAN_CACHE_TEXTS texts and SCAN_CACHE_CHARS characters of them; a text longer
// than SCAN_CACHE_MAX_TEXT is scanned every time rather than crowding out many shorter ones.
import { LRUCache } from 'lru-cache'
import type { CompiledDetector } from './compile.js'
import { observeDuration, timing } from './counters.js'
import type { Finding } from './detectors/types.js'

export const SCAN_CACHE_TEXTS = 4096
export const SCAN_CACHE_CHARS = 4 * 1024 * 1024
export const SCAN_CACHE_MAX_TEXT = 64 * 1024

/** Each detector's findings in one text, in the detectors' order. */
export type TextFindings = readonly (readonly Finding[])[]

export class ScanCache {
  readonly #cache = new LRUCache<string, TextFindings>({
    max: SCAN_CACHE_TEXTS,
    maxSize: SCAN_CACHE_CHARS,
    maxEntrySize: SCAN_CACHE_MAX_TEXT,
    sizeCalculation: (_findings, text) => Math.max(1, text.length),
  })

  constructor(private readonly detectors: readonly CompiledDetector[]) {}

  /** Each detector's findings in `text` (offsets into it), scanned now unless the same text was scanned before. */
  findings(text: string): TextFindings {
    if (text.length > SCAN_CACHE_MAX_TEXT) return this.#scan(text)
    const known = this.#cache.get(text)
    if (known !== undefined) return known
    const found = this.#scan(text)
    this.#cache.set(text, found)
    return found
  }

  /** Every detector over `text`; each detector's time is measured on one scan in several (counters.ts). */
  #scan(text: string): TextFindings {
    const timed = timing()
    const found: (readonly Finding[])[] = []
    for (const { key, detector } of this.detectors) {
      const started = timed ? performance.now() : 0
      found.push(Object.freeze(detector.scan(text)))
      if (timed) observeDuration(key, 'request', performance.now() - started)
    }
    return Object.freeze(found)
  }
}
