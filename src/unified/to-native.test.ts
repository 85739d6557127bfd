import { describe, expect, it } from 'vitest'
import { parseChatRequest } from './parse-request.js'
import { toBedrock } from './to-bedrock.js'
import { toGemini } from './to-gemini.js'
import { toLlama } from './to-llama.js'
import type { ChatRequest } from './types.js'

function request(body: Record<string, unknown>): ChatRequest {
  const parsed = parseChatRequest({ model: 'smart', ...body })
  if (!parsed.ok) throw new Error(parsed.message)
  return parsed.request
}

const hi = [{ role: 'user', content: 'Hi' }]
const weather = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
}
const toolHistory = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Weather in Paris and Rome?' },
  {
    role: 'assistant',
    content: null,
    tool_calls: [
      { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
    ],
  },
  { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
  { role: 'tool', tool_call_id: 'call_2', content: 'sunny' },
]

describe('parseChatRequest', () => {
  it.each([
    ['minimal', { messages: hi }, { model: 'smart', messages: [{ role: 'user', content: 'Hi' }], stream: false, includeUsage: false }],
    [
      'sampling, stop string, max_completion_tokens wins',
      { messages: hi, temperature: 0.2, top_p: 0.9, stop: 'END', max_tokens: 10, max_completion_tokens: 20 },
      { model: 'smart', messages: [{ role: 'user', content: 'Hi' }], stream: false, includeUsage: false, maxTokens: 20, temperature: 0.2, topP: 0.9, stop: ['END'] },
    ],
    [
      'stream with usage',
      { messages: hi, stream: true, stream_options: { include_usage: true } },
      { model: 'smart', messages: [{ role: 'user', content: 'Hi' }], stream: true, includeUsage: true },
    ],
    [
      'legacy functions and function_call',
      { messages: hi, functions: [{ name: 'f' }], function_call: { name: 'f' } },
      { model: 'smart', messages: [{ role: 'user', content: 'Hi' }], stream: false, includeUsage: false, tools: [{ name: 'f' }], toolChoice: { name: 'f' } },
    ],
    [
      'a JSON response_format is kept, text is the default',
      { messages: hi, response_format: { type: 'json_object' } },
      { model: 'smart', messages: [{ role: 'user', content: 'Hi' }], stream: false, includeUsage: false, responseFormat: 'json_object' },
    ],
    ['response_format text', { messages: hi, response_format: { type: 'text' } }, { model: 'smart', messages: [{ role: 'user', content: 'Hi' }], stream: false, includeUsage: false }],
  ])('%s', (_name, body, expected) => {
    expect(parseChatRequest({ model: 'smart', ...body })).toEqual({ ok: true, request: expected })
  })

  it.each([
    ['not an object', [], 'The body must be a JSON object.'],
    ['no model', { messages: hi }, '`model` must be a non-empty string.'],
    ['no messages', { model: 'm', messages: [] }, '`messages` must be a non-empty array.'],
    ['n > 1', { model: 'm', messages: hi, n: 2 }, '`n` other than 1 is not supported by the unified endpoint.'],
    ['temperature range', { model: 'm', messages: hi, temperature: 3 }, '`temperature` must be a number from 0 to 2.'],
    ['fractional tokens', { model: 'm', messages: hi, max_tokens: 1.5 }, '`max_tokens` must be a positive integer.'],
    ['bad stop', { model: 'm', messages: hi, stop: [1] }, '`stop` must be a string or an array of strings.'],
    ['unknown role', { model: 'm', messages: [{ role: 'function', content: 'x' }] }, 'messages[0]: role "function" is not supported (system, developer, user, assistant, tool).'],
    [
      'audio part',
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] },
      'messages[0]: a `input_audio` part is not supported by the unified endpoint (text and image_url only).',
    ],
    ['tool without id', { model: 'm', messages: [{ role: 'tool', content: 'x' }] }, 'messages[0]: a tool message needs `tool_call_id`.'],
    ['empty assistant', { model: 'm', messages: [{ role: 'assistant', content: null }] }, 'messages[0]: an assistant message needs `content` or `tool_calls`.'],
    ['non-function tool', { model: 'm', messages: hi, tools: [{ type: 'web_search' }] }, 'tools[0]: only `function` tools are supported.'],
    ['bad tool_choice', { model: 'm', messages: hi, tool_choice: 'sometimes' }, '`tool_choice` must be none, auto, required or {type: "function", function: {name}}.'],
  ])('refuses %s', (_name, body, message) => {
    expect(parseChatRequest(body)).toEqual({ ok: false, message })
  })
})

