import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { watchFiles, type FileWatch, type WatchProblem } from './file-watch.js'

// Real files and real directory watches; only setTimeout is faked, so the debounce runs when the
// test says. File events arrive on their own: `eventSeen` waits for the one that arms the timer.
const DEBOUNCE_MS = 50

describe('watchFiles', () => {
  let dir: string
  let watch: FileWatch | undefined
  const changes: string[][] = []
  const problems: WatchProblem[] = []

  const start = (files: string[], onChange = (changed: string[]): void => void changes.push(changed)): FileWatch =>
    watchFiles({ files, debounceMs: DEBOUNCE_MS, onChange, onError: (problem) => problems.push(problem) })

  const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
  /** Waits (on real time) until a file event has scheduled the debounced read, then lets any sibling events in. */
  async function eventSeen(): Promise<void> {
    const deadline = performance.now() + 5_000
    while (vi.getTimerCount() === 0) {
      if (performance.now() > deadline) throw new Error('no file event within 5 s')
      await turn()
    }
    for (let i = 0; i < 3; i++) await turn()
  }

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    dir = mkdtempSync(join(tmpdir(), 'sluice-file-watch-'))
    writeFileSync(join(dir, 'a.yaml'), 'a: 1\n')
    changes.length = 0
    problems.length = 0
  })
  afterEach(() => {
    watch?.close()
    watch = undefined
    vi.useRealTimers()
    rmSync(dir, { recursive: true, force: true })
  })

  it('calls back once the files have been quiet for debounceMs, with the files that changed', async () => {
    const file = join(dir, 'a.yaml')
    watch = start([file])
    writeFileSync(file, 'a: 2\n')
    await eventSeen()
    vi.advanceTimersByTime(DEBOUNCE_MS - 1)
    expect(changes).toEqual([])
    vi.advanceTimersByTime(1)
    expect(changes).toEqual([[file]])
  })

  it('stays quiet when a file is rewritten with the same text, or another file in the directory changes', async () => {
    const file = join(dir, 'a.yaml')
    watch = start([file])
    writeFileSync(file, 'a: 1\n')
    writeFileSync(join(dir, 'other.db-journal'), 'x')
    await eventSeen()
    vi.runAllTimers()
    expect(changes).toEqual([])
  })

  it('watches each directory of several files and names only the changed ones', async () => {
    mkdirSync(join(dir, 'team'))
    const [a, b, c] = [join(dir, 'a.yaml'), join(dir, 'team', 'b.yaml'), join(dir, 'team', 'c.yaml')]
    writeFileSync(b, 'b: 1\n')
    writeFileSync(c, 'c: 1\n')
    watch = start([a, b, c])
    writeFileSync(c, 'c: 2\n')
    await eventSeen()
    vi.runAllTimers()
    expect(changes).toEqual([[c]])
  })

  it('follows a file replaced by rename, and counts a file appearing or vanishing as a change', async () => {
    const file = join(dir, 'a.yaml')
    const later = join(dir, 'later.yaml')
    watch = start([file, later])
    writeFileSync(join(dir, '.a.yaml.tmp'), 'a: 3\n')
    renameSync(join(dir, '.a.yaml.tmp'), file)
    await eventSeen()
    vi.runAllTimers()
    expect(changes).toEqual([[file]])

    writeFileSync(later, 'b: 1\n')
    rmSync(file)
    await eventSeen()
    vi.runAllTimers()
    expect(changes).toEqual([[file], [file, later]])
  })

  it('reports a throwing onChange instead of throwing from the timer, and keeps watching', async () => {
    const file = join(dir, 'a.yaml')
    let calls = 0
    watch = start([file], () => {
      calls++
      throw new Error('boom')
    })
    writeFileSync(file, 'a: 2\n')
    await eventSeen()
    expect(() => vi.runAllTimers()).not.toThrow()
    expect(problems).toEqual([{ path: file, problem: 'reload failed: boom' }])

    writeFileSync(file, 'a: 3\n')
    await eventSeen()
    vi.runAllTimers()
    expect(calls).toBe(2)
  })

  it('reports a directory it cannot watch', () => {
    const missing = join(dir, 'missing', 'a.yaml')
    watch = start([missing])
    expect(problems).toEqual([{ path: join(dir, 'missing'), problem: expect.stringMatching(/^cannot watch: .*ENOENT/) }])
  })

  it('close() drops a pending read', async () => {
    const file = join(dir, 'a.yaml')
    watch = start([file])
    writeFileSync(file, 'a: 2\n')
    await eventSeen()
    watch.close()
    expect(vi.getTimerCount()).toBe(0)
    expect(changes).toEqual([])
  })
})
