// The README, the changelog and docs/ stand on their own: every relative link resolves to a file
// inside this repository, and none cites a spec section or a tracker issue a reader cannot see.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const DOCS = [
  'README.md',
  'CHANGELOG.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
]

/** The text a reader sees as prose: fenced code blocks and inline code spans removed. */
function prose(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '')
}

/** Inline `[text](target)` and reference `[name]: target` links, without the title. */
function linkTargets(text: string): string[] {
  const inline = [...prose(text).matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!)
  const reference = [...prose(text).matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/gm)].map((m) => m[1]!)
  return [...inline, ...reference]
}

const external = (target: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')

describe.each(DOCS)('%s', (file) => {
  const text = readFileSync(join(ROOT, file), 'utf8')

  it('cites no spec section and no issue number', () => {
    const lines = text.split('\n')
    const cited = lines.map((line, i) => `${i + 1}: ${line}`).filter((line) => /SPEC\s*§|\bissues?\s+#\d+/i.test(line))
    expect(cited).toEqual([])
  })

  it('every relative link stays inside the repository and names an existing file', () => {
    const problems: string[] = []
    for (const target of linkTargets(text)) {
      if (external(target) || target.startsWith('#')) continue
      const path = decodeURIComponent(target.replace(/[#?].*$/, ''))
      const absolute = isAbsolute(path) ? path : resolve(dirname(join(ROOT, file)), path)
      const inside = relative(ROOT, absolute)
      if (isAbsolute(path) || inside.startsWith('..') || isAbsolute(inside)) problems.push(`${target}: outside the repository`)
      else if (!existsSync(absolute)) problems.push(`${target}: no such file`)
    }
    expect(problems).toEqual([])
  })
})

describe('the link check itself', () => {
  it.each([
    ['[spec](../shared/SPEC.md)', ['../shared/SPEC.md']],
    ['[a](docs/cli.md#sluice-demo "title") and [b](https://example.com)', ['docs/cli.md#sluice-demo', 'https://example.com']],
    ['[ref]: ../outside.md', ['../outside.md']],
    ['```\n[not a link](../x.md)\n```\n`[nor](../y.md)`', []],
  ])('finds the targets in %j', (text, targets) => {
    expect(linkTargets(text)).toEqual(targets)
  })

  it('finds the README\'s links to docs/', () => {
    const targets = linkTargets(readFileSync(join(ROOT, 'README.md'), 'utf8'))
    expect(targets).toContain('docs/cli.md')
    expect(targets.length).toBeGreaterThan(10)
  })
})
