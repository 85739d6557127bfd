// Budget windows. Calendar days and months are local to an IANA time zone, so their bounds move
// with DST (a New York day is 23 or 25 hours twice a year) and are computed with
// Intl.DateTimeFormat rather than fixed offsets. Rolling windows are split into buckets so that
// spend can expire bucket by bucket and still be shared as plain counters.

/** One counter's span: a whole calendar window, or one bucket of a rolling window. */
export interface WindowSlot {
  /** Stable across replicas: `d2025-03-09`, `m2025-03`, `r3600:485123`. */
  readonly key: string
  readonly startMs: number
  readonly endMs: number
  /** When the shared counter may be dropped. */
  readonly expiresAtMs: number
}

export interface BudgetWindow {
  readonly kind: 'day' | 'month' | 'rolling'
  /** `day:Europe/Paris`, `rolling:3600`: a change means the old counters no longer apply. */
  readonly id: string
  /** The slot new spend at `nowMs` goes into. */
  slot(nowMs: number): WindowSlot
  /** Whether spend recorded in `slot` still counts at `nowMs`. */
  counts(slot: Pick<WindowSlot, 'startMs' | 'endMs'>, nowMs: number): boolean
  /** When spend recorded in `slot` stops counting: the window's end, or the bucket leaving a rolling window. */
  releasesAtMs(slot: Pick<WindowSlot, 'endMs'>): number
}

/** Rolling windows are cut into this many buckets; the oldest counts whole, so spend is over-counted by at most 1/60 of a window. */
export const ROLLING_BUCKETS = 60

/** Calendar counters outlive their window a little, for replicas whose clocks lag. */
const CALENDAR_GRACE_MS = 3_600_000

export function createWindow(kind: 'day' | 'month' | 'rolling', timeZone: string, windowSeconds: number | undefined): BudgetWindow {
  return kind === 'rolling' ? rollingWindow(windowSeconds ?? 3600) : calendarWindow(kind, timeZone)
}

function calendarWindow(kind: 'day' | 'month', timeZone: string): BudgetWindow {
  // Computing bounds costs a few µs; requests reuse the current slot until it ends.
  let current: WindowSlot | undefined
  return {
    kind,
    id: `${kind}:${timeZone}`,
    slot(nowMs) {
      if (current !== undefined && nowMs >= current.startMs && nowMs < current.endMs) return current
      current = calendarSlot(kind, timeZone, nowMs)
      return current
    },
    counts: (slot, nowMs) => nowMs >= slot.startMs && nowMs < slot.endMs,
    releasesAtMs: (slot) => slot.endMs,
  }
}

export function calendarSlot(kind: 'day' | 'month', timeZone: string, nowMs: number): WindowSlot {
  const { year, month, day } = wallClock(nowMs, timeZone)
  const startMs = kind === 'day' ? startOfDay(year, month, day, timeZone) : startOfDay(year, month, 1, timeZone)
  const endMs = kind === 'day' ? startOfDay(year, month, day + 1, timeZone) : startOfDay(year, month + 1, 1, timeZone)
  const ym = `${year}-${pad(month)}`
  const key = kind === 'day' ? `d${ym}-${pad(day)}` : `m${ym}`
  return { key, startMs, endMs, expiresAtMs: endMs + CALENDAR_GRACE_MS }
}

function rollingWindow(windowSeconds: number): BudgetWindow {
  const windowMs = windowSeconds * 1000
  const bucketMs = Math.ceil(windowMs / ROLLING_BUCKETS)
  return {
    kind: 'rolling',
    id: `rolling:${windowSeconds}`,
    slot(nowMs) {
      const index = Math.floor(nowMs / bucketMs)
      const startMs = index * bucketMs
      const endMs = startMs + bucketMs
      return { key: `r${windowSeconds}:${index}`, startMs, endMs, expiresAtMs: endMs + windowMs }
    },
    // A bucket counts while any part of it lies within the last windowMs.
    counts: (slot, nowMs) => slot.startMs <= nowMs && slot.endMs > nowMs - windowMs,
    releasesAtMs: (slot) => slot.endMs + windowMs,
  }
}

interface WallClock {
  readonly year: number
  readonly month: number
  readonly day: number
  readonly hour: number
  readonly minute: number
  readonly second: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formatters.set(timeZone, f)
  }
  return f
}

/** Throws RangeError for a time zone the runtime does not know (semantic.ts reports it at load). */
export function wallClock(ms: number, timeZone: string): WallClock {
  const fields: Record<string, number> = {}
  for (const part of formatter(timeZone).formatToParts(ms)) if (part.type !== 'literal') fields[part.type] = Number(part.value)
  const field = (name: string): number => fields[name] ?? 0
  return { year: field('year'), month: field('month'), day: field('day'), hour: field('hour'), minute: field('minute'), second: field('second') }
}

/** Local time minus UTC at instant `ms`, in ms. */
function offsetMs(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone)
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000
}

/**
 * The first instant of local date y-m-d (day and month may overflow: Date.UTC normalises them).
 * Midnight is tried with the offsets before and after any transition near it; the earliest
 * candidate already on (or past) that date wins. That handles zones whose DST starts at midnight
 * (America/Santiago: the day begins at 01:00) and days a zone skipped (Pacific/Apia, 2011-12-30).
 */
function startOfDay(year: number, month: number, day: number, timeZone: string): number {
  const guess = Date.UTC(year, month - 1, day)
  const target = new Date(guess)
  const wanted = dateNumber(target.getUTCFullYear(), target.getUTCMonth() + 1, target.getUTCDate())
  const first = guess - offsetMs(guess, timeZone)
  const second = guess - offsetMs(first, timeZone)
  for (const candidate of [Math.min(first, second), Math.max(first, second)]) {
    const w = wallClock(candidate, timeZone)
    if (dateNumber(w.year, w.month, w.day) >= wanted) return candidate
  }
  return Math.max(first, second)
}

const dateNumber = (y: number, m: number, d: number): number => y * 10_000 + m * 100 + d
const pad = (n: number): string => String(n).padStart(2, '0')
