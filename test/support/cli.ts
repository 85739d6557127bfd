// Runs the compiled `sluice` CLI in a child process (npm test builds first) and follows its
// stdout line by line: JSON log lines parsed, anything else as {text}. `sluice ctl` also runs in
// this process (runCtl): a child per command cost ~300 ms of Node startup each.
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { ctl } from '../../src/cli/ctl.js'

export const BIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url))

export type LogLine = Record<string, unknown>

export interface Running {
  readonly child: ChildProcess
  readonly lines: LogLine[]
  /** Resolves with the first stdout line (JSON log or `{text}`) that satisfies `match`, past or future. */
  until(match: (line: LogLine) => boolean): Promise<LogLine>
}

export function startCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Running {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: LogLine[] = []
  const waiters = new Set<{ match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }>()
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: LogLine
    try {
      line = JSON.parse(text) as LogLine
    } catch {
      line = { text }
    }
    lines.push(line)
    for (const waiter of waiters) {
      if (!waiter.match(line)) continue
      waiters.delete(waiter)
      waiter.resolve(line)
    }
  })
  return {
    child,
    lines,
    until(match) {
      const seen = lines.find(match)
      if (seen !== undefined) return Promise.resolve(seen)
      return new Promise((resolve, reject) => {
        waiters.add({ match, resolve })
        child.once('exit', (code) => reject(new Error(`exited with ${code} while waiting`)))
      })
    },
  }
}

export const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', resolve))

/** What one `sluice ctl` run printed and its exit code (null: the child died by a signal). */
export interface CtlResult {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/** `sluice ctl ...args` in this process: the entry main.ts calls, with `env` and the output captured. */
export async function runCtl(args: string[], env: NodeJS.ProcessEnv): Promise<CtlResult> {
  let stdout = ''
  let stderr = ''
  const status = await ctl(args, { env, out: (text) => (stdout += text), err: (text) => (stderr += text) })
  return { status, stdout, stderr }
}

/**
 * `sluice ctl ...args` as the compiled binary in a child process. Asynchronous on purpose: when
 * Sluice runs in the test process, a blocking spawnSync would stop it from answering.
 */
export function spawnCtl(args: string[], env: NodeJS.ProcessEnv): Promise<CtlResult> {
  const child = spawn(process.execPath, [BIN, 'ctl', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })))
}
