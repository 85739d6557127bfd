import { describe, expect, it } from 'vitest'
import type { ProviderType } from '../core/wire.js'
import { canonicalModelId, modelIdProblem } from './model-id.js'

const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0'

describe('canonicalModelId: every alias of a model is one id per provider', () => {
  it.each<[ProviderType, string, string]>([
    ['bedrock', HAIKU, HAIKU],
    ['bedrock', `arn:aws:bedrock:us-east-1::foundation-model/${HAIKU}`, HAIKU],
    ['bedrock', `arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/${HAIKU}`, HAIKU],
    ['bedrock', `us.${HAIKU}`, HAIKU],
    ['bedrock', `eu.${HAIKU}`, HAIKU],
    ['bedrock', `apac.${HAIKU}`, HAIKU],
    ['bedrock', `us-gov.${HAIKU}`, HAIKU],
    ['bedrock', `global.${HAIKU}`, HAIKU],
    ['bedrock', `arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.${HAIKU}`, HAIKU],
    ['bedrock', 'Anthropic.Claude-3-Haiku-20240307-V1:0', HAIKU],
    ['bedrock', `ARN:AWS:BEDROCK:US-EAST-1::FOUNDATION-MODEL/${HAIKU.toUpperCase()}`, HAIKU],
    ['bedrock', 'amazon.nova-lite-v1:0', 'amazon.nova-lite-v1:0'],
    // `us` alone is no prefix: a vendor named us with a model would keep it.
    ['bedrock', 'us.model', 'us.model'],
    ['gemini', 'gemini-2.5-flash', 'gemini-2.5-flash'],
    ['gemini', 'models/gemini-2.5-flash', 'gemini-2.5-flash'],
    ['gemini', 'tunedModels/my-model', 'tunedModels/my-model'],
    // OpenAI and Llama ids are case-sensitive at the provider: another case is another model.
    ['openai', 'gpt-4o', 'gpt-4o'],
    ['openai', 'ft:gpt-4o-mini:org::abc', 'ft:gpt-4o-mini:org::abc'],
    ['llama', 'Llama-4-Maverick-17B-128E-Instruct-FP8', 'Llama-4-Maverick-17B-128E-Instruct-FP8'],
  ])('%s %s → %s', (type, id, canonical) => {
    expect(canonicalModelId(type, id)).toBe(canonical)
  })
})

describe('modelIdProblem: what may reach headers, logs and counter keys', () => {
  it.each([HAIKU, 'gpt-4o', `arn:aws:bedrock:us-east-1::foundation-model/${HAIKU}`, 'tunedModels/x-1', 'a'.repeat(256)])('accepts %s', (id) => {
    expect(modelIdProblem(id)).toBeUndefined()
  })

  it.each(['', 'gpt-4o\r\nx-evil: 1', 'gpt 4o', 'gpt-4o\u0000', 'modèle', 'модель', '模型', 'a'.repeat(257), 'tab\there'])('refuses %j', (id) => {
    expect(modelIdProblem(id)).toBeTypeOf('string')
  })
})
