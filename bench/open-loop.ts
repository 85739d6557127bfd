// An evenly paced open-loop load generator. autocannon's `-R` fires each second's quota in a burst,
// which measures queueing, not the proxy; here request i is due at t0 + i/rate and its latency is
// measured from that due time (so a stall is charged to every request it delays: no coordinated
// omission). Bounded by count and time.
import { Pool } from 'undici'

export interface OpenLoopResult {
  readonly sent: number
  readonly errors: number
  readonly p50Ms: number
  readonly p99Ms: number
  /** Every request's latency (ms), sorted. */
  readonly latencies: number[]
}

export async function openLoop(
  url: string,
  headers: Record<string, string>,
  body: string,
  ratePerSecond: number,
  seconds: number,
): Promise<OpenLoopResult> {
  const target = new URL(url)
  const pool = new Pool(target.origin, { connections: 64, pipelining: 1 })
  const total = Math.round(ratePerSecond * seconds)
  const intervalMs = 1000 / ratePerSecond
  const latencies: number[] = []
  let errors = 0
  let completed = 0
  const start = performance.now()
  const deadline = start + seconds * 1000 + 10_000
  let next = 0

  await new Promise<void>((resolve) => {
    const finishOne = (due: number, ok: boolean): void => {
      latencies.push(performance.now() - due)
      if (!ok) errors++
      if (++completed === total) resolve()
    }
    const tick = (): void => {
      const now = performance.now()
      while (next < total && start + next * intervalMs <= now) {
        const due = start + next++ * intervalMs
        pool
          .request({ method: 'POST', path: target.pathname, headers, body })
          .then(async (res) => {
            await res.body.dump()
            finishOne(due, res.statusCode === 200)
          })
          .catch(() => finishOne(due, false))
      }
      if (next < total && now < deadline) setTimeout(tick, Math.max(0, start + next * intervalMs - performance.now()))
    }
    tick()
    setTimeout(resolve, deadline - start).unref()
  })
  await pool.close()
  const sorted = latencies.sort((a, b) => a - b)
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
  return { sent: next, errors: errors + (total - completed), p50Ms: at(0.5), p99Ms: at(0.99), latencies: sorted }
}
