// Test support for the text extraction tests (excluded from the build): a hand-written request
// body per kind, shaped as each provider's API reference and src/emulators show them, with every
// system prompt, content-part, tool-call and tool-result form, and the segments expected in order.
import type { BodyKind, Role, TextPath, TextSegment } from './types.js'

export interface RequestCase {
  readonly name: string
  readonly kind: BodyKind
  readonly body: unknown
  readonly messages: number
  readonly segments: readonly TextSegment[]
}

const seg = (path: TextPath, text: string, role: Role): TextSegment => ({ path, text, role })

const chat: RequestCase = {
  name: 'chat: developer/system, text and media parts, tool call and result, refusal',
  kind: 'openai-chat',
  body: {
    model: 'gpt-4o',
    messages: [
      { role: 'developer', content: 'Be terse.' },
      { role: 'system', content: [{ type: 'text', text: 'No secrets.' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Look at this' },
          { type: 'image_url', image_url: { url: 'https://example.com/y.png', detail: 'low' } },
          { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
          { type: 'file', file: { file_id: 'file-1' } },
          { type: 'text', text: 'and this' },
        ],
      },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"weather"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'Sunny, 21C' },
      { role: 'assistant', content: [{ type: 'text', text: 'It is sunny.' }, { type: 'refusal', refusal: 'Cannot share that.' }] },
      { role: 'user', content: '' },
    ],
  },
  messages: 5,
  segments: [
    seg(['messages', 0, 'content'], 'Be terse.', 'system'),
    seg(['messages', 1, 'content', 0, 'text'], 'No secrets.', 'system'),
    seg(['messages', 2, 'content', 0, 'text'], 'Look at this', 'user'),
    seg(['messages', 2, 'content', 4, 'text'], 'and this', 'user'),
    seg(['messages', 3, 'tool_calls', 0, 'function', 'arguments'], '{"q":"weather"}', 'assistant'),
    seg(['messages', 4, 'content'], 'Sunny, 21C', 'tool'),
    seg(['messages', 5, 'content', 0, 'text'], 'It is sunny.', 'assistant'),
    seg(['messages', 5, 'content', 1, 'refusal'], 'Cannot share that.', 'assistant'),
  ],
}

const responses: RequestCase = {
  name: 'responses: instructions, message items, function and custom tool calls and outputs',
  kind: 'openai-responses',
  body: {
    model: 'gpt-4.1',
    instructions: 'You are a pirate.',
    input: [
      { role: 'developer', content: 'Answer in English.' },
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_text', text: 'What is in the file?' },
          { type: 'input_image', image_url: 'https://example.com/y.png', detail: 'auto' },
          { type: 'input_file', file_id: 'file-1' },
        ],
      },
      { type: 'function_call', call_id: 'call_1', name: 'read_file', arguments: '{"name":"notes.txt"}' },
      { type: 'function_call_output', call_id: 'call_1', output: 'Meeting at noon.' },
      { role: 'assistant', content: [{ type: 'output_text', text: 'A meeting.' }] },
      { type: 'reasoning', id: 'rs_1', summary: [] },
      { type: 'custom_tool_call', call_id: 'call_2', name: 'grep', input: 'noon' },
      { type: 'custom_tool_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: 'line 3' }] },
    ],
  },
  messages: 7,
  segments: [
    seg(['instructions'], 'You are a pirate.', 'system'),
    seg(['input', 0, 'content'], 'Answer in English.', 'system'),
    seg(['input', 1, 'content', 0, 'text'], 'What is in the file?', 'user'),
    seg(['input', 2, 'arguments'], '{"name":"notes.txt"}', 'assistant'),
    seg(['input', 3, 'output'], 'Meeting at noon.', 'tool'),
    seg(['input', 4, 'content', 0, 'text'], 'A meeting.', 'assistant'),
    seg(['input', 6, 'input'], 'noon', 'assistant'),
    seg(['input', 7, 'output', 0, 'text'], 'line 3', 'tool'),
  ],
}

