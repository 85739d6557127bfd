// answerText on answers the emulators produce (text and tool calls) and on hand-written ones where they produce none.
import { describe, expect, it } from 'vitest'
import { createBedrockEmulator } from '../../../emulators/bedrock.js'
import { buildReply } from '../../../emulators/content.js'
import { createGeminiEmulator } from '../../../emulators/gemini.js'
import { createLlamaEmulator } from '../../../emulators/llama.js'
import { createOpenAIEmulator } from '../../../emulators/openai.js'
import { createVertexEmulator } from '../../../emulators/vertex.js'
import { DEFAULTS, type Plan } from '../../../emulators/script.js'
import type { EmulatorRequest, Reply } from '../../../emulators/server.js'
import { MAX_LEAF_DEPTH } from './collect.js'
import { answerText } from './index.js'
import { BODY_KINDS } from './test-support.js'
import type { BodyKind, TextPath, TextSegment } from './types.js'

const REQUEST: EmulatorRequest = { method: 'POST', path: '/', query: '', headers: {}, rawBody: Buffer.alloc(0) }
const ARGS = { city: 'Paris', when: { day: 'today', hours: [9, 17] } }
const TEXT_PLAN: Plan = DEFAULTS
const TOOL_PLAN: Plan = { ...DEFAULTS, toolCall: { name: 'weather', arguments: ARGS } }
const MODEL = 'emulated-model'
const TEXT = buildReply(MODEL, DEFAULTS.outputTokens, DEFAULTS.chunks, undefined).text
const CHAT = { model: MODEL, messages: [{ role: 'user', content: 'Hi' }] }

function json(reply: Reply): unknown {
  if (reply.kind !== 'json') throw new Error('expected a JSON reply')
  return JSON.parse(reply.body) as unknown
}

const openai = createOpenAIEmulator(undefined)
const llama = createLlamaEmulator(undefined)
const bedrock = createBedrockEmulator(undefined)
const vertex = createVertexEmulator(undefined)
const gemini = createGeminiEmulator(undefined)

const said = (path: TextPath, text: string): TextSegment => ({ path, text, role: 'assistant' })
/** The string leaves of ARGS under `at`, in order. */
const argLeaves = (at: TextPath): TextSegment[] => [said([...at, 'city'], 'Paris'), said([...at, 'when', 'day'], 'today')]

describe('answerText on emulated answers', () => {
  const rows: readonly (readonly [string, BodyKind, unknown, readonly TextSegment[]])[] = [
    ['openai chat text', 'openai-chat', json(openai.answer({ operation: 'chat.completions' }, CHAT, REQUEST, TEXT_PLAN)), [said(['choices', 0, 'message', 'content'], TEXT)]],
    [
      'openai chat tool call',
      'openai-chat',
      json(openai.answer({ operation: 'chat.completions' }, CHAT, REQUEST, TOOL_PLAN)),
      [said(['choices', 0, 'message', 'tool_calls', 0, 'function', 'arguments'], JSON.stringify(ARGS))],
    ],
    ['llama compat text', 'openai-chat', json(llama.answer({ operation: 'compat.chat.completions' }, CHAT, REQUEST, TEXT_PLAN)), [said(['choices', 0, 'message', 'content'], TEXT)]],
    ['responses text', 'openai-responses', json(openai.answer({ operation: 'responses' }, { model: MODEL, input: 'Hi' }, REQUEST, TEXT_PLAN)), [said(['output', 0, 'content', 0, 'text'], TEXT)]],
    [
      'converse text',
      'bedrock-converse',
      json(bedrock.answer({ operation: 'converse', modelId: MODEL }, { messages: [] }, REQUEST, TEXT_PLAN)),
      [said(['output', 'message', 'content', 0, 'text'], TEXT)],
    ],
    [
      'converse tool use',
      'bedrock-converse',
      json(bedrock.answer({ operation: 'converse', modelId: MODEL }, { messages: [] }, REQUEST, TOOL_PLAN)),
      argLeaves(['output', 'message', 'content', 0, 'toolUse', 'input']),
    ],
    [
      'invoke anthropic text',
      'bedrock-anthropic',
      json(bedrock.answer({ operation: 'invoke', modelId: MODEL }, { anthropic_version: 'bedrock-2023-05-31', messages: [] }, REQUEST, TEXT_PLAN)),
      [said(['content', 0, 'text'], TEXT)],
    ],
    [
      'vertex rawPredict anthropic text',
      'anthropic',
      json(vertex.answer({ operation: 'rawPredict', model: MODEL }, { anthropic_version: 'vertex-2023-10-16', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }, REQUEST, TEXT_PLAN)),
      [said(['content', 0, 'text'], TEXT)],
    ],
    [
      'gemini text',
      'gemini',
      json(gemini.answer({ operation: 'generateContent', model: MODEL }, { contents: [] }, REQUEST, TEXT_PLAN)),
      [said(['candidates', 0, 'content', 'parts', 0, 'text'], TEXT)],
    ],
    [
      'gemini function call',
      'gemini',
      json(gemini.answer({ operation: 'generateContent', model: MODEL }, { contents: [] }, REQUEST, TOOL_PLAN)),
      argLeaves(['candidates', 0, 'content', 'parts', 0, 'functionCall', 'args']),
    ],
    ['llama native text', 'llama', json(llama.answer({ operation: 'chat.completions' }, CHAT, REQUEST, TEXT_PLAN)), [said(['completion_message', 'content', 'text'], TEXT)]],
    [
      'llama native tool call',
      'llama',
      json(llama.answer({ operation: 'chat.completions' }, CHAT, REQUEST, TOOL_PLAN)),
      [said(['completion_message', 'tool_calls', 0, 'function', 'arguments'], JSON.stringify(ARGS))],
    ],
  ]
  it.each(rows)('%s', (_name, kind, body, segments) => {
    expect(answerText(kind, body)).toEqual(segments)
  })
})

