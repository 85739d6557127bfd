// Secrets are marked in the config schema itself, not guessed from key names: every
// place that shows config — GET /v1/config, the logger, `sluice validate` — reads these marks
// (config/secrets.ts walks them). Here, not in config/, so that the schema fragments of
// gates/, models/ and resilience/ can mark their own fields.
import type { TSchema } from '@sinclair/typebox'

/** The schema keyword; an extra keyword to JSON Schema, which editors ignore. */
export const SECRET_KEYWORD = 'secret'

/** `value`: the whole value is a secret. `userinfo`: only a URL's `user:password@` part is. */
export type SecretMark = 'value' | 'userinfo'

export const REDACTED = '<redacted>'

/**
 * The whole value is a secret (a token, a key, a header value). Also sets the standard JSON
 * Schema `writeOnly` annotation: the value is written in config and never read back.
 */
export function Secret<T extends TSchema>(schema: T): T {
  return { ...schema, [SECRET_KEYWORD]: 'value', writeOnly: true }
}

/** A URL whose userinfo (`redis://user:password@host`) is a secret; the rest is shown. */
export function SecretUserinfo<T extends TSchema>(schema: T): T {
  return { ...schema, [SECRET_KEYWORD]: 'userinfo' }
}

export function secretMark(schema: TSchema): SecretMark | undefined {
  const mark: unknown = (schema as Record<string, unknown>)[SECRET_KEYWORD]
  return mark === 'value' || mark === 'userinfo' ? mark : undefined
}

/**
 * `redis://user:pw@host:6379/0` → `redis://<redacted>@host:6379/0`. Everything before the last `@`
 * goes, so a malformed URL (a `/` in the password, no scheme) cannot leak its password either.
 */
export function redactUserinfo(url: string): string {
  const at = url.lastIndexOf('@')
  if (at < 0) return url
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(url)?.[0] ?? ''
  return `${scheme}${REDACTED}${url.slice(at)}`
}
