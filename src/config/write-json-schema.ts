// Writes config/sluice.schema.json from ConfigSchema so editors can check and complete
// sluice.yaml (`# yaml-language-server: $schema=...`). Run `npm run schema` after changing
// schema.ts; write-json-schema.test.ts fails while the two disagree.
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ConfigSchema } from './schema.js'

export const JSON_SCHEMA_FILE = 'config/sluice.schema.json'

export function jsonSchemaText(): string {
  const document = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'urn:sluice:config',
    title: 'Sluice configuration',
    ...ConfigSchema,
  }
  return `${JSON.stringify(document, optionalWhenDefaulted, 2)}\n`
}

/**
 * TypeBox lists defaulted keys as `required` (the loaded config always has them), but in the
 * file they may be omitted; without this an editor would flag every provider lacking `auth`.
 */
function optionalWhenDefaulted(this: unknown, key: string, value: unknown): unknown {
  if (key !== 'required' || !Array.isArray(value)) return value
  const properties = (this as { properties?: Record<string, { default?: unknown }> }).properties ?? {}
  const required = value.filter((name: string) => !('default' in (properties[name] ?? {})))
  return required.length > 0 ? required : undefined
}

// `npm run` starts scripts in the package root, so the relative path lands in the repo's config/.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const target = resolve(process.argv[2] ?? JSON_SCHEMA_FILE)
  writeFileSync(target, jsonSchemaText())
  process.stdout.write(`wrote ${target}\n`)
}
