import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { errors } from '../src/core/errors.js'

describe('docs/errors.md', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8')
  const rows = new Map(
    [...doc.matchAll(/^\| `(SLUICE_ERR_[A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])] as const),
  )

  it('has exactly one row per code in src/errors.ts, with the same status', () => {
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(Object.entries(errors).map(([code, spec]) => [code, spec.status])))
  })
})
