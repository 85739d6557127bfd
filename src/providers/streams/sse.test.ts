import { describe, expect, it } from 'vitest'
import { chunkings } from '../../../test/fixtures/providers/helpers.js'
import { MAX_SSE_EVENT_BYTES, SseParser } from './sse.js'

interface Seen {
  event: string
  data: string
}

function parse(chunks: Buffer[]): Seen[] {
  const seen: Seen[] = []
  const parser = new SseParser((data, event) => seen.push({ event, data: data.toString('utf8') }))
  for (const chunk of chunks) parser.push(chunk)
  return seen
}

const cases: Array<[string, string, Seen[]]> = [
  ['LF line ends', 'data: {"a":1}\n\ndata: {"b":2}\n\n', [{ event: '', data: '{"a":1}' }, { event: '', data: '{"b":2}' }]],
  ['CRLF line ends', 'data: one\r\n\r\ndata: two\r\n\r\n', [{ event: '', data: 'one' }, { event: '', data: 'two' }]],
  ['lone CR line ends', 'data: one\r\rdata: two\r\r', [{ event: '', data: 'one' }, { event: '', data: 'two' }]],
  ['mixed line ends', 'data: one\r\n\ndata: two\r\r\ndata: three\n\r', [{ event: '', data: 'one' }, { event: '', data: 'two' }, { event: '', data: 'three' }]],
  ['multi-line data joined by LF', 'data: first\ndata: second\ndata:third\n\n', [{ event: '', data: 'first\nsecond\nthird' }]],
  [
    'event names, reset after each event',
    'event: response.created\ndata: {}\n\ndata: plain\n\n',
    [{ event: 'response.created', data: '{}' }, { event: '', data: 'plain' }],
  ],
  ['comments, id and retry ignored', ': keep-alive\nid: 7\nretry: 1000\ndata: x\n\n:\n\n', [{ event: '', data: 'x' }]],
  ['only one leading space stripped', 'data:  two spaces\n\n', [{ event: '', data: ' two spaces' }]],
  ['empty data line still dispatches', 'data:\n\ndata\n\n', [{ event: '', data: '' }, { event: '', data: '' }]],
  ['blank lines without data dispatch nothing', '\n\nevent: ping\n\n\n', []],
  ['unknown fields ignored', 'foo: bar\ndata: y\n\n', [{ event: '', data: 'y' }]],
  ['unterminated last event is not dispatched', 'data: done\n\ndata: partial\n', [{ event: '', data: 'done' }]],
  ['colons inside data kept', 'data: {"url":"http://x:1"}\n\n', [{ event: '', data: '{"url":"http://x:1"}' }]],
  ['multi-byte UTF-8', 'data: héllo ✓ 😀\n\n', [{ event: '', data: 'héllo ✓ 😀' }]],
  ['[DONE] sentinel is just data', 'data: [DONE]\n\n', [{ event: '', data: '[DONE]' }]],
]

describe('SseParser', () => {
  describe.each(cases)('%s', (_name, text, expected) => {
    it.each(chunkings(Buffer.from(text)))('%s', (_label, chunks) => {
      expect(parse(chunks)).toEqual(expected)
    })
  })

  it('copies what it keeps, so the caller may reuse its chunk', () => {
    const seen: string[] = []
    const parser = new SseParser((data) => seen.push(data.toString()))
    const chunk = Buffer.from('data: abc')
    parser.push(chunk)
    chunk.fill(0x78)
    parser.push(Buffer.from('def\ndata: ghi\n'))
    const second = Buffer.from('\n')
    parser.push(second)
    expect(seen).toEqual(['abcdef\nghi'])
  })

  it('joins CR and LF across chunks, even with empty chunks between', () => {
    expect(parse([Buffer.from('data: a\r'), Buffer.alloc(0), Buffer.from('\ndata: b\r'), Buffer.from('\n\r\n')])).toEqual([{ event: '', data: 'a\nb' }])
  })

  it('keeps a pending event whose data line ended in an earlier chunk', () => {
    const seen: string[] = []
    const parser = new SseParser((data) => seen.push(data.toString()))
    const chunk = Buffer.from('data: abc\n')
    parser.push(chunk)
    chunk.fill(0x78)
    parser.push(Buffer.from('\n'))
    expect(seen).toEqual(['abc'])
  })

  it('drops an event larger than the cap and carries on', () => {
    const seen: string[] = []
    const parser = new SseParser((data) => seen.push(data.toString()))
    const big = Buffer.alloc(1024 * 1024, 0x61)
    parser.push(Buffer.from('data: '))
    for (let sent = 0; sent <= MAX_SSE_EVENT_BYTES; sent += big.length) parser.push(big)
    parser.push(Buffer.from('\ndata: more\n\ndata: next\n\n'))
    expect(seen).toEqual(['next'])
  })

  it('drops an over-long line and the rest of its event, however the chunks fall', () => {
    const seen: string[] = []
    const parser = new SseParser((data) => seen.push(data.toString()))
    const big = Buffer.alloc(1024 * 1024, 0x61)
    parser.push(Buffer.from('data: first\ndata: '))
    // The last push overflows, so the line's end arrives alone and must not read as a blank line.
    for (let sent = 0; sent < MAX_SSE_EVENT_BYTES; sent += big.length) parser.push(big)
    parser.push(Buffer.from('\n'))
    parser.push(Buffer.from('data: same event\n\ndata: next\n\n'))
    expect(seen).toEqual(['next'])
  })
})
