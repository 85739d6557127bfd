// A real redis-server per test file, on a free port, with persistence off and its files in a
// temp dir. The redis tests never skip: without redis-server they fail and say how to get it.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { connect, createServer, type Socket } from 'node:net'
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

/**
 * Clients of `url()` that fail fast while Redis is down (no offline queue, no retries per
 * request), as the stores under test ask of their callers, and reconnect by themselves every
 * 20 ms; `clients` lists them, `disconnectAll` in afterAll.
 */
export function fastFailClients(url: () => string): { client(): Promise<Redis>; readonly clients: readonly Redis[]; disconnectAll(): void } {
  const clients: Redis[] = []
  return {
    clients,
    async client() {
      const redis = new Redis(url(), { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 20 })
      redis.on('error', () => {})
      clients.push(redis)
      await once(redis, 'ready')
      return redis
    },
    disconnectAll() {
      for (const c of clients) c.disconnect()
    },
  }
}

export interface LatencyProxy {
  /** redis:// URL of the proxy; connect the client under test here instead of to the server. */
  readonly url: string
  readonly port: number
  /** Chunks forwarded so far, both directions. */
  readonly chunks: number
  /** Changes the delay range for chunks received from now on. */
  setDelay(minMs: number, maxMs: number): void
  /** Closes the listener and every proxied connection. */
  close(): Promise<void>
}

/**
 * A TCP proxy on 127.0.0.1 in front of `targetPort` that holds every chunk, in both directions,
 * for a random `minMs`–`maxMs` before forwarding it: a Redis that is slow but up. Chunks keep
 * their order (each leaves no earlier than the one before), so the byte stream stays intact.
 */
export async function startLatencyProxy(targetPort: number, minMs: number, maxMs: number): Promise<LatencyProxy> {
  let delay = { minMs, maxMs }
  let chunks = 0
  const sockets = new Set<Socket>()
  // One queue and one timer per direction: chunks leave strictly in arrival order (timers due at
  // the same moment may fire in any order, which would garble the RESP stream).
  const relay = (from: Socket, to: Socket): void => {
    const queue: Array<{ at: number; chunk: Buffer | null }> = []
    let timer: NodeJS.Timeout | undefined
    const pump = (): void => {
      timer = undefined
      while (queue.length > 0 && queue[0]!.at <= Date.now()) {
        const { chunk } = queue.shift()!
        if (chunk === null) to.end()
        else if (!to.destroyed) {
          chunks++
          to.write(chunk)
        }
      }
      if (queue.length > 0) timer = setTimeout(pump, queue[0]!.at - Date.now())
    }
    const push = (chunk: Buffer | null): void => {
      const last = queue.at(-1)?.at ?? 0
      queue.push({ at: Math.max(last, Date.now() + delay.minMs + Math.random() * (delay.maxMs - delay.minMs)), chunk })
      timer ??= setTimeout(pump, queue[0]!.at - Date.now())
    }
    from.on('data', (chunk: Buffer) => push(chunk))
    from.on('end', () => push(null)) // an end passes once the data before it has gone
    from.on('error', () => to.destroy())
    from.on('close', () => {
      if (queue.length === 0) to.destroy()
      else queue.push({ at: queue.at(-1)!.at, chunk: null })
    })
  }
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1')
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.once('close', () => sockets.delete(socket))
    }
    relay(client, upstream)
    relay(upstream, client)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  if (typeof address !== 'object' || address === null) throw new Error('proxy has no port')
  return {
    url: `redis://127.0.0.1:${address.port}`,
    port: address.port,
    get chunks() {
      return chunks
    },
    setDelay: (min, max) => void (delay = { minMs: min, maxMs: max }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
