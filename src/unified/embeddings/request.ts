// Checks an OpenAI Embeddings body (docs/unified.md#embeddings) once, so the per-provider
// translators work on typed values: `model`, `input` (a string, an array of strings, or token
// arrays), `encoding_format` (`float` or `base64`), `dimensions`, and Cohere's `input_type` as an
// extension. `user` and unknown fields are ignored.
import type { JsonObject } from '../../providers/request.js'

/** OpenAI's own limit on inputs per call. */
export const MAX_INPUTS = 2048

export type EncodingFormat = 'float' | 'base64'

/** Cohere's `input_type` values (Bedrock's Cohere embed models require one). */
export const COHERE_INPUT_TYPES = new Set(['search_document', 'search_query', 'classification', 'clustering'])

export interface EmbeddingsRequest {
  /** The virtual model's name. */
  readonly model: string
  /** The texts in order, or undefined when `input` is token ids (only an OpenAI target takes those). */
  readonly texts: readonly string[] | undefined
  /** `input` was one string (or one token array), not an array of them. */
  readonly single: boolean
  /** How many embeddings the answer must hold. */
  readonly count: number
  readonly encodingFormat: EncodingFormat
  readonly dimensions?: number
  readonly inputType?: string
  /** The client's body as sent (an OpenAI target gets it with its own model). */
  readonly json: JsonObject
}

export type EmbeddingsParse = { readonly ok: true; readonly request: EmbeddingsRequest } | { readonly ok: false; readonly message: string }

const isTokens = (value: unknown): value is number[] => Array.isArray(value) && value.length > 0 && value.every((t) => Number.isInteger(t) && (t as number) >= 0)

export function parseEmbeddingsRequest(json: JsonObject): EmbeddingsParse {
  const fail = (message: string): EmbeddingsParse => ({ ok: false, message })
  const { model, input } = json
  if (typeof model !== 'string' || model === '') return fail('`model` must be a non-empty string.')
  let texts: string[] | undefined
  let single = false
  let count = 1
  if (typeof input === 'string') {
    if (input === '') return fail('`input` must not be an empty string.')
    texts = [input]
    single = true
  } else if (isTokens(input)) {
    single = true
  } else if (Array.isArray(input)) {
    if (input.length === 0) return fail('`input` must not be an empty array.')
    if (input.length > MAX_INPUTS) return fail(`\`input\` has ${input.length} items; at most ${MAX_INPUTS} are accepted.`)
    if (input.every((item) => typeof item === 'string')) {
      const empty = input.findIndex((item) => item === '')
      if (empty !== -1) return fail(`\`input[${empty}]\` must not be an empty string.`)
      texts = input as string[]
      count = input.length
    } else if (!input.every(isTokens)) {
      return fail('`input` must be a string, an array of strings, an array of token ids or an array of token-id arrays.')
    } else {
      count = input.length
    }
  } else {
    return fail('`input` must be a string, an array of strings, an array of token ids or an array of token-id arrays.')
  }

  const format = json.encoding_format ?? 'float'
  if (format !== 'float' && format !== 'base64') return fail('`encoding_format` must be "float" or "base64".')
  const dimensions = json.dimensions ?? undefined
  if (dimensions !== undefined && (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1 || dimensions > 65_536)) {
    return fail('`dimensions` must be a positive integer.')
  }
  const inputType = json.input_type ?? undefined
  if (inputType !== undefined && (typeof inputType !== 'string' || !COHERE_INPUT_TYPES.has(inputType))) {
    return fail(`\`input_type\` must be one of ${[...COHERE_INPUT_TYPES].join(', ')}.`)
  }
  return {
    ok: true,
    request: {
      model,
      texts,
      single,
      count,
      encodingFormat: format,
      ...(dimensions === undefined ? {} : { dimensions }),
      ...(inputType === undefined ? {} : { inputType }),
      json,
    },
  }
}
