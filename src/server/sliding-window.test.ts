import { describe, expect, it } from 'vitest'
import { SlidingWindowCounter } from './sliding-window.js'

/** Feeds events at the given times; returns the index of the first one that exceeded, or -1. */
function firstExceeded(max: number, windowMs: number, times: readonly number[]): number {
  const counter = new SlidingWindowCounter(max, windowMs)
  return times.findIndex((at) => counter.exceeded(at))
}

describe('SlidingWindowCounter', () => {
  it.each([
    { name: 'max events in one instant pass', max: 3, windowMs: 1_000, times: [0, 0, 0], expected: -1 },
    { name: 'one more within the window exceeds', max: 3, windowMs: 1_000, times: [0, 0, 0, 999], expected: 3 },
    { name: 'the oldest leaving the window makes room', max: 3, windowMs: 1_000, times: [0, 10, 20, 1_000], expected: -1 },
    { name: 'a steady rate under the limit never exceeds', max: 2, windowMs: 1_000, times: [0, 500, 1_000, 1_500, 2_000, 2_500], expected: -1 },
    { name: 'a steady rate over the limit exceeds at once', max: 2, windowMs: 1_000, times: [0, 400, 800, 1_200], expected: 2 },
    { name: 'a burst after a quiet spell is judged on its own', max: 2, windowMs: 100, times: [0, 1, 5_000, 5_001, 5_002], expected: 4 },
    { name: 'max 1', max: 1, windowMs: 10, times: [0, 10, 19], expected: 2 },
  ])('$name', ({ max, windowMs, times, expected }) => {
    expect(firstExceeded(max, windowMs, times)).toBe(expected)
  })

  it('keeps exceeding while the flood lasts', () => {
    const counter = new SlidingWindowCounter(2, 1_000)
    expect([0, 1, 2, 3].map((at) => counter.exceeded(at))).toEqual([false, false, true, true])
  })
})
