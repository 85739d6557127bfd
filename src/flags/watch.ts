// Flag file reload, the same way config reload works (src/config/watch.ts): watch each file's
// directory (editors save by rename, Kubernetes swaps a `..data` symlink), debounce, re-read only
// when some file's text changed, and compile everything again. A set that fails to load or
// compile is refused with its problems and the last good set stays the one to serve.
import { readFileSync, watch, type FSWatcher } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { changedFlagKeys, compileFlagSet, type CompileResult, type FlagSet } from './compile.js'
import { loadFlagSources } from './document.js'
import type { FlagSource } from './types.js'

export interface FlagWatcherOptions {
  /** Flag files, relative to `baseDir`; named in problems as given. */
  paths: readonly string[]
  /** Default: the working directory. */
  baseDir?: string
  /**
   * Turns the files into a flag set; the place to add inline flags, runtime overrides and
   * built-ins. Called on every reload, so it can read the latest overrides. Default: the files
   * alone over the default built-ins.
   */
  compile?: (sources: FlagSource[]) => CompileResult
  /** The set already serving; without it the files are read once now to set the baseline. */
  current?: FlagSet
  /** Called after a reload that changed the set, with the flag keys it changed. */
  onChange?: (flagSet: FlagSet, changedKeys: string[], warnings: string[]) => void
  /** Called when a reload is refused; the previous set is still the one to serve. */
  onError?: (problems: string[]) => void
  /** Quiet period after the last file event before reading, in ms. Default 100. */
  debounceMs?: number
}

export interface FlagSourceWatcher {
  /** Reads and compiles now, calling `onChange` / `onError` as a file event would. */
  reload(): CompileResult
  close(): void
}

const ignoreChange = (): void => {}
const ignoreError = (): void => {}
const compileFilesOnly = (sources: FlagSource[]): CompileResult => compileFlagSet(sources)

export function watchFlagSources(options: FlagWatcherOptions): FlagSourceWatcher {
  const { paths, onChange = ignoreChange, onError = ignoreError, debounceMs = 100 } = options
  const { baseDir = process.cwd(), compile = compileFilesOnly } = options
  const load = (): CompileResult => {
    const loaded = loadFlagSources(paths, baseDir)
    return loaded.ok ? compile(loaded.sources) : loaded
  }
  let current = options.current
  if (current === undefined) {
    const initial = load()
    if (initial.ok) current = initial.flagSet
  }

  const reload = (): CompileResult => {
    const result = load()
    if (!result.ok) {
      onError(result.problems)
      return result
    }
    if (current === undefined || result.flagSet.revision !== current.revision) {
      const changed = current === undefined ? [...result.flagSet.keys] : changedFlagKeys(current, result.flagSet)
      onChange(result.flagSet, changed, result.warnings)
      // Only once accepted: if onChange threw, the next reload offers the same change again.
      current = result.flagSet
    }
    return result
  }

  const files = paths.map((path) => resolve(baseDir, path))
  // Unrelated files in the same directories raise events too; reload only when ours changed.
  const readAll = (): string => JSON.stringify(files.map(readText))
  let lastTexts = readAll()
  let timer: NodeJS.Timeout | undefined
  const fromTimer = (): void => {
    timer = undefined
    const texts = readAll()
    if (texts === lastTexts) return
    lastTexts = texts
    try {
      reload()
    } catch (error) {
      // A throwing onChange must not take the process down from a timer callback.
      onError([`flag reload failed: ${error instanceof Error ? error.message : String(error)}`])
    }
  }
  const schedule = (): void => {
    clearTimeout(timer)
    timer = setTimeout(fromTimer, debounceMs)
  }
  const watchers: FSWatcher[] = []
  for (const dir of new Set(files.map((file) => dirname(file)))) {
    try {
      const watcher = watch(dir, { persistent: false }, schedule)
      watcher.on('error', (error) => onError([`${dir}: watching stopped: ${error.message}`]))
      watchers.push(watcher)
    } catch (error) {
      onError([`${dir}: cannot watch: ${error instanceof Error ? error.message : String(error)}`])
    }
  }

  return {
    reload,
    close() {
      clearTimeout(timer)
      timer = undefined
      for (const watcher of watchers) watcher.close()
    },
  }
}

/** The file's content, or null while it cannot be read (reload then reports why). */
function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}