const responsesString: RequestCase = {
  name: 'responses: string input and stored prompt variables',
  kind: 'openai-responses',
  body: {
    model: 'gpt-4.1',
    input: 'Tell me a story.',
    prompt: { id: 'pmpt_1', variables: { city: 'Lisbon', note: { type: 'input_text', text: 'rainy' }, photo: { type: 'input_image', file_id: 'file-2' } } },
  },
  messages: 1,
  segments: [
    seg(['input'], 'Tell me a story.', 'user'),
    seg(['prompt', 'variables', 'city'], 'Lisbon', 'user'),
    seg(['prompt', 'variables', 'note', 'text'], 'rainy', 'user'),
  ],
}

const converse: RequestCase = {
  name: 'converse: system blocks, media, toolUse input leaves, toolResult text and json',
  kind: 'bedrock-converse',
  body: {
    system: [{ text: 'You are a helpful bot.' }, { cachePoint: { type: 'default' } }, { guardContent: { text: { text: 'Policy text' } } }],
    messages: [
      {
        role: 'user',
        content: [
          { text: 'What is the weather?' },
          { image: { format: 'png', source: { bytes: 'iVBORw0KGgo=' } } },
          { document: { format: 'txt', name: 'notes', source: { bytes: 'aGk=' } } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { text: 'Checking.' },
          { toolUse: { toolUseId: 'tooluse_1', name: 'weather', input: { city: 'Paris', units: ['metric', 'kelvin'], days: 3, nested: { note: 'rain?' } } } },
        ],
      },
      { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_1', content: [{ text: 'Rain' }, { json: { high: '12C', low: 4 } }], status: 'success' } }] },
    ],
    inferenceConfig: { maxTokens: 100 },
  },
  messages: 3,
  segments: [
    seg(['system', 0, 'text'], 'You are a helpful bot.', 'system'),
    seg(['system', 2, 'guardContent', 'text', 'text'], 'Policy text', 'system'),
    seg(['messages', 0, 'content', 0, 'text'], 'What is the weather?', 'user'),
    seg(['messages', 1, 'content', 0, 'text'], 'Checking.', 'assistant'),
    seg(['messages', 1, 'content', 1, 'toolUse', 'input', 'city'], 'Paris', 'assistant'),
    seg(['messages', 1, 'content', 1, 'toolUse', 'input', 'units', 0], 'metric', 'assistant'),
    seg(['messages', 1, 'content', 1, 'toolUse', 'input', 'units', 1], 'kelvin', 'assistant'),
    seg(['messages', 1, 'content', 1, 'toolUse', 'input', 'nested', 'note'], 'rain?', 'assistant'),
    seg(['messages', 2, 'content', 0, 'toolResult', 'content', 0, 'text'], 'Rain', 'tool'),
    seg(['messages', 2, 'content', 0, 'toolResult', 'content', 1, 'json', 'high'], '12C', 'tool'),
  ],
}

const conversePrompt: RequestCase = {
  name: 'converse: a managed prompt’s promptVariables',
  kind: 'bedrock-converse',
  body: { promptVariables: { topic: { text: 'volcanoes' } } },
  messages: 0,
  segments: [seg(['promptVariables', 'topic', 'text'], 'volcanoes', 'user')],
}

const anthropic: RequestCase = {
  name: 'anthropic: system blocks, thinking skipped, tool_use input, tool_result blocks and string',
  kind: 'bedrock-anthropic',
  body: {
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: 512,
    system: [{ type: 'text', text: 'Be kind.' }, { type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
    messages: [
      { role: 'user', content: 'Hi there' },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'The user greets me.', signature: 'c2ln' },
          { type: 'text', text: 'Let me look.' },
          { type: 'tool_use', id: 'toolu_1', name: 'search', input: { query: 'cats' } },
        ],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'toolu_1',
            content: [{ type: 'text', text: 'Cats are mammals.' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }],
          },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: 'plain result' },
          { type: 'text', text: 'Thanks' },
        ],
      },
    ],
  },
  messages: 3,
  segments: [
    seg(['system', 0, 'text'], 'Be kind.', 'system'),
    seg(['system', 1, 'text'], 'Be brief.', 'system'),
    seg(['messages', 0, 'content'], 'Hi there', 'user'),
    seg(['messages', 1, 'content', 1, 'text'], 'Let me look.', 'assistant'),
    seg(['messages', 1, 'content', 2, 'input', 'query'], 'cats', 'assistant'),
    seg(['messages', 2, 'content', 0, 'content', 0, 'text'], 'Cats are mammals.', 'tool'),
    seg(['messages', 2, 'content', 1, 'content'], 'plain result', 'tool'),
    seg(['messages', 2, 'content', 2, 'text'], 'Thanks', 'user'),
  ],
}

