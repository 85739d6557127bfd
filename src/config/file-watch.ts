// Watching files for reload (docs/config.md): the config file (./watch.ts) and flag files
// (../flags/watch.ts) both use this. It only says "these files now read differently"; what the
// text means, and whether it is applied, is the caller's business.
import { readFileSync, watch, type FSWatcher } from 'node:fs'
import { dirname, resolve } from 'node:path'

export interface WatchProblem {
  /** The directory whose watch failed, or the first changed file when `onChange` threw. */
  path: string
  problem: string
}

export interface FileWatchOptions {
  /** Relative paths resolve against the working directory. */
  files: readonly string[]
  /**
   * Called once the files have been quiet for `debounceMs`, with the ones (as given) whose text
   * differs from the last call's, or from the start. Not called when every text is unchanged.
   */
  onChange: (changed: string[]) => void
  /** A watch that could not start or stopped, or an `onChange` that threw. */
  onError?: (problem: WatchProblem) => void
  /** Quiet period after the last file event before reading, in ms. Default 100. */
  debounceMs?: number
}

export interface FileWatch {
  close(): void
}

const ignoreProblem = (): void => {}

export function watchFiles(options: FileWatchOptions): FileWatch {
  const { files, onChange, onError = ignoreProblem, debounceMs = 100 } = options
  // Other files in the same directories (a sqlite journal, an editor's swap file) raise events
  // too; comparing texts keeps them from re-reporting a file that did not change.
  const lastTexts = new Map(files.map((file) => [file, readText(file)]))
  let timer: NodeJS.Timeout | undefined
  let closed = false

  const fromTimer = (): void => {
    timer = undefined
    const changed: string[] = []
    for (const file of files) {
      const text = readText(file)
      if (text === lastTexts.get(file)) continue
      lastTexts.set(file, text)
      changed.push(file)
    }
    if (changed.length === 0) return
    try {
      onChange(changed)
    } catch (error) {
      // A throw from a timer callback would take the process down.
      onError({ path: changed[0]!, problem: `reload failed: ${error instanceof Error ? error.message : String(error)}` })
    }
  }
  const schedule = (): void => {
    if (closed) return
    clearTimeout(timer)
    timer = setTimeout(fromTimer, debounceMs)
  }

  // Watch directories, not files: editors save by writing a new file and renaming it over the
  // old one, and Kubernetes ConfigMap volumes swap a `..data` symlink; a watch on the file
  // itself survives neither.
  const watchers: FSWatcher[] = []
  for (const dir of new Set(files.map((file) => dirname(resolve(file))))) {
    try {
      const watcher = watch(dir, { persistent: false }, schedule)
      watcher.on('error', (error) => onError({ path: dir, problem: `watching stopped: ${error.message}` }))
      watchers.push(watcher)
    } catch (error) {
      onError({ path: dir, problem: `cannot watch: ${error instanceof Error ? error.message : String(error)}` })
    }
  }

  return {
    close() {
      closed = true
      clearTimeout(timer)
      timer = undefined
      for (const watcher of watchers) watcher.close()
    },
  }
}

/** The file's content, or null while it cannot be read (the reload then reports why). */
function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}
