// Deterministic replies and token counts, so tests can assert exact numbers through Sluice:
// input tokens = ceil(prompt characters / 4) (at least 1), where the prompt characters are the
// text of every system/instruction and message part; output tokens = words in the reply, and
// the reply is `Hello from <model>.` padded with fixed words to `outputTokens`, cut to the
// request's max-tokens cap if lower. Tool-call answers count their arguments instead (tool-call.ts).

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Text of a content value in any provider dialect: a string, `{text}`, or an array of those. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content
  if (Array.isArray(content)) return content.map(textOf).join('')
  if (isRecord(content)) {
    if (typeof content.text === 'string') return content.text
    // Gemini and OpenAI Responses nest parts under `parts` / `content`.
    if (Array.isArray(content.parts)) return textOf(content.parts)
    if (content.content !== undefined) return textOf(content.content)
  }
  return ''
}

export function countInputTokens(...texts: string[]): number {
  let chars = 0
  for (const text of texts) chars += text.length
  return Math.max(1, Math.ceil(chars / 4))
}

const FILLER = ['This', 'is', 'a', 'deterministic', 'emulator', 'reply', 'with', 'padding', 'words', 'for', 'testing', 'only.']

export interface TextReply {
  readonly text: string
  /** The text split into stream deltas whose concatenation is `text`. */
  readonly deltas: readonly string[]
  readonly outputTokens: number
  /** True when the request's max-tokens cap cut the reply short. */
  readonly truncated: boolean
}

/**
 * @param outputTokens words wanted before the cap (at least 1)
 * @param chunks number of deltas (at least 1, at most one per word)
 * @param scripted a scripted reply (Behaviour.text): its words replace the filler
 */
export function buildReply(model: string, outputTokens: number, chunks: number, maxTokens: number | undefined, scripted?: string): TextReply {
  const given = scripted?.split(' ').filter((w) => w !== '')
  const wanted = given === undefined ? Math.max(1, outputTokens) : given.length
  const count = maxTokens !== undefined && maxTokens > 0 ? Math.min(wanted, maxTokens) : wanted
  const words = given ?? [`Hello`, `from`, `${model.replace(/\s+/g, '-')}.`]
  for (let i = 0; words.length < count; i++) words.push(FILLER[i % FILLER.length]!)
  words.length = count
  const text = words.join(' ')
  const n = Math.max(1, Math.min(chunks, count))
  const deltas: string[] = []
  for (let i = 0; i < n; i++) {
    const from = Math.floor((i * count) / n)
    const to = Math.floor(((i + 1) * count) / n)
    // Each delta but the first carries the space before its first word.
    deltas.push((i === 0 ? '' : ' ') + words.slice(from, to).join(' '))
  }
  return { text, deltas, outputTokens: count, truncated: count < wanted }
}

/** A positive integer field, or undefined. */
export function intField(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined
}

/** A deterministic unit-ish embedding vector derived from the text. */
export function embed(text: string, dimensions: number): number[] {
  let seed = 2166136261
  for (let i = 0; i < text.length; i++) seed = Math.imul(seed ^ text.charCodeAt(i), 16777619)
  const out: number[] = []
  for (let i = 0; i < dimensions; i++) {
    seed = Math.imul(seed ^ (seed >>> 15), 2246822507) >>> 0
    out.push(Math.round(((seed % 2000) / 1000 - 1) * 1e6) / 1e6)
  }
  return out
}