describe('toBedrock', () => {
  it.each([
    ['plain', { messages: hi }, '/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse', { messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }],
    [
      'system, developer, parameters, streaming',
      {
        messages: [{ role: 'system', content: 'A' }, { role: 'developer', content: [{ type: 'text', text: 'B' }] }, ...hi],
        stream: true,
        max_tokens: 100,
        temperature: 0.5,
        top_p: 0.8,
        stop: ['x', 'y'],
      },
      '/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream',
      {
        messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
        system: [{ text: 'A' }, { text: 'B' }],
        inferenceConfig: { maxTokens: 100, temperature: 0.5, topP: 0.8, stopSequences: ['x', 'y'] },
      },
    ],
    [
      'tool history with parallel results merged into one user turn',
      { messages: toolHistory, tools: [weather], tool_choice: 'required' },
      '/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse',
      {
        system: [{ text: 'Be brief.' }],
        messages: [
          { role: 'user', content: [{ text: 'Weather in Paris and Rome?' }] },
          {
            role: 'assistant',
            content: [
              { toolUse: { toolUseId: 'call_1', name: 'get_weather', input: { city: 'Paris' } } },
              { toolUse: { toolUseId: 'call_2', name: 'get_weather', input: { city: 'Rome' } } },
            ],
          },
          {
            role: 'user',
            content: [
              { toolResult: { toolUseId: 'call_1', content: [{ text: '{"temp":21}' }] } },
              { toolResult: { toolUseId: 'call_2', content: [{ text: 'sunny' }] } },
            ],
          },
        ],
        toolConfig: {
          tools: [{ toolSpec: { name: 'get_weather', description: 'Weather now', inputSchema: { json: weather.function.parameters } } }],
          toolChoice: { any: {} },
        },
      },
    ],
    [
      'named tool choice, tool without parameters',
      { messages: hi, tools: [{ type: 'function', function: { name: 'now' } }], tool_choice: { type: 'function', function: { name: 'now' } } },
      '/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse',
      {
        messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
        toolConfig: { tools: [{ toolSpec: { name: 'now', inputSchema: { json: { type: 'object', properties: {} } } } }], toolChoice: { tool: { name: 'now' } } },
      },
    ],
    ['tool_choice none drops tools', { messages: hi, tools: [weather], tool_choice: 'none' }, '/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse', { messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }],
    [
      'inline image',
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'What?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBOR' } }] }] },
      '/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse',
      { messages: [{ role: 'user', content: [{ text: 'What?' }, { image: { format: 'png', source: { bytes: 'iVBOR' } } }] }] },
    ],
  ])('%s', (_name, body, path, expected) => {
    expect(toBedrock(request(body), 'anthropic.claude-3-haiku-20240307-v1:0')).toEqual({ ok: true, path, body: expected })
  })

  it.each([
    [
      'remote image',
      { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/cat.png' } }] }] },
      'Bedrock Converse takes images only as base64 data URLs (png, jpeg, gif, webp); remote image URLs cannot be translated.',
    ],
    [
      'arguments not JSON',
      { messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{' } }] }] },
      'Tool call c has arguments that are not a JSON object.',
    ],
  ])('refuses %s', (_name, body, message) => {
    expect(toBedrock(request(body), 'm')).toEqual({ ok: false, message })
  })
})

describe('toGemini', () => {
  it.each([
    ['plain', 'gemini-2.5-flash', { messages: hi }, '/v1beta/models/gemini-2.5-flash:generateContent', { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] }],
    [
      'system, parameters, streaming',
      'gemini-2.5-flash',
      { messages: [{ role: 'system', content: 'A' }, ...hi, { role: 'assistant', content: 'Hello' }], stream: true, max_completion_tokens: 50, temperature: 1, top_p: 0.5, stop: 'END' },
      '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
      {
        contents: [
          { role: 'user', parts: [{ text: 'Hi' }] },
          { role: 'model', parts: [{ text: 'Hello' }] },
        ],
        systemInstruction: { parts: [{ text: 'A' }] },
        generationConfig: { maxOutputTokens: 50, temperature: 1, topP: 0.5, stopSequences: ['END'] },
      },
    ],
    [
      'tool history: results named by the call they answer',
      'tunedModels/mine',
      { messages: toolHistory, tools: [weather], tool_choice: { type: 'function', function: { name: 'get_weather' } } },
      '/v1beta/tunedModels/mine:generateContent',
      {
        systemInstruction: { parts: [{ text: 'Be brief.' }] },
        contents: [
          { role: 'user', parts: [{ text: 'Weather in Paris and Rome?' }] },
          {
            role: 'model',
            parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }, { functionCall: { name: 'get_weather', args: { city: 'Rome' } } }],
          },
          {
            role: 'user',
            parts: [
              { functionResponse: { name: 'get_weather', response: { temp: 21 } } },
              { functionResponse: { name: 'get_weather', response: { content: 'sunny' } } },
            ],
          },
        ],
        tools: [{ functionDeclarations: [{ name: 'get_weather', description: 'Weather now', parametersJsonSchema: weather.function.parameters }] }],
        toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
      },
    ],
    [
      'tool_choice none, inline image',
      'gemini-2.5-flash',
      { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/' } }] }], tools: [weather], tool_choice: 'none' },
      '/v1beta/models/gemini-2.5-flash:generateContent',
      {
        contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'image/jpeg', data: '/9j/' } }] }],
        tools: [{ functionDeclarations: [{ name: 'get_weather', description: 'Weather now', parametersJsonSchema: weather.function.parameters }] }],
        toolConfig: { functionCallingConfig: { mode: 'NONE' } },
      },
    ],
  ])('%s', (_name, model, body, path, expected) => {
    expect(toGemini(request(body), model)).toEqual({ ok: true, path, body: expected })
  })

  it.each([
    ['orphan tool result', { messages: [...hi, { role: 'tool', tool_call_id: 'nope', content: 'x' }] }, 'Tool result nope answers no earlier assistant tool call; Gemini needs the function name.'],
    [
      'remote image',
      { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/cat.png' } }] }] },
      'Gemini takes images here only as base64 data URLs; remote image URLs cannot be translated.',
    ],
  ])('refuses %s', (_name, body, message) => {
    expect(toGemini(request(body), 'gemini-2.5-flash')).toEqual({ ok: false, message })
  })
})

