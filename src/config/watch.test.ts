import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { formatProblem } from './load.js'
import type { Config } from './schema.js'
import { createConfigWatcher, type ConfigWatcher } from './watch.js'

const config = (port: number, apiKey: string): string => `
server: { port: ${port} }
providers:
  openai: { type: openai, mount: /openai, apiKey: "${apiKey}" }
clients:
  - { id: app, credentials: { apiKey: "\${APP_KEY}" } }
`

type Event = { kind: 'change'; config: Readonly<Config>; keys: string[] } | { kind: 'error'; lines: string[] }

describe('createConfigWatcher', () => {
  let dir: string
  let path: string
  let watcher: ConfigWatcher | undefined
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
  const start = (): ConfigWatcher =>
    createConfigWatcher({
      path,
      environ: { APP_KEY: 'client-key' },
      debounceMs: 20,
      onChange: (next, keys) => push({ kind: 'change', config: next, keys }),
      onError: (problems) => push({ kind: 'error', lines: problems.map(formatProblem) }),
    })

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-watch-'))
    path = join(dir, 'sluice.yaml')
    writeFileSync(path, config(8080, 'sk-one'))
    events.length = 0
    waiting.length = 0
  })
  afterEach(() => {
    watcher?.close()
    watcher = undefined
    rmSync(dir, { recursive: true, force: true })
  })

  it('reports a valid change with the keys it changed, never their values', async () => {
    watcher = start()
    writeFileSync(path, config(9090, 'sk-two'))
    const event = await nextEvent()
    expect(event.kind === 'change' && event.keys).toEqual(['providers.openai.apiKey', 'server.port'])
    expect(event.kind === 'change' && event.config.server.port).toBe(9090)
  })

  it('refuses an invalid change, keeps the last good config, and accepts the next valid one', async () => {
    watcher = start()
    writeFileSync(path, config(70000, 'sk-one'))
    expect(await nextEvent()).toEqual({ kind: 'error', lines: ['server.port: must be at most 65535 (got 70000)'] })

    writeFileSync(path, config(8080, 'sk-two'))
    const event = await nextEvent()
    // Diffed against the last good config, not the refused one: the port is back where it was.
    expect(event.kind === 'change' && event.keys).toEqual(['providers.openai.apiKey'])
  })

  it('follows a file replaced by rename, as editors and ConfigMaps do', async () => {
    watcher = start()
    const staged = join(dir, '.sluice.yaml.tmp')
    writeFileSync(staged, config(8080, 'sk-renamed'))
    renameSync(staged, path)
    const event = await nextEvent()
    expect(event.kind === 'change' && event.config.providers['openai']?.apiKey).toBe('sk-renamed')

    writeFileSync(path, config(8081, 'sk-renamed'))
    const again = await nextEvent()
    expect(again.kind === 'change' && again.keys).toEqual(['server.port'])
  })

  it('stays quiet when the file changes but the config does not', async () => {
    watcher = start()
    writeFileSync(path, `# a comment\n${config(8080, 'sk-one')}\n\n`)
    writeFileSync(path, config(8080, 'sk-three'))
    const event = await nextEvent()
    expect(event.kind === 'change' && event.keys).toEqual(['providers.openai.apiKey'])
  })

  it('reload() re-reads now and reports through the same callbacks', () => {
    watcher = start()
    const unchanged = watcher.reload()
    expect(unchanged.ok).toBe(true)
    expect(events).toEqual([])

    writeFileSync(path, 'server: { port: nope }')
    const refused = watcher.reload()
    expect(refused.ok).toBe(false)
    expect(events.shift()).toEqual({ kind: 'error', lines: ['server.port: must be an integer (got "nope")'] })
  })

  it('keeps its baseline while onChange refuses, so every reload offers the refused config again', () => {
    let verdict: { ok: true } | { ok: false; problems: string[] } = { ok: false, problems: ['flags do not compile'] }
    watcher = createConfigWatcher({
      path,
      environ: { APP_KEY: 'client-key' },
      onChange: (next, keys) => {
        push({ kind: 'change', config: next, keys })
        return verdict
      },
    })
    writeFileSync(path, config(9090, 'sk-one'))
    expect(watcher.reload()).toEqual({ ok: false, problems: ['flags do not compile'] })
    // The refused config is not the baseline: the same file is refused again, not "unchanged".
    expect(watcher.reload()).toEqual({ ok: false, problems: ['flags do not compile'] })
    expect(events.splice(0).map((e) => e.kind === 'change' && e.keys)).toEqual([['server.port'], ['server.port']])

    verdict = { ok: true }
    expect(watcher.reload()).toMatchObject({ ok: true, changedKeys: ['server.port'] })
    expect(watcher.reload()).toMatchObject({ ok: true, changedKeys: [] })
    expect(events.map((e) => e.kind === 'change' && e.keys)).toEqual([['server.port']])
  })

  it('offers a refused config again on the next file event, even one that changes only a comment', async () => {
    let refuse = true
    watcher = createConfigWatcher({
      path,
      environ: { APP_KEY: 'client-key' },
      debounceMs: 20,
      onChange: (next, keys) => {
        push({ kind: 'change', config: next, keys })
        return refuse ? { ok: false, problems: ['refused'] } : undefined
      },
    })
    writeFileSync(path, config(9090, 'sk-one'))
    expect(await nextEvent()).toMatchObject({ kind: 'change', keys: ['server.port'] })
    refuse = false
    writeFileSync(path, `# touched\n${config(9090, 'sk-one')}`)
    expect(await nextEvent()).toMatchObject({ kind: 'change', keys: ['server.port'] })
    expect(watcher.reload()).toMatchObject({ ok: true, changedKeys: [] })
  })

  it('diffs against `current` when given one', () => {
    const first = createConfigWatcher({ path, environ: { APP_KEY: 'client-key' } })
    const loaded = first.reload()
    first.close()
    if (!loaded.ok) throw new Error('fixture must load')
    writeFileSync(path, config(8080, 'sk-two'))
    watcher = createConfigWatcher({
      path,
      environ: { APP_KEY: 'client-key' },
      current: loaded.config,
      onChange: (next, keys) => push({ kind: 'change', config: next, keys }),
    })
    watcher.reload()
    expect(events.map((e) => e.kind === 'change' && e.keys)).toEqual([['providers.openai.apiKey']])
  })
})