const anthropicString: RequestCase = {
  name: 'anthropic: a string system prompt',
  kind: 'bedrock-anthropic',
  body: { anthropic_version: 'bedrock-2023-05-31', max_tokens: 64, system: 'Be kind.', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] },
  messages: 1,
  segments: [seg(['system'], 'Be kind.', 'system'), seg(['messages', 0, 'content', 0, 'text'], 'Hi', 'user')],
}

const vertexAnthropic: RequestCase = {
  name: 'anthropic on Vertex: the same messages body, vertex-2023-10-16',
  kind: 'anthropic',
  body: { anthropic_version: 'vertex-2023-10-16', max_tokens: 64, system: 'Be kind.', messages: [{ role: 'user', content: 'Hi' }], stream: true },
  messages: 1,
  segments: [seg(['system'], 'Be kind.', 'system'), seg(['messages', 0, 'content'], 'Hi', 'user')],
}

const anthropicLegacy: RequestCase = {
  name: 'anthropic: a legacy text completion prompt (Claude v2, Instant)',
  kind: 'bedrock-anthropic',
  body: { prompt: '\n\nHuman: Hello\n\nAssistant:', max_tokens_to_sample: 100 },
  messages: 1,
  segments: [seg(['prompt'], '\n\nHuman: Hello\n\nAssistant:', 'user')],
}

const llamaPrompt = '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\nHello<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n'
const bedrockLlama: RequestCase = {
  name: 'bedrock llama: the templated prompt',
  kind: 'bedrock-llama',
  body: { prompt: llamaPrompt, max_gen_len: 128, temperature: 0.5 },
  messages: 1,
  segments: [seg(['prompt'], llamaPrompt, 'user')],
}

const nova: RequestCase = {
  name: 'nova: system, text and image, toolUse, toolResult json',
  kind: 'bedrock-nova',
  body: {
    schemaVersion: 'messages-v1',
    system: [{ text: 'Act as a tutor.' }],
    messages: [
      { role: 'user', content: [{ text: 'Explain tides.' }, { image: { format: 'jpeg', source: { bytes: '/9j/4AAQ' } } }] },
      { role: 'assistant', content: [{ toolUse: { toolUseId: 'n1', name: 'moon', input: { phase: 'full' } } }] },
      { role: 'user', content: [{ toolResult: { toolUseId: 'n1', content: [{ json: { distance: '384,400 km' } }] } }] },
    ],
    inferenceConfig: { max_new_tokens: 300 },
  },
  messages: 3,
  segments: [
    seg(['system', 0, 'text'], 'Act as a tutor.', 'system'),
    seg(['messages', 0, 'content', 0, 'text'], 'Explain tides.', 'user'),
    seg(['messages', 1, 'content', 0, 'toolUse', 'input', 'phase'], 'full', 'assistant'),
    seg(['messages', 2, 'content', 0, 'toolResult', 'content', 0, 'json', 'distance'], '384,400 km', 'tool'),
  ],
}

const titan: RequestCase = {
  name: 'titan: inputText',
  kind: 'bedrock-titan',
  body: { inputText: 'User: Tell me a joke\nBot:', textGenerationConfig: { maxTokenCount: 100, temperature: 0.7 } },
  messages: 1,
  segments: [seg(['inputText'], 'User: Tell me a joke\nBot:', 'user')],
}

