// A module resolve hook (node:module register): each resolved URL, ESM imports and dynamic
// imports alike, goes on its own line of the file named by MODULE_LOG.
import { appendFileSync } from 'node:fs'

const file = process.env.MODULE_LOG

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context)
  if (file !== undefined) appendFileSync(file, `${resolved.url}\n`)
  return resolved
}
