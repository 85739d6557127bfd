// The model lists and lookups the emulators serve, from a small fixed catalogue per provider:
// OpenAI's and Llama's `GET …/models` → `{object: 'list', data: [{id, object: 'model', created,
// owned_by}]}` (the Llama SDK unwraps `data`) and `GET …/models/{id}` → one such object; Gemini's
// `GET /{version}/models` → `{models: [{name: 'models/…', …}], nextPageToken}`, paged by
// `pageSize` and `pageToken`, and `GET /{version}/models/{model}` → one model. Any other id is a
// 404 in the provider's own error shape.
import { jsonReply, type JsonReply, type Reply } from './server.js'

/** When the emulated models were "created" (Unix seconds): fixed, so answers are deterministic. */
const CREATED = 1_715_367_049

export const OPENAI_MODELS: readonly string[] = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'o3', 'text-embedding-3-small']
export const LLAMA_MODELS: readonly string[] = ['Llama-4-Maverick-17B-128E-Instruct-FP8', 'Llama-4-Scout-17B-16E-Instruct-FP8', 'Llama-3.3-70B-Instruct']

const GENERATE = ['generateContent', 'streamGenerateContent', 'countTokens']
const EMBED = ['embedContent', 'batchEmbedContents']

export const GEMINI_MODELS: readonly { readonly id: string; readonly methods: readonly string[] }[] = [
  { id: 'gemini-2.0-flash', methods: GENERATE },
  { id: 'gemini-2.5-flash', methods: GENERATE },
  { id: 'gemini-2.5-pro', methods: GENERATE },
  { id: 'gemini-embedding-001', methods: EMBED },
  { id: 'text-embedding-004', methods: EMBED },
]

/** The id a `…/models/{id}` path names (percent-decoded), '' for the list, undefined for neither. */
export function modelsPathId(path: string, base: string): string | undefined {
  if (path === `${base}/models`) return ''
  if (!path.startsWith(`${base}/models/`)) return undefined
  const raw = path.slice(base.length + '/models/'.length)
  if (raw === '' || raw.includes('/')) return undefined
  try {
    return decodeURIComponent(raw)
  } catch {
    return undefined
  }
}

/** OpenAI-shaped list or lookup (OpenAI, Llama native and compat). */
export function openAiModels(ids: readonly string[], ownedBy: string, id: string, notFound: (message: string) => JsonReply): Reply {
  const model = (name: string) => ({ id: name, object: 'model', created: CREATED, owned_by: ownedBy })
  if (id === '') return jsonReply(200, { object: 'list', data: ids.map(model) })
  return ids.includes(id) ? jsonReply(200, model(id)) : notFound(`The model '${id}' does not exist`)
}

function geminiModel(id: string, methods: readonly string[]): Record<string, unknown> {
  const embedding = methods.includes('embedContent')
  return {
    name: `models/${id}`,
    version: '001',
    displayName: id,
    inputTokenLimit: embedding ? 2048 : 1_048_576,
    outputTokenLimit: embedding ? 1 : 8192,
    supportedGenerationMethods: methods,
  }
}

/** A positive whole number from a query value, else undefined. */
function positive(value: string | null): number | undefined {
  const n = value === null ? NaN : Number(value)
  return Number.isInteger(n) && n > 0 ? n : undefined
}

/**
 * Gemini's list (`id` '') or lookup. A page holds `pageSize` models (default 50, as the API's);
 * `nextPageToken` is the offset of the next page, absent on the last one.
 */
export function geminiModels(id: string, query: string, notFound: (message: string) => JsonReply): Reply {
  if (id !== '') {
    const found = GEMINI_MODELS.find((m) => m.id === id)
    return found === undefined ? notFound(`models/${id} is not found for API version v1beta.`) : jsonReply(200, geminiModel(found.id, found.methods))
  }
  const params = new URLSearchParams(query)
  const size = positive(params.get('pageSize')) ?? 50
  const start = positive(params.get('pageToken')) ?? 0
  const page = GEMINI_MODELS.slice(start, start + size).map((m) => geminiModel(m.id, m.methods))
  const next = start + size < GEMINI_MODELS.length ? { nextPageToken: String(start + size) } : {}
  return jsonReply(200, { models: page, ...next })
}
