// The Vertex emulator refuses the Messages bodies Claude would refuse, so a translation test
// against it can fail the way it would against Vertex AI.
import { describe, expect, it } from 'vitest'
import { anthropicRequestProblem } from './anthropic-check.js'

const base = { anthropic_version: 'vertex-2023-10-16', max_tokens: 16 }
const tools = [{ name: 'f', input_schema: { type: 'object' } }]
const user = (content: unknown): object => ({ role: 'user', content })
const assistant = (content: unknown): object => ({ role: 'assistant', content })
const use = (id: string): object => ({ type: 'tool_use', id, name: 'f', input: {} })
const result = (id: string): object => ({ type: 'tool_result', tool_use_id: id, content: 'ok' })

describe('anthropicRequestProblem', () => {
  it.each<[string, Record<string, unknown>]>([
    ['plain', { ...base, messages: [user('Hi')] }],
    ['consecutive turns of one role (combined by Anthropic)', { ...base, messages: [user('a'), user([{ type: 'text', text: 'b' }])] }],
    ['a tool round trip, parallel results in one turn with text after', { ...base, tools, messages: [user('Hi'), assistant([use('a'), use('b')]), user([result('a'), result('b'), { type: 'text', text: 'go on' }])] }],
    ['results split over consecutive user messages', { ...base, tools, messages: [user('Hi'), assistant([use('a'), use('b')]), user([result('a')]), user([result('b')])] }],
    ['a last assistant turn with a call left open', { ...base, tools, messages: [user('Hi'), assistant([use('a')])] }],
  ])('takes %s', (_name, body) => {
    expect(anthropicRequestProblem(body)).toBeUndefined()
  })

  it.each<[string, Record<string, unknown>, string]>([
    ['no version', { max_tokens: 16, messages: [user('Hi')] }, 'anthropic_version: vertex-2023-10-16 is required'],
    ['a model in the body', { ...base, model: 'claude', messages: [user('Hi')] }, 'model: Extra inputs are not permitted'],
    ['no max_tokens', { anthropic_version: 'vertex-2023-10-16', messages: [user('Hi')] }, 'max_tokens: Field required (a positive integer)'],
    ['temperature above 1', { ...base, temperature: 1.2, messages: [user('Hi')] }, 'temperature: must be from 0 to 1'],
    ['an empty text block', { ...base, messages: [user([{ type: 'text', text: '' }])] }, 'messages.0: text content blocks must be non-empty'],
    ['a system role in messages', { ...base, messages: [{ role: 'system', content: 'x' }] }, 'messages.0.role: must be user or assistant'],
    ['tool blocks without tools', { ...base, messages: [user('Hi'), assistant([use('a')]), user([result('a')])] }, 'Requests which include `tool_use` or `tool_result` blocks must define tools.'],
    ['a call left unanswered', { ...base, tools, messages: [user('Hi'), assistant([use('a'), use('b')]), user([result('a')]), assistant('x')] }, 'tool_use ids were found without tool_result blocks immediately after: b'],
    ['a result answering no call', { ...base, tools, messages: [user('Hi'), assistant('x'), user([result('z')])] }, 'unexpected tool_use_id found in tool_result blocks: z'],
    ['a tool without an object schema', { ...base, tools: [{ name: 'f', input_schema: { type: 'string' } }], messages: [user('Hi')] }, 'tools: each tool needs a name and an input_schema of type object'],
    ['an unknown tool_choice', { ...base, tools, tool_choice: { type: 'required' }, messages: [user('Hi')] }, 'tool_choice: type must be auto, any, tool or none'],
  ])('refuses %s', (_name, body, problem) => {
    expect(anthropicRequestProblem(body)).toBe(problem)
  })
})
