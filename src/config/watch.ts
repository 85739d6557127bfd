// Config reload (docs/config.md): the file is watched, and `reload()` is what SIGHUP calls. A valid
// change is offered to `onChange` with the keys it changed; an invalid one goes to `onError`. The
// baseline the next change is diffed against moves only when `onChange` accepts: the runtime may
// still refuse a config that loads (its flags must compile too), and a refused config must be
// offered again, not mistaken for the one serving.
import { changedKeys } from './diff.js'
import type { Environ } from './env-refs.js'
import { watchFiles } from './file-watch.js'
import { loadConfigFile, type LoadResult } from './load.js'
import { formatProblem, type ConfigProblem } from '../core/problems.js'
import type { Config } from './schema.js'

/** What `onChange` answers. */
export type ConfigVerdict = { ok: true } | { ok: false; problems: string[] }

export interface ConfigWatcherOptions {
  path: string
  env?: string
  environ?: Environ
  baseDir?: string
  /** The config already serving; without it the file is read once now to set the baseline. */
  current?: Readonly<Config>
  /**
   * Called with a valid config that differs from the baseline, and the keys it changed (paths
   * only, never values). Answer `{ ok: false }` (or throw) to refuse it: the baseline then stays,
   * so the next reload offers the same config again, and reporting the refusal is the caller's.
   * No answer accepts it.
   */
  onChange?: (config: Readonly<Config>, changedKeys: string[]) => ConfigVerdict | void
  /** Called when the file does not load; the previous config is still the one to serve. */
  onError?: (problems: ConfigProblem[]) => void
  /** Quiet period after the last file event before reading; editors write in several steps. */
  debounceMs?: number
}

/** A reload's outcome: applied (or nothing changed: `changedKeys` is empty), or refused by the loader or by `onChange`. */
export type ConfigReload =
  | { ok: true; config: Readonly<Config>; changedKeys: string[] }
  | { ok: false; problems: string[] }

export interface ConfigWatcher {
  /** Re-reads the file now and calls `onChange` / `onError` as a file event would. */
  reload(): ConfigReload
  close(): void
}

const acceptChange = (): void => {}
const ignoreError = (): void => {}

export function createConfigWatcher(options: ConfigWatcherOptions): ConfigWatcher {
  const { path, onChange = acceptChange, onError = ignoreError, debounceMs = 100 } = options
  const load = (): LoadResult =>
    loadConfigFile(path, { env: options.env, environ: options.environ, baseDir: options.baseDir })
  let current: Readonly<Config> | undefined = options.current
  if (current === undefined) {
    const initial = load()
    if (initial.ok) current = initial.config
  }

  const reload = (): ConfigReload => {
    const result = load()
    if (!result.ok) {
      onError(result.problems)
      return { ok: false, problems: result.problems.map(formatProblem) }
    }
    const changed = changedKeys(current ?? {}, result.config)
    if (changed.length === 0) return { ok: true, config: result.config, changedKeys: [] }
    const verdict = onChange(result.config, changed)
    if (verdict !== undefined && !verdict.ok) return verdict
    current = result.config
    return { ok: true, config: result.config, changedKeys: changed }
  }

  // An unchanged config (comments, formatting) produces no callback: `reload` diffs it away.
  const files = watchFiles({
    files: [path],
    debounceMs,
    onChange: () => void reload(),
    onError: (problem) => onError([problem]),
  })

  return { reload, close: () => files.close() }
}
