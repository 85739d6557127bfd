import { describe, expect, it } from 'vitest'
import { attribution, cell, duration, table, time } from './format.js'
import { sinceTime } from './status.js'

describe('ctl formatting', () => {
  it('pads every column but the last, without trailing blanks', () => {
    expect(table(['A', 'LONGER', 'C'], [['xyz', '', ''], ['1', '2', 'three']])).toBe('A    LONGER  C\nxyz\n1    2       three\n')
  })

  it.each([
    [0, '0s'],
    [45, '45s'],
    [125, '2m 5s'],
    [7_500, '2h 5m'],
    [3 * 86_400 + 4 * 3_600 + 59, '3d 4h'],
    [86_400 + 30, '1d'],
  ])('duration(%d) is %s', (seconds, text) => {
    expect(duration(seconds)).toBe(text)
  })

  it('shortens times and renders unknown values', () => {
    expect(time('2025-03-01T12:34:56.789Z')).toBe('2025-03-01 12:34:56Z')
    expect(time('yesterday')).toBe('yesterday')
    expect([cell(null), cell(undefined), cell(''), cell(3), cell({ a: 1 })]).toEqual(['-', '-', '-', '3', '{"a":1}'])
    expect(attribution({ actor: 'ops', setAt: '2025-03-01T12:34:56Z', reason: 'why' })).toBe('ops at 2025-03-01 12:34:56Z: why')
    expect(attribution(null)).toBe('-')
  })

  it.each([
    ['30m', '2025-03-01T11:30:00.000Z'],
    ['2h', '2025-03-01T10:00:00.000Z'],
    ['7d', '2025-02-22T12:00:00.000Z'],
    ['2025-01-01', '2025-01-01T00:00:00.000Z'],
    ['2025-01-01T01:00:00+01:00', '2025-01-01T00:00:00.000Z'],
    ['soon', undefined],
  ])('--since %s → %s', (value, iso) => {
    expect(sinceTime(value, Date.parse('2025-03-01T12:00:00Z'))).toBe(iso)
  })
})