const gemini: RequestCase = {
  name: 'gemini: systemInstruction, media parts, functionCall args, functionResponse response',
  kind: 'gemini',
  body: {
    systemInstruction: { parts: [{ text: 'You are a poet.' }] },
    contents: [
      {
        role: 'user',
        parts: [
          { text: 'Write about the sea.' },
          { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
          { fileData: { mimeType: 'application/pdf', fileUri: 'gs://bucket/file.pdf' } },
        ],
      },
      { role: 'model', parts: [{ functionCall: { name: 'rhyme', args: { word: 'sea', options: { max: 3, style: 'slant' } } } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'rhyme', response: { rhymes: ['free', 'tree'] } } }] },
      { role: 'model', parts: [{ text: 'The sea is free.' }] },
    ],
    generationConfig: { maxOutputTokens: 100 },
  },
  messages: 4,
  segments: [
    seg(['systemInstruction', 'parts', 0, 'text'], 'You are a poet.', 'system'),
    seg(['contents', 0, 'parts', 0, 'text'], 'Write about the sea.', 'user'),
    seg(['contents', 1, 'parts', 0, 'functionCall', 'args', 'word'], 'sea', 'assistant'),
    seg(['contents', 1, 'parts', 0, 'functionCall', 'args', 'options', 'style'], 'slant', 'assistant'),
    seg(['contents', 2, 'parts', 0, 'functionResponse', 'response', 'rhymes', 0], 'free', 'tool'),
    seg(['contents', 2, 'parts', 0, 'functionResponse', 'response', 'rhymes', 1], 'tree', 'tool'),
    seg(['contents', 3, 'parts', 0, 'text'], 'The sea is free.', 'assistant'),
  ],
}

const geminiSnake: RequestCase = {
  name: 'gemini: proto JSON snake_case fields',
  kind: 'gemini',
  body: {
    system_instruction: { parts: [{ text: 'Be brief.' }] },
    contents: [{ role: 'user', parts: [{ text: 'Hi' }, { function_response: { name: 'f', response: { ok: 'yes' } } }] }],
  },
  messages: 1,
  segments: [
    seg(['system_instruction', 'parts', 0, 'text'], 'Be brief.', 'system'),
    seg(['contents', 0, 'parts', 0, 'text'], 'Hi', 'user'),
    seg(['contents', 0, 'parts', 1, 'function_response', 'response', 'ok'], 'yes', 'tool'),
  ],
}

const llama: RequestCase = {
  name: 'llama native: text items, an image, a single content item, tool call and result',
  kind: 'llama',
  body: {
    model: 'Llama-4-Maverick-17B-128E-Instruct-FP8',
    messages: [
      { role: 'system', content: [{ type: 'text', text: 'Be helpful.' }] },
      { role: 'user', content: [{ type: 'text', text: 'Describe this' }, { type: 'image_url', image_url: { url: 'https://example.com/barn.png' } }] },
      {
        role: 'assistant',
        content: { type: 'text', text: 'Calling a tool.' },
        stop_reason: 'tool_calls',
        tool_calls: [{ id: 'call_1', function: { name: 'describe', arguments: '{"detail":"high"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'A red barn.' },
    ],
    max_completion_tokens: 100,
  },
  messages: 3,
  segments: [
    seg(['messages', 0, 'content', 0, 'text'], 'Be helpful.', 'system'),
    seg(['messages', 1, 'content', 0, 'text'], 'Describe this', 'user'),
    seg(['messages', 2, 'content', 'text'], 'Calling a tool.', 'assistant'),
    seg(['messages', 2, 'tool_calls', 0, 'function', 'arguments'], '{"detail":"high"}', 'assistant'),
    seg(['messages', 3, 'content'], 'A red barn.', 'tool'),
  ],
}

export const REQUEST_CASES: readonly RequestCase[] = [
  chat,
  responses,
  responsesString,
  converse,
  conversePrompt,
  anthropic,
  anthropicString,
  anthropicLegacy,
  vertexAnthropic,
  bedrockLlama,
  nova,
  titan,
  gemini,
  geminiSnake,
  llama,
]

export const BODY_KINDS: readonly BodyKind[] = [
  'openai-chat',
  'openai-responses',
  'bedrock-converse',
  'bedrock-anthropic',
  'anthropic',
  'bedrock-llama',
  'bedrock-nova',
  'bedrock-titan',
  'gemini',
  'llama',
]
