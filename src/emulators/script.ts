// Behaviour scripting shared by the emulators (docs/cli.md): standing defaults for timing and
// size, plus a FIFO queue of one-shot behaviours, each consumed by the next request that passes
// auth. Tests script in-process through `Script`; other processes (benchmarks, `sluice demo`) go
// through the control endpoints, which validate with `parseBehaviours` / `parseDefaults`.
import { isRecord } from './content.js'

/** Standing behaviour of every request that finds the queue empty. */
export interface EmulatorDefaults {
  /** Delay before the response head, ms. Default 0. */
  readonly latencyMs: number
  /** Extra delay before the first frame of a streamed body, ms. Default 0. */
  readonly ttftMs: number
  /** Delay between later frames of a streamed body, ms. Default 0. */
  readonly chunkDelayMs: number
  /** Number of text deltas a streamed reply is split into (capped at its word count). Default 4. */
  readonly chunks: number
  /** Words (= output tokens) in a reply before any request max-tokens cap. Default 8. */
  readonly outputTokens: number
}

export const DEFAULTS: EmulatorDefaults = Object.freeze({
  latencyMs: 0,
  ttftMs: 0,
  chunkDelayMs: 0,
  chunks: 4,
  outputTokens: 8,
})

/**
 * A one-shot behaviour, consumed by the next request that passes routing, auth and JSON parsing (a refused
 * or malformed request leaves the queue alone). Fields combine; once `latencyMs` has elapsed the first that
 * applies wins: `reset`, then `status`, then a normal answer (a `toolCall` or text, cut by `breakAfterChunks`).
 */
export interface Behaviour extends Partial<EmulatorDefaults> {
  /** Answer with this HTTP status (200-599); the body defaults to the provider's error for it (429 → throttling). */
  readonly status?: number
  /** Replaces the scripted status's body: a string is sent as is, anything else as JSON. */
  readonly body?: unknown
  /** Extra headers on the scripted status's response. */
  readonly headers?: Readonly<Record<string, string>>
  /** Adds `retry-after` to the scripted status's response. */
  readonly retryAfterSeconds?: number
  /** Answer with this text (words split on spaces; `outputTokens` is then its word count) instead of the filler reply. */
  readonly text?: string
  /** Answer nothing: RST_STREAM on HTTP/2, a TCP reset (ECONNRESET) on HTTP/1.1. */
  readonly reset?: boolean
  /**
   * Send the response head and this many wire frames (SSE events, eventstream messages, array
   * items), then break off: RST_STREAM on HTTP/2, a close mid-body on HTTP/1.1. Streams only.
   */
  readonly breakAfterChunks?: number
  /**
   * Answer with a call to this tool instead of text (Converse/ConverseStream, Gemini, Llama native
   * and compat, OpenAI chat, Anthropic on Vertex; InvokeModel and the Responses API still answer
   * text). Overrides the call a forcing `tool_choice` would make; see tool-call.ts for the shapes
   * and token counts.
   */
  readonly toolCall?: ScriptedToolCall
  /**
   * Answer without usage, as some OpenAI-compatible servers do: no `usage` in a Chat Completions
   * body, and `stream_options.include_usage` ignored in its stream (OpenAI chat and Llama compat).
   */
  readonly omitUsage?: boolean
}

/** A tool call to answer with: the function's name and its arguments, sent as a JSON object. */
export interface ScriptedToolCall {
  readonly name: string
  readonly arguments: Readonly<Record<string, unknown>>
}

/** What one request does: the defaults with the dequeued behaviour laid over them. */
export type Plan = EmulatorDefaults & Omit<Behaviour, keyof EmulatorDefaults>

export class Script {
  #defaults: EmulatorDefaults
  readonly #initial: EmulatorDefaults
  readonly #queue: Behaviour[] = []

  constructor(defaults: Partial<EmulatorDefaults> = {}) {
    this.#initial = Object.freeze({ ...DEFAULTS, ...defaults })
    this.#defaults = this.#initial
  }

  get defaults(): EmulatorDefaults {
    return this.#defaults
  }

  /** Number of queued behaviours not yet consumed. */
  get pending(): number {
    return this.#queue.length
  }

  setDefaults(defaults: Partial<EmulatorDefaults>): void {
    this.#defaults = Object.freeze({ ...this.#defaults, ...defaults })
  }

  enqueue(...behaviours: Behaviour[]): void {
    this.#queue.push(...behaviours)
  }

  /** Empties the queue and restores the defaults the emulator started with. */
  reset(): void {
    this.#queue.length = 0
    this.#defaults = this.#initial
  }

  /** Consumes the next behaviour; with an empty queue the shared frozen defaults are the plan. */
  next(): Plan {
    const behaviour = this.#queue.shift()
    return behaviour === undefined ? this.#defaults : { ...this.#defaults, ...behaviour }
  }
}

const NUMBER_FIELDS = ['latencyMs', 'ttftMs', 'chunkDelayMs', 'chunks', 'outputTokens', 'status', 'retryAfterSeconds', 'breakAfterChunks'] as const
const DEFAULT_FIELDS: readonly string[] = Object.keys(DEFAULTS)

/** Validates one behaviour or an array of them (control endpoint body); throws with the first problem. */
export function parseBehaviours(value: unknown): Behaviour[] {
  const items = Array.isArray(value) ? value : [value]
  return items.map((item, i) => {
    const at = Array.isArray(value) ? `[${i}]` : 'behaviour'
    if (!isRecord(item)) throw new Error(`${at}: must be an object`)
    for (const [key, field] of Object.entries(item)) {
      if ((NUMBER_FIELDS as readonly string[]).includes(key)) {
        if (typeof field !== 'number' || !Number.isInteger(field) || field < 0) throw new Error(`${at}.${key}: must be a non-negative integer`)
      } else if (key === 'reset' || key === 'omitUsage') {
        if (typeof field !== 'boolean') throw new Error(`${at}.${key}: must be a boolean`)
      } else if (key === 'headers') {
        if (!isRecord(field) || !Object.values(field).every((v) => typeof v === 'string')) {
          throw new Error(`${at}.headers: must map names to strings`)
        }
      } else if (key === 'text') {
        if (typeof field !== 'string' || field.trim() === '') throw new Error(`${at}.text: must be a non-empty string`)
      } else if (key === 'toolCall') {
        parseToolCall(field, `${at}.toolCall`)
      } else if (key !== 'body') {
        throw new Error(`${at}: unknown key ${key}`)
      }
    }
    if (item.status !== undefined && (Number(item.status) < 200 || Number(item.status) > 599)) throw new Error(`${at}.status: must be 200-599`)
    return item as Behaviour
  })
}

function parseToolCall(value: unknown, at: string): void {
  if (!isRecord(value)) throw new Error(`${at}: must be an object`)
  for (const key of Object.keys(value)) if (key !== 'name' && key !== 'arguments') throw new Error(`${at}: unknown key ${key}`)
  if (typeof value.name !== 'string' || value.name === '') throw new Error(`${at}.name: must be a non-empty string`)
  if (!isRecord(value.arguments)) throw new Error(`${at}.arguments: must be a JSON object`)
}

export function parseDefaults(value: unknown): Partial<EmulatorDefaults> {
  if (!isRecord(value)) throw new Error('defaults: must be an object')
  for (const [key, field] of Object.entries(value)) {
    if (!DEFAULT_FIELDS.includes(key)) throw new Error(`defaults: unknown key ${key}`)
    if (typeof field !== 'number' || !Number.isInteger(field) || field < 0) throw new Error(`defaults.${key}: must be a non-negative integer`)
  }
  return value as Partial<EmulatorDefaults>
}
