import { describe, expect, it } from 'vitest'
import type { Usage, UsageReader } from '../core/wire.js'
import { UsageTally } from './usage-tally.js'

function reader(usage: Usage | undefined): UsageReader & { pushed: number } {
  return {
    pushed: 0,
    push() {
      this.pushed++
    },
    result: () => usage,
  }
}

const event = (text: string): Buffer => Buffer.from(`data: {"choices":[{"delta":{"content":${JSON.stringify(text)}}}]}\n\n`)

describe('UsageTally', () => {
  it('reports the reader’s usage, fed only when the sink does not read it itself', () => {
    const usage = { inputTokens: 3, outputTokens: 2, cachedTokens: 0, reasoningTokens: 0 }
    const fed = reader(usage)
    new UsageTally(fed, true, 10).push(event('hi'))
    expect(fed.pushed).toBe(1)
    const own = reader(usage)
    const tally = new UsageTally(own, false, 10)
    tally.push(event('hi'))
    expect(own.pushed).toBe(0)
    expect(tally.result()).toBe(usage)
  })

  it('estimates input from request bytes and output from answer text bytes, rounded up', () => {
    const tally = new UsageTally(reader(undefined), true, 41)
    tally.push(event('Hello'))
    tally.push(event(' world'))
    expect(tally.estimate(4)).toEqual({ inputTokens: 11, outputTokens: 3, cachedTokens: 0, reasoningTokens: 0 })
  })

  it('counts every chunk of a long answer, kept or already scanned, exactly once', () => {
    const tally = new UsageTally(reader(undefined), true, 0)
    const piece = 'x'.repeat(1000)
    for (let i = 0; i < 600; i++) tally.push(event(piece))
    expect(tally.estimate(1).outputTokens).toBe(600_000)
  })
})
