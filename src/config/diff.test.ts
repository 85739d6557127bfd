import { describe, expect, it } from 'vitest'
import { changedKeys } from './diff.js'

describe('changedKeys', () => {
  it.each<[string, unknown, unknown, string[]]>([
    ['nothing', { a: { b: 1 } }, { a: { b: 1 } }, []],
    ['a scalar', { server: { port: 1 } }, { server: { port: 2 } }, ['server.port']],
    ['three levels deep', { providers: { o: { apiKey: 'a' } } }, { providers: { o: { apiKey: 'b' } } }, ['providers.o.apiKey']],
    ['below three levels, reported at the third', { p: { o: { c: { k: 1 } } } }, { p: { o: { c: { k: 2 } } } }, ['p.o.c']],
    ['an added and a removed key', { providers: { a: {} } }, { providers: { b: {} } }, ['providers.a', 'providers.b']],
    ['a list, as a whole', { clients: [{ id: 'a' }] }, { clients: [{ id: 'b' }] }, ['clients']],
    ['mapping to scalar', { a: { b: 1 } }, { a: 2 }, ['a']],
    ['sorted', { z: 1, a: 1 }, { z: 2, a: 2 }, ['a', 'z']],
  ])('%s', (_name, before, after, expected) => {
    expect(changedKeys(before, after)).toEqual(expected)
  })
})
