// The collector every extractor writes into: it keeps each non-empty string with its path and
// role, walks the string leaves of JSON-valued tool arguments and results, and gives up on a value
// nested deeper than any real tool call, so hostile nesting can neither overflow the stack nor
// hide text past a cut-off (the whole body then counts as not of its kind).
import type { RequestText, Role, TextPath, TextSegment } from './types.js'

/** Deepest nesting walked inside one tool argument or result value. */
export const MAX_LEAF_DEPTH = 64

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export class Collector {
  readonly #segments: TextSegment[] = []
  #tooDeep = false

  /** `value` at `path`, when it is a string; an empty string has nothing to check. */
  text(path: TextPath, value: unknown, role: Role): void {
    if (typeof value === 'string' && value !== '') this.#segments.push({ path, text: value, role })
  }

  /** Every string leaf of a JSON value (object keys are names from a schema, not text). */
  leaves(path: TextPath, value: unknown, role: Role, depth = 0): void {
    if (typeof value === 'string') return this.text(path, value, role)
    if (typeof value !== 'object' || value === null) return
    if (depth >= MAX_LEAF_DEPTH) {
      this.#tooDeep = true
      return
    }
    if (Array.isArray(value)) value.forEach((item, i) => this.leaves([...path, i], item, role, depth + 1))
    else for (const [key, item] of Object.entries(value)) this.leaves([...path, key], item, role, depth + 1)
  }

  /** The segments found, or undefined when a value was too deep to read whole. */
  answer(): readonly TextSegment[] | undefined {
    return this.#tooDeep ? undefined : this.#segments
  }

  /** As `answer`, with the request's message count. */
  request(messages: number): RequestText | undefined {
    return this.#tooDeep ? undefined : { segments: this.#segments, messages }
  }
}

/** Each element of `value` when it is an array, with its index; nothing otherwise. */
export function eachOf(value: unknown, visit: (item: Record<string, unknown>, index: number) => void): void {
  if (!Array.isArray(value)) return
  value.forEach((item, i) => {
    if (isObject(item)) visit(item, i)
  })
}