describe('toLlama', () => {
  it.each([
    ['plain', { messages: hi }, { model: 'Llama-4-Maverick', messages: [{ role: 'user', content: 'Hi' }] }],
    [
      'image by URL, detail dropped',
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'What?' }, { type: 'image_url', image_url: { url: 'https://x/cat.png', detail: 'low' } }] }] },
      { model: 'Llama-4-Maverick', messages: [{ role: 'user', content: [{ type: 'text', text: 'What?' }, { type: 'image_url', image_url: { url: 'https://x/cat.png' } }] }] },
    ],
    [
      'developer as system, parameters, stream',
      { messages: [{ role: 'developer', content: 'A' }, ...hi], max_tokens: 9, temperature: 0, top_p: 1, stream: true, stream_options: { include_usage: true } },
      {
        model: 'Llama-4-Maverick',
        messages: [
          { role: 'system', content: 'A' },
          { role: 'user', content: 'Hi' },
        ],
        max_completion_tokens: 9,
        temperature: 0,
        top_p: 1,
        stream: true,
      },
    ],
    [
      'tool history and tools',
      { messages: toolHistory.slice(1, 4), tools: [weather], tool_choice: { type: 'function', function: { name: 'get_weather' } } },
      {
        model: 'Llama-4-Maverick',
        messages: [
          { role: 'user', content: 'Weather in Paris and Rome?' },
          {
            role: 'assistant',
            content: '',
            tool_calls: [
              { id: 'call_1', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              { id: 'call_2', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
        ],
        tools: [weather],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
      },
    ],
  ])('%s', (_name, body, expected) => {
    expect(toLlama(request(body), 'Llama-4-Maverick')).toEqual({ ok: true, path: '/v1/chat/completions', body: expected })
  })

  it('refuses stop sequences', () => {
    expect(toLlama(request({ messages: hi, stop: 'x' }), 'Llama-4-Maverick')).toEqual({ ok: false, message: 'The Llama API has no stop sequences; `stop` cannot be translated.' })
  })
})
