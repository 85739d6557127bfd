import { describe, expect, it } from 'vitest'
import { calendarSlot, createWindow, ROLLING_BUCKETS } from './windows.js'

const at = (iso: string): number => Date.parse(iso)
const HOUR = 3_600_000

describe('calendar days', () => {
  it.each([
    // New York: EST is UTC-5, EDT is UTC-4.
    ['an ordinary day', 'America/New_York', '2025-01-15T12:00:00Z', 'd2025-01-15', '2025-01-15T05:00:00Z', '2025-01-16T05:00:00Z', 24],
    ['just before local midnight', 'America/New_York', '2025-01-16T04:59:59.999Z', 'd2025-01-15', '2025-01-15T05:00:00Z', '2025-01-16T05:00:00Z', 24],
    ['at local midnight', 'America/New_York', '2025-01-16T05:00:00Z', 'd2025-01-16', '2025-01-16T05:00:00Z', '2025-01-17T05:00:00Z', 24],
    ['the spring-forward day', 'America/New_York', '2025-03-09T15:00:00Z', 'd2025-03-09', '2025-03-09T05:00:00Z', '2025-03-10T04:00:00Z', 23],
    ['the fall-back day', 'America/New_York', '2025-11-02T15:00:00Z', 'd2025-11-02', '2025-11-02T04:00:00Z', '2025-11-03T05:00:00Z', 25],
    ['a year end', 'America/New_York', '2026-01-01T03:00:00Z', 'd2025-12-31', '2025-12-31T05:00:00Z', '2026-01-01T05:00:00Z', 24],
    ['UTC', 'UTC', '2024-02-29T23:59:59Z', 'd2024-02-29', '2024-02-29T00:00:00Z', '2024-03-01T00:00:00Z', 24],
    ['a half-hour zone', 'Asia/Kolkata', '2025-06-01T20:00:00Z', 'd2025-06-02', '2025-06-01T18:30:00Z', '2025-06-02T18:30:00Z', 24],
    // Santiago's DST starts at midnight: 2024-09-08 begins at 01:00 local (04:00Z).
    ['a day that starts at 01:00', 'America/Santiago', '2024-09-08T12:00:00Z', 'd2024-09-08', '2024-09-08T04:00:00Z', '2024-09-09T03:00:00Z', 23],
    ['the day before it', 'America/Santiago', '2024-09-07T12:00:00Z', 'd2024-09-07', '2024-09-07T04:00:00Z', '2024-09-08T04:00:00Z', 24],
    // Samoa skipped 2011-12-30 entirely: the 29th ran straight into the 31st.
    ['the day before a skipped day', 'Pacific/Apia', '2011-12-29T20:00:00Z', 'd2011-12-29', '2011-12-29T10:00:00Z', '2011-12-30T10:00:00Z', 24],
  ])('%s in %s', (_name, zone, now, key, start, end, hours) => {
    const slot = calendarSlot('day', zone, at(now))
    expect(slot).toMatchObject({ key, startMs: at(start), endMs: at(end) })
    expect((slot.endMs - slot.startMs) / HOUR).toBe(hours)
  })
})

describe('calendar months', () => {
  it.each([
    ['January into February', '2025-02-01T04:59:59Z', 'm2025-01', '2025-01-01T05:00:00Z', '2025-02-01T05:00:00Z'],
    ['February of a leap year', '2024-02-15T00:00:00Z', 'm2024-02', '2024-02-01T05:00:00Z', '2024-03-01T05:00:00Z'],
    // March loses an hour to DST: it starts at UTC-5 and ends at UTC-4.
    ['March (DST starts)', '2025-03-31T12:00:00Z', 'm2025-03', '2025-03-01T05:00:00Z', '2025-04-01T04:00:00Z'],
    ['November (DST ends)', '2025-11-30T12:00:00Z', 'm2025-11', '2025-11-01T04:00:00Z', '2025-12-01T05:00:00Z'],
    ['December into January', '2025-12-31T23:00:00Z', 'm2025-12', '2025-12-01T05:00:00Z', '2026-01-01T05:00:00Z'],
  ])('%s in New York', (_name, now, key, start, end) => {
    expect(calendarSlot('month', 'America/New_York', at(now))).toMatchObject({ key, startMs: at(start), endMs: at(end) })
  })

  it('counts spend only inside the window and releases it at the end', () => {
    const window = createWindow('month', 'Europe/Paris', undefined)
    const slot = window.slot(at('2025-10-15T00:00:00Z'))
    expect(window.counts(slot, at('2025-10-31T22:59:59Z'))).toBe(true)
    expect(window.counts(slot, at('2025-10-31T23:00:00Z'))).toBe(false)
    expect(window.releasesAtMs(slot)).toBe(at('2025-10-31T23:00:00Z'))
    expect(window.slot(at('2025-10-31T23:00:00Z')).key).toBe('m2025-11')
    expect(window.id).toBe('month:Europe/Paris')
  })
})

describe('rolling windows', () => {
  const window = createWindow('rolling', 'UTC', 3600)
  const bucketMs = (3600 * 1000) / ROLLING_BUCKETS

  it('puts spend in buckets of window / 60', () => {
    const slot = window.slot(125 * bucketMs + 5)
    expect(slot).toEqual({ key: 'r3600:125', startMs: 125 * bucketMs, endMs: 126 * bucketMs, expiresAtMs: 126 * bucketMs + 3_600_000 })
  })

  it('counts a bucket while any of it lies within the last windowSeconds', () => {
    const slot = window.slot(0)
    expect(window.counts(slot, 0)).toBe(true)
    expect(window.counts(slot, 3_600_000 + bucketMs - 1)).toBe(true)
    expect(window.counts(slot, 3_600_000 + bucketMs)).toBe(false)
    expect(window.releasesAtMs(slot)).toBe(3_600_000 + bucketMs)
    // Spend recorded "in the future" (a replica whose clock runs ahead) does not count yet.
    expect(window.counts(window.slot(bucketMs), 0)).toBe(false)
  })
})
