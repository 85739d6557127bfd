// Counts requests between arrival and settle, so shutdown can wait for them (streams included).
import { metrics } from '../core/metrics.js'

export class InFlight {
  private count = 0
  private waiters: Array<() => void> = []

  get size(): number {
    return this.count
  }

  enter(): void {
    this.count++
    metrics.inFlight.inc()
  }

  leave(): void {
    this.count--
    metrics.inFlight.dec()
    if (this.count === 0 && this.waiters.length > 0) {
      for (const wake of this.waiters.splice(0)) wake()
    }
  }

  /** Resolves true when nothing is in flight, false if `timeoutMs` passed first. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs)
      this.waiters.push(() => {
        clearTimeout(timer)
        resolve(true)
      })
    })
  }
}
