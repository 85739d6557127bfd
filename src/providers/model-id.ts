// Model ids as decisions key on them: a client-supplied id is checked before it
// reaches a header, a log line or a counter key, and reduced to one canonical id per provider, so
// a kill switch, flag, limit or budget on a model cannot be stepped around with an alias.
//
// Bedrock accepts the same model as a foundation-model ARN, an inference-profile id or ARN with a
// cross-region prefix (`us.`, `eu.`, `apac.` …), and in any letter case; all of those are the
// base model id, lower-cased. Gemini's `models/` resource prefix is dropped; Vertex's
// publisher paths name Google's models by their bare id and partners' as `<publisher>/<id>`. OpenAI and Llama ids
// are case-sensitive at the provider (another case is another, unknown, model), so they are kept.
import type { ProviderType } from '../core/wire.js'
import { canonicalVertexModel } from './vertex-path.js'

/** The longest model id accepted (Bedrock ARNs are the longest real ones, well under this). */
export const MAX_MODEL_ID_LENGTH = 256

/** Visible ASCII only: no spaces, controls or non-Latin-1 characters that could break a header or forge a log line. */
const SAFE_MODEL_ID = /^[\x21-\x7e]+$/

/** Undefined when `id` may be used; else why not. */
export function modelIdProblem(id: string): string | undefined {
  if (id.length === 0) return 'The model id is empty.'
  if (id.length > MAX_MODEL_ID_LENGTH) return `The model id is longer than ${MAX_MODEL_ID_LENGTH} characters.`
  if (!SAFE_MODEL_ID.test(id)) return 'The model id must be visible ASCII (no spaces or control characters).'
  return undefined
}

// arn:aws[-partition]:bedrock:<region>:<account>:<resource-type>/<id>
const BEDROCK_ARN = /^arn:aws[a-z-]*:bedrock:[^:]*:[^:]*:(?:foundation-model|inference-profile|system-defined-inference-profile|application-inference-profile)\/(.+)$/i
// Cross-region inference profile prefixes (docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html).
const CROSS_REGION = /^(?:us|eu|apac|us-gov|global|ca|jp|au)\.(?=[a-z0-9-]+\.[a-z0-9])/i

function canonicalBedrock(id: string): string {
  const arn = BEDROCK_ARN.exec(id)
  const base = arn === null ? id : arn[1]!
  return base.replace(CROSS_REGION, '').toLowerCase()
}

/** The id decisions use for `id` on a provider of `type`. */
export function canonicalModelId(type: ProviderType, id: string): string {
  switch (type) {
    case 'bedrock':
      return canonicalBedrock(id)
    case 'gemini':
      return id.startsWith('models/') ? id.slice(7) : id
    case 'vertex':
      return canonicalVertexModel(id)
    case 'openai':
    case 'llama':
      return id
  }
}
