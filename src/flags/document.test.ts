import { describe, expect, it } from 'vitest'
import { loadFlagSources, parseFlagDocument } from './document.js'

const FIXTURES = new URL('../../test/fixtures/flags/', import.meta.url).pathname

describe('parseFlagDocument', () => {
  it.each([
    ['YAML', 'flags:\n  beta:\n    state: ENABLED\n    variants: { on: true, off: false }\n    defaultVariant: off\n'],
    ['JSON', '{"flags": {"beta": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off"}}}'],
  ])('reads %s, whatever the file is called', (_, text) => {
    expect(parseFlagDocument(text, 'flags.conf')).toEqual({
      ok: true,
      document: { flags: { beta: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' } } },
    })
  })

  it('reports syntax errors at source:line:col', () => {
    const result = parseFlagDocument('flags:\n  beta: {state: ENABLED\n', 'beta.yaml')
    expect(result.ok).toBe(false)
    expect(!result.ok && result.problems[0]).toMatch(/^beta\.yaml:3:1: /)
  })

  it('reports a duplicate key, which JSON.parse would silently take the last of', () => {
    const result = parseFlagDocument('{"flags": {"a": {}, "a": {}}}', 'dup.json')
    expect(!result.ok && result.problems).toEqual(['dup.json:1:21: Map keys must be unique'])
  })

  it('checks the document on its own, $refs included', () => {
    const text = 'flags:\n  x: { state: ENABLED, variants: { a: 1 }, targeting: { $ref: a } }\n$evaluators: { a: { $ref: b }, b: { $ref: a } }\n'
    const result = parseFlagDocument(text, 'x.yaml')
    expect(!result.ok && result.problems).toEqual([
      'x.yaml: $evaluators.b.$ref: $ref cycle: a → b → a',
      'x.yaml: flags.x.targeting.$ref: names an $evaluators entry that has problems (got "a")',
    ])
  })

  it('reads a $ref to a missing evaluator, which flagd loads (its evaluations are PARSE_ERROR)', () => {
    const result = parseFlagDocument('flags:\n  x: { state: ENABLED, variants: { a: 1 }, targeting: { $ref: nope } }\n', 'x.yaml')
    expect(result.ok).toBe(true)
  })
})

describe('loadFlagSources', () => {
  it('reads files relative to the base directory, named as given', () => {
    const result = loadFlagSources(['valid.json', 'extra.yaml'], FIXTURES)
    expect(result.ok && result.sources.map((s) => s.source)).toEqual(['valid.json', 'extra.yaml'])
  })

  it('reports every unreadable file', () => {
    const result = loadFlagSources(['missing-one.yaml', 'valid.json', 'missing-two.yaml'], FIXTURES)
    expect(!result.ok && result.problems.map((p) => p.replace(/:.*/, ''))).toEqual(['missing-one.yaml', 'missing-two.yaml'])
    expect(!result.ok && result.problems[0]).toMatch(/^missing-one\.yaml: cannot read: ENOENT/)
  })
})
