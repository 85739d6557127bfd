// One adapter per provider type; the data plane looks an adapter up by its mount's `type`.
import type { ProviderType } from '../core/wire.js'
import type { ProviderAdapter } from './adapter.js'
import { bedrock } from './bedrock.js'
import { gemini } from './gemini.js'
import { llama } from './llama.js'
import { openai } from './openai.js'
import { vertex } from './vertex.js'

export const adapters: Readonly<Record<ProviderType, ProviderAdapter>> = { bedrock, gemini, llama, openai, vertex }
