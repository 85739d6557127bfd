import { describe, expect, it } from 'vitest'
import { formatProblem, parseConfig } from './load.js'

/** Loads `server.host: <value>` and returns the resolved host, or the problems. */
function host(value: string, environ: Record<string, string | undefined>): string | string[] {
  const result = parseConfig(`server:\n  host: ${value}\n`, { environ })
  return result.ok ? result.config.server.host : result.problems.map(formatProblem)
}

describe('${ENV} references', () => {
  it.each([
    ['"${HOST}"', { HOST: 'h1' }, 'h1'],
    ['"${HOST:-fallback}"', {}, 'fallback'],
    ['"${HOST:-fallback}"', { HOST: '' }, 'fallback'],
    ['"${HOST:-}x"', {}, 'x'],
    ['"${HOST:-fallback}"', { HOST: 'set' }, 'set'],
    ['"${A}.${B}.internal"', { A: 'x', B: 'y' }, 'x.y.internal'],
    ['"$${HOST}"', { HOST: 'ignored' }, '${HOST}'],
    ['"cost$$5"', {}, 'cost$$5'],
    ['"$$${HOST}"', { HOST: 'h' }, '$${HOST}'],
  ])('%s with %j → %s', (value, environ, expected) => {
    expect(host(value, environ)).toBe(expected)
  })

  it.each([
    ['"${HOST}"', ['server.host: references unset environment variable HOST']],
    ['"${HOST"', ['server.host: has an unterminated ${ (write $${ for a literal ${)']],
    ['"${1HOST}"', ['server.host: has an invalid environment reference ${1HOST}']],
    ['"${HOST-x}"', ['server.host: has an invalid environment reference ${HOST-x}']],
  ])('%s is a problem', (value, expected) => {
    expect(host(value, {})).toEqual(expected)
  })

  it('resolves references in lists and nested mappings, never in keys', () => {
    const yaml = 'clients:\n  - id: "${ID}"\n    attributes: { "${K}": "${V}" }\n    credentials: { apiKey: "${KEY}" }\n'
    const result = parseConfig(yaml, { environ: { ID: 'app', K: 'nope', V: 'gold', KEY: 'k' } })
    expect(result.ok && result.config.clients[0]).toEqual({
      id: 'app',
      attributes: { '${K}': 'gold' },
      credentials: { apiKey: 'k' },
    })
  })

  it('gives a whole-reference value the type the schema expects', () => {
    const result = parseConfig('server: { port: "${PORT}" }\nlog: { decisions: "${DECISIONS:-false}" }', {
      environ: { PORT: '9090' },
    })
    expect(result.ok && [result.config.server.port, result.config.log.decisions]).toEqual([9090, false])
  })

  it('keeps a literal string a string, and reports a non-numeric variable once', () => {
    expect(parseConfig('server: { port: "8080" }', { environ: {} }).ok).toBe(false)
    const result = parseConfig('server: { port: "${PORT}" }', { environ: { PORT: 'eighty' } })
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual(['server.port: must be an integer (got "eighty")'])
  })

  it('reports an unset variable once, not also as a type error', () => {
    const result = parseConfig('server: { port: "${PORT}" }', { environ: {} })
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      'server.port: references unset environment variable PORT',
    ])
  })

  it('reads process.env by default', () => {
    process.env['SLUICE_TEST_HOST'] = 'from-process'
    try {
      const result = parseConfig('server: { host: "${SLUICE_TEST_HOST}" }')
      expect(result.ok && result.config.server.host).toBe('from-process')
    } finally {
      delete process.env['SLUICE_TEST_HOST']
    }
  })
})
