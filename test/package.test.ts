// What `npm install sluice` would unpack, from `npm pack --dry-run --json` (scripts off: npm test
// has built dist/ already): what a user needs to run it, and none of the bench, the tests or
// source maps pointing at files that are not there.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string; bin: Record<string, string> }

let files: string[]

beforeAll(() => {
  const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' })
  expect(packed.status, packed.stderr).toBe(0)
  files = (JSON.parse(packed.stdout) as [{ files: { path: string }[] }])[0].files.map((f) => f.path)
})

describe('npm pack', () => {
  it('ships what a user runs and reads', () => {
    const needed = [
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'config/prices.json', // read at runtime by the budget gate
      'config/sluice.schema.json',
      'config/sluice.example.yaml',
      'dist/src/main.js',
      'dist/src/cli/main.js',
      // The web dashboard the admin port serves at GET /, bundled (no network at run time).
      'dist/dashboard/index.html',
      'dist/dashboard/main.js',
      'dist/dashboard/main.css',
      'docs/cli.md',
      'docs/config.md',
      ...Object.values(pkg.bin).map((path) => normalize(path)),
    ]
    expect(needed.filter((path) => !files.includes(path))).toEqual([])
  })

  it('ships no bench, no tests and no TypeScript sources', () => {
    const unwanted = files.filter(
      (path) =>
        path.startsWith('dist/bench/') ||
        path.startsWith('bench/') ||
        path.startsWith('test/') ||
        path.startsWith('src/') ||
        /(^|\/)bench\.js$/.test(path) ||
        /\.test\.js$/.test(path) ||
        /test-support\.js$/.test(path) ||
        (path.endsWith('.ts') && !path.endsWith('.d.ts')),
    )
    expect(unwanted).toEqual([])
  })

  it('ships no source map without its sources, and no code pointing at a map it does not ship', () => {
    const dangling: string[] = []
    for (const path of files) {
      if (path.endsWith('.map')) {
        const { sources } = JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as { sources: string[] }
        for (const source of sources) if (!files.includes(normalize(join(dirname(path), source)))) dangling.push(`${path} → ${source}`)
      } else if (path.endsWith('.js')) {
        const map = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(ROOT, path), 'utf8'))?.[1]
        if (map !== undefined && !map.startsWith('data:') && !files.includes(normalize(join(dirname(path), map)))) dangling.push(`${path} → ${map}`)
      }
    }
    expect(dangling).toEqual([])
  })

  it('the LICENSE is the Apache License 2.0 text package.json names', () => {
    expect(pkg.license).toBe('Apache-2.0')
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8')
    expect(license).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004\s+http:\/\/www\.apache\.org\/licenses\//)
    expect(license).toContain('END OF TERMS AND CONDITIONS')
    expect(license.split('\n').length).toBeGreaterThan(190)
  })
})
