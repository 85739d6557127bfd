// Human-readable output for `sluice ctl`: aligned tables and short times. `--json` bypasses all of it.

/** Columns padded to their widest cell, two spaces apart, no trailing blanks. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  return [line(headers), ...rows.map(line)].join('\n') + '\n'
}

/** Any JSON value as a table cell: `-` for nothing, strings bare, the rest as compact JSON. */
export function cell(value: unknown): string {
  if (value === undefined || value === null || value === '') return '-'
  if (typeof value === 'string') return value
  return JSON.stringify(value)
}

/** `2025-03-01T12:34:56.789Z` → `2025-03-01 12:34:56Z`; anything unparseable as given. */
export function time(value: unknown): string {
  if (typeof value !== 'string') return cell(value)
  const ms = Date.parse(value)
  if (Number.isNaN(ms)) return value
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z')
}

/** Seconds as the two largest units: `3d 4h`, `2h 5m`, `45s`. */
export function duration(totalSeconds: unknown): string {
  if (typeof totalSeconds !== 'number' || !Number.isFinite(totalSeconds)) return cell(totalSeconds)
  const s = Math.max(0, Math.floor(totalSeconds))
  const units: [string, number][] = [
    ['d', Math.floor(s / 86_400)],
    ['h', Math.floor((s % 86_400) / 3_600)],
    ['m', Math.floor((s % 3_600) / 60)],
    ['s', s % 60],
  ]
  const first = units.findIndex(([, n]) => n > 0)
  if (first === -1) return '0s'
  return units
    .slice(first, first + 2)
    .filter(([, n]) => n > 0)
    .map(([unit, n]) => `${n}${unit}`)
    .join(' ')
}

/** Reads a field of an untyped JSON object without trusting its shape. */
export function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined
}

/** A field expected to be an array; anything else reads as empty. */
export function list(value: unknown, key: string): unknown[] {
  const found = field(value, key)
  return Array.isArray(found) ? found : []
}

/** `actor at time: reason` for an override or kill switch, or `-`. */
export function attribution(entry: unknown): string {
  if (entry === null || entry === undefined) return '-'
  const reason = field(entry, 'reason')
  const who = `${cell(field(entry, 'actor'))} at ${time(field(entry, 'setAt'))}`
  return typeof reason === 'string' && reason !== '' ? `${who}: ${reason}` : who
}
