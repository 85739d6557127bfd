// Chat chunks in, Responses events out, pure: the order and content of the events for text, tool
// calls, a cut answer and an error, whatever the split of the chat stream.
import { describe, expect, it } from 'vitest'
import type { ChatCompletion, ChatCompletionChunk } from '../types.js'
import { parseResponsesRequest } from './request.js'
import { responseFromCompletion } from './respond.js'
import { ResponsesStream } from './stream.js'

const IDENTITY = { id: 'resp_abc', createdAt: 1_700_000_000 }
const parsed = parseResponsesRequest({ model: 'vm', input: 'Hi' })
if (!parsed.ok) throw new Error(parsed.message)
const ECHO = parsed.echo

function chunk(delta: ChatCompletionChunk['choices'][0]['delta'], finish: ChatCompletionChunk['choices'][0]['finish_reason'] = null): string {
  const c: ChatCompletionChunk = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'vm', choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] }
  return `data: ${JSON.stringify(c)}\n\n`
}
const USAGE = `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'vm', choices: [], usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 } })}\n\n`
const DONE = 'data: [DONE]\n\n'

/** The events written for `text`, fed in pieces of `size` characters. */
function events(text: string, size = text.length): Array<{ event: string; data: Record<string, any> }> {
  const stream = new ResponsesStream(IDENTITY, ECHO)
  let out = ''
  for (let i = 0; i < text.length; i += size) out += stream.write(text.slice(i, i + size))
  return out
    .split('\n\n')
    .filter((frame) => frame !== '')
    .map((frame) => {
      const [event, data] = frame.split('\n')
      return { event: event!.slice(7), data: JSON.parse(data!.slice(6)) as Record<string, any> }
    })
}

const TEXT = chunk({ role: 'assistant', content: '' }) + chunk({ content: 'Hel' }) + chunk({ content: 'lo' }) + chunk({}, 'stop') + USAGE + DONE

describe('ResponsesStream', () => {
  it.each([1, 7, TEXT.length])('text, in pieces of %i characters', (size) => {
    const out = events(TEXT, size)
    expect(out.map((e) => e.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ])
    expect(out.map((e) => e.data.sequence_number)).toEqual(out.map((_e, i) => i))
    for (const e of out) expect(e.data.type).toBe(e.event)
    expect(out[0]!.data.response).toMatchObject({ id: 'resp_abc', status: 'in_progress', output: [], usage: null, model: 'vm' })
    expect(out[2]!.data).toMatchObject({ output_index: 0, item: { id: 'msg_abc_0', type: 'message', status: 'in_progress', content: [] } })
    expect(out[6]!.data).toMatchObject({ item_id: 'msg_abc_0', text: 'Hello' })
    const final = out.at(-1)!.data.response
    expect(final).toMatchObject({ status: 'completed', incomplete_details: null, usage: { input_tokens: 2, output_tokens: 3, total_tokens: 5 } })
    expect(final.output).toEqual([{ id: 'msg_abc_0', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello', annotations: [], logprobs: [] }] }])
  })

  it('text then two tool calls: the message closes, each call is its own item', () => {
    const text =
      chunk({ role: 'assistant', content: 'Checking.' }) +
      chunk({ tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'w', arguments: '' } }] }) +
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] }) +
      chunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }) +
      chunk({ tool_calls: [{ index: 1, id: 'c2', type: 'function', function: { name: 'v', arguments: '{}' } }] }) +
      chunk({}, 'tool_calls') +
      DONE
    const out = events(text)
    expect(out.map((e) => e.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ])
    const final = out.at(-1)!.data.response
    expect(final.output.map((o: Record<string, unknown>) => [o.type, o.id, o.call_id, o.arguments])).toEqual([
      ['message', 'msg_abc_0', undefined, undefined],
      ['function_call', 'fc_abc_1', 'c1', '{"a":1}'],
      ['function_call', 'fc_abc_2', 'c2', '{}'],
    ])
    // No usage chunk: the Response says null rather than a made-up count.
    expect(final.usage).toBeNull()
  })

  it('a cut answer is incomplete, for max_output_tokens', () => {
    const out = events(chunk({ content: 'Hi' }) + chunk({}, 'length') + DONE)
    expect(out.at(-1)!.event).toBe('response.incomplete')
    expect(out.at(-1)!.data.response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } })
  })

  it('a chat error event becomes an error event, and nothing follows', () => {
    const error = `data: ${JSON.stringify({ error: { message: 'bedrock: broke', type: 'server_error', code: 'SLUICE_ERR_UPSTREAM_INVALID', param: null } })}\n\n`
    const out = events(chunk({ content: 'Hi' }) + error + DONE)
    expect(out.at(-1)).toEqual({ event: 'error', data: { type: 'error', sequence_number: out.length - 1, code: 'SLUICE_ERR_UPSTREAM_INVALID', message: 'bedrock: broke', param: null } })
    expect(out.map((e) => e.event)).not.toContain('response.completed')
  })

  it('an event that is not JSON is an error', () => {
    const out = events('data: {nope\n\n')
    expect(out).toEqual([{ event: 'error', data: expect.objectContaining({ type: 'error', code: 'SLUICE_ERR_UPSTREAM_INVALID' }) }])
  })
})

describe('responseFromCompletion', () => {
  const completion = (message: ChatCompletion['choices'][0]['message'], finish: ChatCompletion['choices'][0]['finish_reason']): ChatCompletion => ({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'vm',
    choices: [{ index: 0, message, finish_reason: finish, logprobs: null }],
    usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6, prompt_tokens_details: { cached_tokens: 1 }, completion_tokens_details: { reasoning_tokens: 1 } },
  })

  it('text and a call, usage in the Responses names', () => {
    const response = responseFromCompletion(
      completion({ role: 'assistant', content: 'Sure.', refusal: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'w', arguments: '{}' } }] }, 'tool_calls'),
      IDENTITY,
      ECHO,
    )
    expect(response).toMatchObject({
      id: 'resp_abc',
      object: 'response',
      created_at: 1_700_000_000,
      status: 'completed',
      model: 'vm',
      output: [
        { id: 'msg_abc_0', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Sure.' }] },
        { id: 'fc_abc_1', type: 'function_call', status: 'completed', call_id: 'c1', name: 'w', arguments: '{}' },
      ],
      usage: { input_tokens: 4, input_tokens_details: { cached_tokens: 1 }, output_tokens: 2, output_tokens_details: { reasoning_tokens: 1 }, total_tokens: 6 },
    })
  })

  it.each([
    ['content_filter', 'incomplete', { reason: 'content_filter' }],
    ['length', 'incomplete', { reason: 'max_output_tokens' }],
    ['stop', 'completed', null],
  ] as const)('finish %s → %s', (finish, status, details) => {
    const response = responseFromCompletion(completion({ role: 'assistant', content: 'x', refusal: null }, finish), IDENTITY, ECHO)
    expect(response).toMatchObject({ status, incomplete_details: details })
  })

  it('no text and no calls: an empty output', () => {
    expect(responseFromCompletion(completion({ role: 'assistant', content: null, refusal: null }, 'stop'), IDENTITY, ECHO).output).toEqual([])
  })
})
