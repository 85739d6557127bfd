import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  compileFlagSet,
  evaluate,
  watchFlagSources,
  type CompileResult,
  type FlagSet,
  type FlagSource,
  type FlagSourceWatcher,
} from './index.js'

const flagFile = (keys: Record<string, boolean>): string =>
  'flags:\n' +
  Object.entries(keys)
    .map(([key, on]) => `  ${key}: { state: ENABLED, variants: { on: true, off: false }, defaultVariant: ${on ? 'on' : 'off'} }\n`)
    .join('')

type Event = { kind: 'change'; flagSet: FlagSet; keys: string[] } | { kind: 'error'; problems: string[] }

describe('watchFlagSources', () => {
  let dir: string
  let watcher: FlagSourceWatcher | undefined
  const events: Event[] = []
  const waiting: Array<(event: Event) => void> = []
  const push = (event: Event): void => {
    const resolve = waiting.shift()
    if (resolve === undefined) events.push(event)
    else resolve(event)
  }
  /** The next callback, waited for rather than slept for. */
  const nextEvent = (): Promise<Event> => {
    const queued = events.shift()
    if (queued !== undefined) return Promise.resolve(queued)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no watcher callback within 5 s')), 5_000)
      waiting.push((event) => {
        clearTimeout(timer)
        resolve(event)
      })
    })
  }
  const start = (paths: string[], overrides: Record<string, unknown> = {}): FlagSourceWatcher =>
    watchFlagSources({
      paths,
      baseDir: dir,
      debounceMs: 20,
      compile: (sources) => compileFlagSet(sources, overrides, { builtins: {} }),
      onChange: (flagSet, keys) => push({ kind: 'change', flagSet, keys }),
      onError: (problems) => push({ kind: 'error', problems }),
    })

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-flags-'))
    writeFileSync(join(dir, 'flags.yaml'), flagFile({ beta: false, gamma: true }))
    events.length = 0
    waiting.length = 0
  })
  afterEach(() => {
    watcher?.close()
    watcher = undefined
    rmSync(dir, { recursive: true, force: true })
  })

  it('reports a valid change with the flag keys it changed', async () => {
    watcher = start(['flags.yaml'])
    writeFileSync(join(dir, 'flags.yaml'), flagFile({ beta: true, gamma: true, delta: false }))
    const event = await nextEvent()
    expect(event.kind === 'change' && event.keys).toEqual(['beta', 'delta'])
    expect(event.kind === 'change' && evaluate(event.flagSet, 'beta', 'boolean', false).value).toBe(true)
  })

  it('refuses an invalid change, keeps the last good set as baseline, and accepts the next valid one', async () => {
    watcher = start(['flags.yaml'])
    writeFileSync(join(dir, 'flags.yaml'), 'flags:\n  beta: { state: ON, variants: { on: true } }\n')
    expect(await nextEvent()).toEqual({ kind: 'error', problems: ['flags.yaml: flags.beta.state: must be ENABLED or DISABLED (got "ON")'] })

    writeFileSync(join(dir, 'flags.yaml'), flagFile({ beta: false, gamma: false }))
    const event = await nextEvent()
    expect(event.kind === 'change' && event.keys).toEqual(['gamma'])
  })

  it('follows a file replaced by rename, and ignores rewrites that change nothing', async () => {
    watcher = start(['flags.yaml'])
    writeFileSync(join(dir, 'flags.yaml'), `# reformatted\n${flagFile({ gamma: true, beta: false })}`)
    const staged = join(dir, '.flags.yaml.tmp')
    writeFileSync(staged, flagFile({ beta: true, gamma: true }))
    renameSync(staged, join(dir, 'flags.yaml'))
    const event = await nextEvent()
    expect(event.kind === 'change' && event.keys).toEqual(['beta'])
  })

  it('watches files in several directories and checks them together', async () => {
    mkdirSync(join(dir, 'team'))
    writeFileSync(join(dir, 'team', 'more.yaml'), flagFile({ delta: true }))
    watcher = start(['flags.yaml', 'team/more.yaml'])
    writeFileSync(join(dir, 'team', 'more.yaml'), flagFile({ beta: true }))
    expect(await nextEvent()).toEqual({
      kind: 'error',
      problems: ['team/more.yaml: flags.beta: is defined in both flags.yaml and team/more.yaml; a flag key belongs to one source'],
    })
  })

  it('refuses a set that does not compile with the other inputs on every reload, not just the first', () => {
    // The compile callback stands in for the runtime: the config defines `beta` inline too.
    const inline = { source: 'config flags', document: { flags: { beta: { state: 'ENABLED', variants: { on: true }, defaultVariant: 'on' } } } }
    watcher = watchFlagSources({
      paths: ['flags.yaml'],
      baseDir: dir,
      compile: (sources) => compileFlagSet([...sources, inline], {}, { builtins: {} }),
      onError: (problems) => push({ kind: 'error', problems }),
    })
    const clash = ['config flags: flags.beta: is defined in both flags.yaml and config flags; a flag key belongs to one source']
    expect(watcher.reload()).toEqual({ ok: false, problems: clash })
    expect(watcher.reload()).toEqual({ ok: false, problems: clash })
    expect(events).toEqual([{ kind: 'error', problems: clash }, { kind: 'error', problems: clash }])
  })

  it('keeps its baseline while onChange refuses, so every reload offers the refused set again', () => {
    let verdict: { ok: true } | { ok: false; problems: string[] } = { ok: false, problems: ['snapshot refused'] }
    watcher = watchFlagSources({
      paths: ['flags.yaml'],
      baseDir: dir,
      compile: (sources) => compileFlagSet(sources, {}, { builtins: {} }),
      onChange: (flagSet, keys) => {
        push({ kind: 'change', flagSet, keys })
        return verdict
      },
    })
    writeFileSync(join(dir, 'flags.yaml'), flagFile({ beta: true, gamma: true }))
    expect(watcher.reload()).toEqual({ ok: false, problems: ['snapshot refused'] })
    expect(watcher.reload()).toEqual({ ok: false, problems: ['snapshot refused'] })
    expect(events.splice(0).map((e) => e.kind === 'change' && e.keys)).toEqual([['beta'], ['beta']])

    verdict = { ok: true }
    expect(watcher.reload().ok).toBe(true)
    expect(watcher.reload().ok).toBe(true)
    expect(events.map((e) => e.kind === 'change' && e.keys)).toEqual([['beta']])
  })

  it('judges a change against `current`, the set serving now, which something else may have moved', () => {
    const compile = (sources: FlagSource[]): CompileResult => compileFlagSet(sources, {}, { builtins: {} })
    const initial = watchFlagSources({ paths: ['flags.yaml'], baseDir: dir, compile })
    const first = initial.reload()
    initial.close()
    if (!first.ok) throw new Error('fixture must compile')
    let serving = first.flagSet
    watcher = watchFlagSources({
      paths: ['flags.yaml'],
      baseDir: dir,
      compile,
      current: () => serving,
      onChange: (flagSet, keys, _warnings, sources) => {
        push({ kind: 'change', flagSet, keys })
        expect(sources.map((s) => s.source)).toEqual(['flags.yaml'])
        serving = flagSet
      },
    })
    expect(watcher.reload().ok).toBe(true)
    expect(events).toEqual([])

    // A config reload (say) swaps in a set with beta on; the file still has it off.
    const moved = compileFlagSet([{ source: 'flags.yaml', document: { flags: {} } }], { beta: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' } }, { builtins: {} })
    if (!moved.ok) throw new Error('fixture must compile')
    serving = moved.flagSet
    watcher.reload()
    expect(events.map((e) => e.kind === 'change' && e.keys)).toEqual([['beta', 'gamma']])
    expect(serving.keys).toEqual(['beta', 'gamma'])
  })

  it('reload() compiles now, with the overrides the compile callback adds', () => {
    watcher = start(['flags.yaml'], { beta: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' } })
    const result = watcher.reload()
    expect(result.ok && evaluate(result.flagSet, 'beta', 'boolean', false)).toMatchObject({ value: true, variant: 'on' })
    expect(events).toEqual([])

    rmSync(join(dir, 'flags.yaml'))
    expect(watcher.reload().ok).toBe(false)
    expect(events.shift()).toMatchObject({ kind: 'error', problems: [expect.stringMatching(/^flags\.yaml: cannot read: ENOENT/)] })
  })
})
