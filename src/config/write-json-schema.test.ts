import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { JSON_SCHEMA_FILE, jsonSchemaText } from './write-json-schema.js'

describe('config/sluice.schema.json', () => {
  it('is what the schema produces (run `npm run schema` after editing schema.ts)', () => {
    expect(readFileSync(new URL(`../../${JSON_SCHEMA_FILE}`, import.meta.url), 'utf8')).toBe(jsonSchemaText())
  })
})
