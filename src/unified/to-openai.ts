// OpenAI chat request → an OpenAI-compatible target: the client's own body, with the target's
// model and forced parameters. A stream always asks for usage, so Sluice counts its tokens; the
// chunk is dropped again when the client did not ask (unified/from-openai.ts).
import type { TargetParams } from '../core/target.js'
import { isObject } from './chunks.js'
import type { NativeRequestResult } from './types.js'

export const CHAT_COMPLETIONS = '/v1/chat/completions'

export function toOpenAI(json: Readonly<Record<string, unknown>>, model: string, params: TargetParams | undefined): NativeRequestResult {
  const body: Record<string, unknown> = { ...json, model }
  if (body.stream === true) body.stream_options = { ...(isObject(body.stream_options) ? body.stream_options : {}), include_usage: true }
  if (params?.temperature !== undefined) body.temperature = params.temperature
  if (params?.topP !== undefined) body.top_p = params.topP
  if (params?.maxTokens !== undefined) {
    const asked = typeof body.max_completion_tokens === 'number' ? body.max_completion_tokens : typeof body.max_tokens === 'number' ? body.max_tokens : Infinity
    body.max_completion_tokens = Math.min(params.maxTokens, asked)
    delete body.max_tokens
  }
  return { ok: true, path: CHAT_COMPLETIONS, body }
}
