// Flag file reload, the same way config reload works (src/config/watch.ts, on the same file
// watch): re-read only when some file's text changed, and compile everything again. A set that
// fails to load or compile is refused with its problems and the last good set stays the one to
// serve; so does a set `onChange` refuses, and it is offered again at the next reload.
import { resolve } from 'node:path'
import { watchFiles } from '../config/file-watch.js'
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
  /**
   * The set serving now, asked at every reload. Pass it when something else also changes the set
   * (overrides, config reloads), so a change is judged against what serves. Without it the
   * watcher keeps its own baseline, set by reading the files once now and moved by each accepted
   * change.
   */
  current?: () => FlagSet
  /**
   * Called after a reload that changed the set, with the flag keys it changed and the sources it
   * was compiled from. Answer `{ ok: false }` (or throw) to refuse it: the next reload offers it
   * again, and reporting the refusal is the caller's. No answer accepts it.
   */
  onChange?: (
    flagSet: FlagSet,
    changedKeys: string[],
    warnings: string[],
    sources: FlagSource[],
  ) => { ok: true } | { ok: false; problems: string[] } | void
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

const acceptChange = (): void => {}
const ignoreError = (): void => {}
const compileFilesOnly = (sources: FlagSource[]): CompileResult => compileFlagSet(sources)

export function watchFlagSources(options: FlagWatcherOptions): FlagSourceWatcher {
  const { paths, onChange = acceptChange, onError = ignoreError, debounceMs = 100 } = options
  const { baseDir = process.cwd(), compile = compileFilesOnly } = options
  const load = (): { compiled: CompileResult; sources: FlagSource[] } => {
    const loaded = loadFlagSources(paths, baseDir)
    return loaded.ok ? { compiled: compile(loaded.sources), sources: loaded.sources } : { compiled: loaded, sources: [] }
  }
  let accepted: FlagSet | undefined
  if (options.current === undefined) {
    const initial = load().compiled
    if (initial.ok) accepted = initial.flagSet
  }
  const baseline = options.current ?? ((): FlagSet | undefined => accepted)

  const reload = (): CompileResult => {
    const { compiled, sources } = load()
    if (!compiled.ok) {
      onError(compiled.problems)
      return compiled
    }
    const current = baseline()
    if (current !== undefined && compiled.flagSet.revision === current.revision) return compiled
    const changed = current === undefined ? [...compiled.flagSet.keys] : changedFlagKeys(current, compiled.flagSet)
    const verdict = onChange(compiled.flagSet, changed, compiled.warnings, sources)
    if (verdict !== undefined && !verdict.ok) return verdict
    accepted = compiled.flagSet
    return compiled
  }

  const files = watchFiles({
    files: paths.map((path) => resolve(baseDir, path)),
    debounceMs,
    onChange: () => void reload(),
    onError: ({ path, problem }) => onError([`${path}: ${problem}`]),
  })

  return { reload, close: () => files.close() }
}
