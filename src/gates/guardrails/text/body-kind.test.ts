// bodyKind: each provider's operations, and Bedrock InvokeModel told by model id through ARNs and region prefixes.
import { describe, expect, it } from 'vitest'
import type { ProviderType } from '../../../core/wire.js'
import { bodyKind } from './index.js'
import type { BodyKind } from './types.js'

describe('bodyKind', () => {
  const rows: readonly (readonly [ProviderType, string, string, BodyKind | undefined])[] = [
    ['openai', 'chat.completions', 'gpt-4o', 'openai-chat'],
    ['openai', 'responses', 'gpt-4.1', 'openai-responses'],
    ['openai', 'embeddings', 'text-embedding-3-small', undefined],
    ['llama', 'chat.completions', 'Llama-4-Maverick-17B-128E-Instruct-FP8', 'llama'],
    ['llama', 'compat.chat.completions', 'Llama-4-Maverick-17B-128E-Instruct-FP8', 'openai-chat'],
    ['gemini', 'generateContent', 'gemini-2.5-flash', 'gemini'],
    ['gemini', 'streamGenerateContent', 'gemini-2.5-flash', 'gemini'],
    ['gemini', 'countTokens', 'gemini-2.5-flash', undefined],
    ['vertex', 'generateContent', 'gemini-2.5-flash', 'gemini'],
    ['vertex', 'rawPredict', 'anthropic/claude-sonnet-4@20250514', 'anthropic'],
    ['vertex', 'streamRawPredict', 'anthropic/claude-sonnet-4@20250514', 'anthropic'],
    ['vertex', 'countTokens', 'gemini-2.5-flash', undefined],
    ['bedrock', 'converse', 'anthropic.claude-3-haiku-20240307-v1:0', 'bedrock-converse'],
    ['bedrock', 'converse-stream', 'amazon.titan-text-express-v1', 'bedrock-converse'],
    ['bedrock', 'count-tokens', 'anthropic.claude-3-haiku-20240307-v1:0', undefined],
    ['bedrock', 'invoke', 'anthropic.claude-3-haiku-20240307-v1:0', 'bedrock-anthropic'],
    ['bedrock', 'invoke-stream', 'us.anthropic.claude-3-7-sonnet-20250219-v1:0', 'bedrock-anthropic'],
    ['bedrock', 'invoke', 'global.anthropic.claude-sonnet-4-20250514-v1:0', 'bedrock-anthropic'],
    ['bedrock', 'invoke', 'Anthropic.Claude-V2', 'bedrock-anthropic'],
    ['bedrock', 'invoke', 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0', 'bedrock-anthropic'],
    ['bedrock', 'invoke', 'arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-haiku-20240307-v1:0', 'bedrock-anthropic'],
    ['bedrock', 'invoke', 'meta.llama3-8b-instruct-v1:0', 'bedrock-llama'],
    ['bedrock', 'invoke-stream', 'us.meta.llama3-2-11b-instruct-v1:0', 'bedrock-llama'],
    ['bedrock', 'invoke', 'amazon.nova-lite-v1:0', 'bedrock-nova'],
    ['bedrock', 'invoke-stream', 'us-gov.amazon.nova-pro-v1:0', 'bedrock-nova'],
    ['bedrock', 'invoke', 'arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/amazon.nova-micro-v1:0', 'bedrock-nova'],
    ['bedrock', 'invoke', 'amazon.nova-canvas-v1:0', undefined],
    ['bedrock', 'invoke', 'amazon.nova-reel-v1:0', undefined],
    ['bedrock', 'invoke', 'amazon.nova-sonic-v1:0', undefined],
    ['bedrock', 'invoke', 'amazon.titan-text-express-v1', 'bedrock-titan'],
    ['bedrock', 'invoke', 'amazon.titan-text-premier-v1:0', 'bedrock-titan'],
    ['bedrock', 'invoke', 'amazon.titan-embed-text-v2:0', undefined],
    ['bedrock', 'invoke', 'amazon.titan-image-generator-v2:0', undefined],
    ['bedrock', 'invoke', 'cohere.command-r-v1:0', undefined],
    ['bedrock', 'invoke', 'mistral.mistral-large-2402-v1:0', undefined],
    ['bedrock', 'invoke', 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6', undefined],
    ['bedrock', 'invoke', 'arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc123', undefined],
    ['openai', 'constructor', 'gpt-4o', undefined],
    ['bedrock', 'toString', 'anthropic.claude-v2', undefined],
  ]
  it.each(rows)('%s %s %s → %s', (provider, operation, model, kind) => {
    expect(bodyKind(provider, operation, model)).toBe(kind)
  })
})
