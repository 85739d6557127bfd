import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { compileFlagSet, evaluate, watchFlagSources, type FlagSet, type FlagSourceWatcher } from './index.js'

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
