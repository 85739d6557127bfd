// The benchmark's child processes: a server role of dist/bench/servers.js (or another build's),
// announced by its first JSON line with a port, and a throwaway redis-server. No option parsing
// here, so every bench script (run, ablate, unified, soak) can use them with its own options.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'

export interface Server {
  readonly child: ChildProcess
  readonly port: number
  /** The whole announcement line (a server may announce more than its port). */
  readonly info: Record<string, unknown>
}

export function startServer(role: string, ...args: string[]): Promise<Server> {
  return startServerFrom(new URL('./servers.js', import.meta.url).pathname, role, ...args)
}

/** Runs another build's dist/bench/servers.js: a baseline Sluice side by side (SLUICE_BENCH_BASELINE). */
export function startServerFrom(script: string, role: string, ...args: string[]): Promise<Server> {
  const child = spawn(process.execPath, [script, role, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    const timer = setTimeout(() => reject(new Error(`${role} did not start`)), 15_000)
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)))
    // Sluice logs to stdout too; the announcement is the line with a port and no log message.
    const onLine = (line: string): void => {
      const parsed = JSON.parse(line) as { port?: number; msg?: string }
      if (typeof parsed.port !== 'number' || parsed.msg !== undefined) return
      clearTimeout(timer)
      lines.off('line', onLine)
      lines.close()
      child.stdout!.resume() // keep draining (and dropping) the decision log
      resolve({ child, port: parsed.port, info: parsed })
    }
    lines.on('line', onLine)
  })
}

/** A throwaway redis-server for the Redis-backed Sluice; skipped (with a note) when none is installed. */
export async function startRedisServer(): Promise<{ child: ChildProcess; url: string } | undefined> {
  const probe = spawnSync('redis-server', ['--version'])
  if (probe.error !== undefined) {
    process.stderr.write('redis-server not found: skipping the sluice-redis column\n')
    return undefined
  }
  const port = 20_000 + Math.floor(Math.random() * 20_000)
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start')), 10_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
  child.stdout!.resume()
  return { child, url: `redis://127.0.0.1:${port}` }
}
