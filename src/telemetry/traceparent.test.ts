// The W3C Trace Context `traceparent` header (https://www.w3.org/TR/trace-context/#traceparent-header):
// the specification's examples and its invalid cases; anything invalid is ignored, never an error.
import { describe, expect, it } from 'vitest'
import { parseTraceparent } from './traceparent.js'

describe('parseTraceparent', () => {
  it.each([
    ['the spec example, sampled', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 }],
    ['the spec example, not sampled', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00', { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 0 }],
    ['unknown flags bits kept', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09', { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 9 }],
    ['surrounding whitespace (OWS)', ' 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\t', { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 }],
    ['a later version with more fields', 'cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds', { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 }],
  ])('reads %s', (_name, header, expected) => {
    expect(parseTraceparent(header)).toEqual(expected)
  })

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['garbage', 'not a traceparent'],
    ['version ff (forbidden)', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['version 00 with extra fields', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra'],
    ['an all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['an all-zero parent id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['upper-case hex', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01'],
    ['a short trace id', '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01'],
    ['a long parent id', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7a-01'],
    ['a one-digit flags field', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1'],
    ['a non-hex character', '00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01'],
    ['two headers', ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b8-01']],
    ['a huge value', `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-${'x'.repeat(600)}`],
  ])('ignores %s', (_name, header) => {
    expect(parseTraceparent(header)).toBeUndefined()
  })
})