describe('answerText on hand-written answers', () => {
  const rows: readonly (readonly [string, BodyKind, unknown, readonly TextSegment[]])[] = [
    [
      'openai chat refusal',
      'openai-chat',
      { choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: 'I can’t help with that.' }, finish_reason: 'stop' }] },
      [said(['choices', 0, 'message', 'refusal'], 'I can’t help with that.')],
    ],
    [
      'responses: reasoning skipped, text, refusal, function call',
      'openai-responses',
      {
        output: [
          { id: 'rs_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Thinking about it.' }] },
          { id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Here.', annotations: [] }, { type: 'refusal', refusal: 'Not that.' }] },
          { id: 'fc_1', type: 'function_call', call_id: 'call_1', name: 'lookup', arguments: '{"q":"x"}', status: 'completed' },
        ],
      },
      [said(['output', 1, 'content', 0, 'text'], 'Here.'), said(['output', 1, 'content', 1, 'refusal'], 'Not that.'), said(['output', 2, 'arguments'], '{"q":"x"}')],
    ],
    [
      'anthropic text and tool_use',
      'bedrock-anthropic',
      {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        content: [{ type: 'text', text: 'Let me check.' }, { type: 'tool_use', id: 'toolu_1', name: 'search', input: { query: 'cats', limit: 3 } }],
        stop_reason: 'tool_use',
      },
      [said(['content', 0, 'text'], 'Let me check.'), said(['content', 1, 'input', 'query'], 'cats')],
    ],
    ['anthropic legacy completion', 'bedrock-anthropic', { completion: ' Hello!', stop_reason: 'stop_sequence' }, [said(['completion'], ' Hello!')]],
    [
      'bedrock llama generation',
      'bedrock-llama',
      { generation: 'Hi there.', prompt_token_count: 10, generation_token_count: 3, stop_reason: 'stop' },
      [said(['generation'], 'Hi there.')],
    ],
    [
      'nova text and toolUse',
      'bedrock-nova',
      {
        output: { message: { role: 'assistant', content: [{ text: 'Tides follow the moon.' }, { toolUse: { toolUseId: 'n1', name: 'moon', input: { phase: 'full' } } }] } },
        stopReason: 'end_turn',
        usage: { inputTokens: 12, outputTokens: 6, totalTokens: 18 },
      },
      [said(['output', 'message', 'content', 0, 'text'], 'Tides follow the moon.'), said(['output', 'message', 'content', 1, 'toolUse', 'input', 'phase'], 'full')],
    ],
    [
      'titan results',
      'bedrock-titan',
      { inputTextTokenCount: 5, results: [{ tokenCount: 4, outputText: 'Why did the chicken', completionReason: 'FINISH' }] },
      [said(['results', 0, 'outputText'], 'Why did the chicken')],
    ],
    ['gemini prompt blocked before any candidate', 'gemini', { promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 4 } }, []],
  ]
  it.each(rows)('%s', (_name, kind, body, segments) => {
    expect(answerText(kind, body)).toEqual(segments)
  })

  const notOfShape: readonly (readonly [BodyKind, unknown])[] = [
    ...BODY_KINDS.flatMap((kind) => [[kind, null], [kind, 'text'], [kind, []], [kind, {}]] as const),
    ['openai-chat', { choices: {} }],
    ['openai-responses', { output: 'Hi' }],
    ['bedrock-converse', { output: { message: { content: 'Hi' } } }],
    ['bedrock-anthropic', { content: 'Hi' }],
    ['bedrock-llama', { generation: null }],
    ['bedrock-nova', { output: {} }],
    ['bedrock-titan', { results: { outputText: 'Hi' } }],
    ['gemini', { candidates: {} }],
    ['llama', { completion_message: 'Hi' }],
  ]
  it.each(notOfShape)('%s: undefined for %j', (kind, body) => {
    expect(answerText(kind, body)).toBeUndefined()
  })

  it('refuses function-call args nested past the depth limit rather than miss their text', () => {
    let args: unknown = 'deep secret'
    for (let i = 0; i <= MAX_LEAF_DEPTH; i++) args = { a: args }
    expect(answerText('gemini', { candidates: [{ content: { parts: [{ functionCall: { name: 'f', args } }] } }] })).toBeUndefined()
  })
})
