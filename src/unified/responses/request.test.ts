// The Responses request rewritten as a Chat Completions body, pure: each supported field's place
// in the chat body, and each refusal's message.
import { describe, expect, it } from 'vitest'
import { parseResponsesRequest } from './request.js'

const chatOf = (json: Record<string, unknown>): Record<string, unknown> => {
  const parsed = parseResponsesRequest({ model: 'vm', ...json })
  if (!parsed.ok) throw new Error(parsed.message)
  return parsed.chat
}

describe('parseResponsesRequest', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['a string input', { input: 'Hi' }, { model: 'vm', stream: false, messages: [{ role: 'user', content: 'Hi' }] }],
    [
      'instructions first, as a system message',
      { input: 'Hi', instructions: 'Be brief.' },
      { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] },
    ],
    [
      'sampling and length',
      { input: 'Hi', max_output_tokens: 10, temperature: 0.2, top_p: 0.9 },
      { max_completion_tokens: 10, temperature: 0.2, top_p: 0.9 },
    ],
    ['a stream asks for usage', { input: 'Hi', stream: true }, { stream: true, stream_options: { include_usage: true } }],
    [
      'content parts and images',
      { input: [{ role: 'user', content: [{ type: 'input_text', text: 'Look' }, { type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'low' }] }] },
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'Look' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } }] }] },
    ],
    [
      'a turn of text and two calls becomes one assistant message, then the results',
      {
        input: [
          { role: 'user', content: 'Weather?' },
          { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Checking.' }] },
          { type: 'function_call', call_id: 'c1', name: 'w', arguments: '{"city":"Paris"}' },
          { type: 'function_call', call_id: 'c2', name: 'w', arguments: '{"city":"Rome"}' },
          { type: 'function_call_output', call_id: 'c1', output: '21' },
          { type: 'function_call_output', call_id: 'c2', output: [{ type: 'input_text', text: '25' }] },
        ],
      },
      {
        messages: [
          { role: 'user', content: 'Weather?' },
          {
            role: 'assistant',
            content: [{ type: 'text', text: 'Checking.' }],
            tool_calls: [
              { id: 'c1', type: 'function', function: { name: 'w', arguments: '{"city":"Paris"}' } },
              { id: 'c2', type: 'function', function: { name: 'w', arguments: '{"city":"Rome"}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'c1', content: '21' },
          { role: 'tool', tool_call_id: 'c2', content: [{ type: 'text', text: '25' }] },
        ],
      },
    ],
    [
      'function tools and a forced choice',
      { input: 'Hi', tools: [{ type: 'function', name: 'w', description: 'd', parameters: { type: 'object' }, strict: true }], tool_choice: { type: 'function', name: 'w' }, parallel_tool_calls: false },
      {
        tools: [{ type: 'function', function: { name: 'w', description: 'd', parameters: { type: 'object' }, strict: true } }],
        tool_choice: { type: 'function', function: { name: 'w' } },
        parallel_tool_calls: false,
      },
    ],
    [
      'a JSON schema format',
      { input: 'Hi', text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } } },
      { response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } } },
    ],
    ['ignored fields', { input: 'Hi', store: true, include: ['x'], reasoning: { effort: 'low' }, user: 'u', truncation: 'auto' }, { messages: [{ role: 'user', content: 'Hi' }] }],
  ])('%s', (_name, json, expected) => {
    const chat = chatOf(json)
    expect(chat).toMatchObject(expected)
    if (_name === 'ignored fields') expect(Object.keys(chat).sort()).toEqual(['messages', 'model', 'stream'])
  })

  it('echoes what the Response repeats', () => {
    const parsed = parseResponsesRequest({ model: 'vm', input: 'Hi', instructions: 'I', max_output_tokens: 5, metadata: { k: 'v' }, tools: [{ type: 'function', name: 'w' }] })
    expect(parsed.ok && parsed.echo).toEqual({
      model: 'vm',
      stream: false,
      instructions: 'I',
      maxOutputTokens: 5,
      temperature: null,
      topP: null,
      toolChoice: 'auto',
      tools: [{ type: 'function', name: 'w' }],
      parallelToolCalls: true,
      text: { format: { type: 'text' } },
      metadata: { k: 'v' },
    })
  })

  it.each<[Record<string, unknown>, string]>([
    [{ input: 'x', previous_response_id: 'resp_1' }, '`previous_response_id`: Sluice stores no responses'],
    [{ input: 'x', conversation: 'conv_1' }, '`conversation`'],
    [{ input: 'x', prompt: { id: 'p' } }, 'reusable prompts'],
    [{ input: 'x', background: true }, 'background'],
    [{ input: [] }, '`input` must be a string or a non-empty array'],
    [{ input: [{ role: 'tool', content: 'x' }] }, 'input[0]: `role` must be'],
    [{ input: [{ role: 'user', content: [{ type: 'input_audio' }] }] }, 'input[0].content[0]: content type "input_audio"'],
    [{ input: [{ role: 'assistant', content: [{ type: 'input_image', image_url: 'u' }] }] }, 'images are accepted in user messages only'],
    [{ input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'f' }] }] }, 'not `file_id`'],
    [{ input: [{ type: 'function_call', name: 'w', arguments: '{}' }] }, '`call_id`'],
    [{ input: [{ type: 'function_call', call_id: 'c', name: 'w', arguments: {} }] }, '`arguments` must be a JSON string'],
    [{ input: [{ type: 'item_reference', id: 'x' }] }, 'item type "item_reference"'],
    [{ input: 'x', tools: [{ type: 'file_search' }] }, 'only `function` tools'],
    [{ input: 'x', tool_choice: { type: 'web_search' } }, '`tool_choice`'],
    [{ input: 'x', text: { format: { type: 'yaml' } } }, '`text.format.type`'],
    [{ input: 'x', max_output_tokens: 0 }, '`max_output_tokens`'],
    [{ input: 'x', stream: 'yes' }, '`stream`'],
    [{ input: 'x', metadata: { k: 1 } }, '`metadata`'],
  ])('refuses %j', (json, message) => {
    const parsed = parseResponsesRequest({ model: 'vm', ...json })
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.message).toContain(message)
  })
})
