// A real redis-server per test file, on a free port, with persistence off and its files in a
// temp dir. The redis tests never skip: without redis-server they fail and say how to get it.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'

export interface RedisServer {
  readonly url: string
  readonly port: number
  /** SIGTERM, wait for exit and remove its temp dir; the data is gone (no persistence). The cleanup. */
  stop(): Promise<void>
  /** Starts it again on the same port (stopping it first if it runs). */
  restart(): Promise<void>
  /** SIGKILL and wait for exit, like a crash. */
  kill(): Promise<void>
}

const missing = 'redis-server is not on PATH; the redis state tests need it (Debian/Ubuntu: apt-get install redis-server)'

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

/** Resolves once the server logs that it accepts connections; rejects if it exits first. */
function spawnServer(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir])
  return new Promise((resolve, reject) => {
    let output = ''
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      if (output.includes('Ready to accept connections')) {
        child.stdout?.off('data', onData)
        child.off('exit', onExit)
        resolve(child)
      }
    }
    const onExit = (code: number | null): void => reject(new Error(`redis-server exited with ${code} before it was ready:\n${output}`))
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => void (output += chunk.toString()))
    child.once('exit', onExit)
    child.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? new Error(missing) : err))
  })
}

async function ping(url: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 })
  try {
    await client.connect()
    if ((await client.ping()) !== 'PONG') throw new Error(`redis-server at ${url} did not answer PING`)
  } finally {
    client.disconnect()
  }
}

function signal(child: ChildProcess | undefined, name: NodeJS.Signals): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill(name)
  })
}

export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-redis-'))
  const port = await freePort()
  const url = `redis://127.0.0.1:${port}`
  let child: ChildProcess | undefined
  // A test process that dies without cleanup must not leave a server behind.
  const killOnExit = (): void => void child?.kill('SIGKILL')
  const start = async (): Promise<void> => {
    mkdirSync(dir, { recursive: true })
    child = await spawnServer(port, dir)
    process.off('exit', killOnExit)
    process.once('exit', killOnExit)
    await ping(url)
  }
  await start()
  return {
    url,
    port,
    stop: async () => {
      await signal(child, 'SIGTERM')
      process.off('exit', killOnExit)
      rmSync(dir, { recursive: true, force: true })
    },
    restart: async () => {
      await signal(child, 'SIGTERM')
      await start()
    },
    kill: () => signal(child, 'SIGKILL'),
  }
}
