// OpenAI chat request → Llama API native `POST /v1/chat/completions`
// (llama-api-client `resources/chat/completions.d.ts`). Close to OpenAI: the differences are
// `max_completion_tokens` only, no `developer` role (sent as system), assistant tool calls without
// `type`, and no stop sequences at all — those are refused rather than silently dropped.
import { contentText } from './parse-request.js'
import type { ChatRequest, NativeRequestResult, ToolChoice } from './types.js'

function toolChoice(choice: ToolChoice): unknown {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } }
}

export function toLlama(request: ChatRequest, model: string): NativeRequestResult {
  if (request.stop !== undefined) return { ok: false, message: 'The Llama API has no stop sequences; `stop` cannot be translated.' }
  const messages = request.messages.map((message) => {
    switch (message.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content: message.content }
      case 'user':
        // Llama's image item takes `url` only (no `detail`).
        return {
          role: 'user',
          content:
            typeof message.content === 'string'
              ? message.content
              : message.content.map((part) => (part.type === 'text' ? part : { type: 'image_url', image_url: { url: part.image_url.url } })),
        }
      case 'assistant': {
        const out: Record<string, unknown> = { role: 'assistant', content: contentText(message.content) }
        if (message.tool_calls.length > 0) {
          out.tool_calls = message.tool_calls.map((call) => ({ id: call.id, function: { name: call.function.name, arguments: call.function.arguments } }))
        }
        return out
      }
      case 'tool':
        return { role: 'tool', tool_call_id: message.tool_call_id, content: message.content }
    }
  })

  const body: Record<string, unknown> = { model, messages }
  if (request.maxTokens !== undefined) body.max_completion_tokens = request.maxTokens
  if (request.temperature !== undefined) body.temperature = request.temperature
  if (request.topP !== undefined) body.top_p = request.topP
  if (request.tools !== undefined) {
    body.tools = request.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        ...(tool.parameters !== undefined ? { parameters: tool.parameters } : {}),
      },
    }))
  }
  if (request.toolChoice !== undefined) body.tool_choice = toolChoice(request.toolChoice)
  // The native stream always ends with token metrics, so include_usage needs nothing upstream.
  if (request.stream) body.stream = true
  return { ok: true, path: '/v1/chat/completions', body }
}
