import { readFileSync } from 'node:fs'

/** Sluice's version from package.json, found by walking up from this module (src/ or dist/src/). */
export function packageVersion(): string {
  for (let dir = new URL('.', import.meta.url); dir.pathname !== '/'; dir = new URL('..', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string }
      if (pkg.name === 'sluice') return pkg.version ?? 'unknown'
    } catch {
      // not here; keep walking up
    }
  }
  return 'unknown'
}
