// Config reload (SPEC §13): the file is watched, and `reload()` is what SIGHUP calls. A valid
// change is handed to `onChange` with the keys it changed; an invalid one goes to `onError` and
// the last good config stays the baseline, so the next valid write is diffed against it.
import { readFileSync, watch, type FSWatcher } from 'node:fs'
import { dirname } from 'node:path'
import { changedKeys } from './diff.js'
import type { Environ } from './env-refs.js'
import { loadConfigFile, type LoadResult } from './load.js'
import type { ConfigProblem } from './problems.js'
import type { Config } from './schema.js'

export interface ConfigWatcherOptions {
  path: string
  env?: string
  environ?: Environ
  baseDir?: string
  /** The config already serving; without it the file is read once now to set the baseline. */
  current?: Readonly<Config>
  /** Called after a valid reload that changed something. Paths only, never values. */
  onChange?: (config: Readonly<Config>, changedKeys: string[]) => void
  /** Called when a reload is refused; the previous config is still the one to serve. */
  onError?: (problems: ConfigProblem[]) => void
  /** Quiet period after the last file event before reading; editors write in several steps. */
  debounceMs?: number
}

export interface ConfigWatcher {
  /** Re-reads the file now and calls `onChange` / `onError` as a file event would. */
  reload(): LoadResult
  close(): void
}

const ignoreChange = (): void => {}
const ignoreError = (): void => {}

export function createConfigWatcher(options: ConfigWatcherOptions): ConfigWatcher {
  const { path, onChange = ignoreChange, onError = ignoreError, debounceMs = 100 } = options
  const load = (): LoadResult =>
    loadConfigFile(path, { env: options.env, environ: options.environ, baseDir: options.baseDir })
  let current: Readonly<Config> | undefined = options.current
  if (current === undefined) {
    const initial = load()
    if (initial.ok) current = initial.config
  }

  const reload = (): LoadResult => {
    const result = load()
    if (!result.ok) {
      onError(result.problems)
      return result
    }
    const changed = changedKeys(current ?? {}, result.config)
    if (changed.length > 0) {
      onChange(result.config, changed)
      // Only once accepted: if onChange threw, the next reload offers the same change again.
      current = result.config
    }
    return result
  }

  // Other files in the directory (a sqlite journal, an editor's swap file) also raise events;
  // without this an invalid config would be re-reported on each of them.
  let lastText = readText(path)
  let timer: NodeJS.Timeout | undefined
  const fromTimer = (): void => {
    timer = undefined
    const text = readText(path)
    if (text === lastText) return
    lastText = text
    try {
      reload()
    } catch (error) {
      // A throwing onChange must not take the process down from a timer callback.
      onError([{ path, problem: `reload failed: ${error instanceof Error ? error.message : String(error)}` }])
    }
  }
  // Watch the directory, not the file: editors save by writing a new file and renaming it over
  // the old one, and Kubernetes ConfigMap volumes swap a `..data` symlink, neither of which a
  // watch on the file itself survives. Any event in the directory schedules a reload; an
  // unchanged config produces no callback.
  const watcher: FSWatcher = watch(dirname(path), { persistent: false }, () => {
    clearTimeout(timer)
    timer = setTimeout(fromTimer, debounceMs)
  })
  watcher.on('error', (error) => onError([{ path: dirname(path), problem: `watching stopped: ${error.message}` }]))

  return {
    reload,
    close() {
      clearTimeout(timer)
      timer = undefined
      watcher.close()
    },
  }
}

/** The file's content, or undefined while it cannot be read (reload then reports why). */
function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}
