// One benchmark server per child process, so the load generator, the emulator and each proxy do
// not share an event loop: `node dist/bench/servers.js <emulator|floor|bare|sluice> [upstreamUrl] [sqlite|memory|redisUrl]`,
// and for `npm run bench:unified` `emulators` (Bedrock, Gemini and Llama in one process) and
// `sluice-unified <emulators JSON>` (native mounts and one virtual model per provider).
// Sluice runs its whole pipeline: client auth, kill switches, control flags, a rate-limit rule
// and a budget (both enforced, both generous: the bench measures the cost of checking), decision
// log and metrics, on the embedded sqlite store by default (the default configuration); with
// `memory` on the in-memory store; with a redisUrl its state, limiter and spend are shared through Redis.
// An optional fourth argument for `sluice`, a JSON object, is merged over its config's top-level
// sections (`'{"log":{"decisions":false}}'`): how ablation runs take one part out at a time.
// Prints one JSON line `{"port": N}` when listening (`sluice` adds `"admin": N`, its admin port).
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import { Pool, type Dispatcher } from 'undici'
import proxy from '@fastify/http-proxy'
import { EMULATOR_CREDENTIALS, startEmulator } from '../src/emulators/index.js'
import { FLAG_ON, TRAFFIC_ON_FLAGS } from '../src/emulators/sluice-config.js'
import { startSluice } from '../src/main.js'
import { BENCH_CLIENT_KEY, BENCH_UPSTREAM_KEY, UNIFIED_MODELS } from './scenarios.js'
import { recordGcOnSignal } from './gc-recorder.js'

async function main(role: string | undefined, upstream: string | undefined, redisUrl: string | undefined, overrides: string | undefined): Promise<number | Record<string, number>> {
  switch (role) {
    case 'emulators': {
      const [bedrock, gemini, llama] = await Promise.all(
        (['bedrock', 'gemini', 'llama'] as const).map((type) => startEmulator(type, { port: 0, host: '127.0.0.1', auth: EMULATOR_CREDENTIALS[type] })),
      )
      return { port: bedrock!.port, bedrock: bedrock!.port, gemini: gemini!.port, llama: llama!.port }
    }
    case 'sluice-unified': {
      const ports = JSON.parse(upstream!) as Record<'bedrock' | 'gemini' | 'llama', number>
      const sluice = await startSluice({ configText: JSON.stringify(unifiedBenchConfig(ports)) })
      return Number(new URL(sluice.dataUrl).port)
    }
    case 'emulator': {
      const emulator = await startEmulator('openai', { port: 0, host: '127.0.0.1', auth: { apiKey: BENCH_UPSTREAM_KEY } })
      return emulator.port
    }
    case 'bare': {
      // The reference floor: a bare @fastify/http-proxy pass-through on the same mount path.
      const app = Fastify({ logger: false })
      await app.register(proxy, { upstream: upstream!, prefix: '/openai', rewritePrefix: '' })
      await app.listen({ port: 0, host: '127.0.0.1' })
      return (app.server.address() as { port: number }).port
    }
    case 'floor':
      return startFloor(upstream!)
    case 'sluice': {
      // The third argument picks the store: `sqlite` (the default configuration, in a temp dir),
      // `memory`, or a redis:// URL.
      const store = redisUrl ?? 'sqlite'
      const state =
        store === 'sqlite'
          ? { store: 'sqlite', path: mkdtempSync(join(tmpdir(), 'sluice-bench-')) }
          : store === 'memory'
            ? { store: 'memory' }
            : { store: 'redis', redis: { url: store } }
      const config = {
        server: { host: '127.0.0.1', port: 0 },
        admin: { port: 0 },
        state,
        providers: { openai: { type: 'openai', mount: '/openai', endpoint: upstream, apiKey: BENCH_UPSTREAM_KEY } },
        clients: [{ id: 'bench', tenant: 'bench', credentials: { apiKey: BENCH_CLIENT_KEY } }],
        flags: { ...TRAFFIC_ON_FLAGS, 'ai.ratelimit.enforce': FLAG_ON, 'ai.budget.enforce': FLAG_ON },
        rateLimits: { rules: [{ name: 'per-user', key: ['tenant', 'user'], requests: { limit: 1_000_000_000, windowSeconds: 60 } }] },
        budgets: { limits: { tenant: { scope: 'tenant', target: 'bench', limitUsd: 1_000_000, window: 'day' } } },
      }
      const configText = JSON.stringify(withOverrides(config, overrides))
      const sluice = await startSluice({ configText })
      // The admin port too: `npm run soak` reads the heap from its /metrics.
      return { port: Number(new URL(sluice.dataUrl).port), admin: Number(new URL(sluice.adminUrl).port) }
    }
    default:
      throw new Error(`unknown role ${String(role)}`)
  }
}

/** `base` with each top-level section of the JSON object `overrides` shallow-merged over its own. */
function withOverrides(base: Record<string, unknown>, overrides: string | undefined): Record<string, unknown> {
  if (overrides === undefined) return base
  const out: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(JSON.parse(overrides) as Record<string, unknown>)) {
    const own = out[key]
    out[key] = typeof own === 'object' && own !== null && typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...own, ...value } : value
  }
  return out
}

/**
 * The Node floor: plain `node:http` in, one undici `Pool.dispatch` out, bytes streamed
 * both ways with backpressure, no logic — the least any Node proxy can do.
 */
function startFloor(upstream: string): Promise<number> {
  const pool = new Pool(upstream, { connections: 256, keepAliveTimeout: 30_000 })
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const headers: Record<string, string> = {}
      for (const name in req.headers) if (name !== 'host' && name !== 'connection') headers[name] = String(req.headers[name])
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart() {},
        onResponseStart(controller, status, responseHeaders) {
          const out: Record<string, string | string[]> = {}
          for (const name in responseHeaders) if (name !== 'connection' && name !== 'keep-alive' && name !== 'transfer-encoding') out[name] = responseHeaders[name]!
          res.writeHead(status, out)
          res.on('drain', () => controller.resume())
        },
        onResponseData(controller, chunk) {
          if (!res.write(chunk)) controller.pause()
        },
        onResponseEnd() {
          res.end()
        },
        onResponseError() {
          res.destroy()
        },
      }
      pool.dispatch({ method: req.method as Dispatcher.HttpMethod, path: req.url!, headers, body: Buffer.concat(chunks) }, handler)
    })
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)))
}

/** The same gates as `sluice`; each provider both as a native mount and as a virtual model. */
function unifiedBenchConfig(ports: Record<'bedrock' | 'gemini' | 'llama', number>): Record<string, unknown> {
  const c = EMULATOR_CREDENTIALS
  const url = (port: number): string => `http://127.0.0.1:${port}`
  return {
    server: { host: '127.0.0.1', port: 0 },
    admin: { port: 0 },
    state: { store: 'memory' },
    providers: {
      // autocannon cannot SigV4-sign each request, so the Bedrock mount trusts its caller.
      bedrock: { type: 'bedrock', mount: '/bedrock', auth: 'none', region: c.bedrock.region, endpoint: url(ports.bedrock), credentials: { accessKeyId: c.bedrock.accessKeyId, secretAccessKey: c.bedrock.secretAccessKey } },
      google: { type: 'gemini', mount: '/google', endpoint: url(ports.gemini), apiKey: c.gemini.apiKey },
      meta: { type: 'llama', mount: '/meta', endpoint: url(ports.llama), apiKey: c.llama.apiKey },
    },
    models: {
      'bench-bedrock': { targets: [{ provider: 'bedrock', model: UNIFIED_MODELS.bedrock }] },
      'bench-gemini': { targets: [{ provider: 'google', model: UNIFIED_MODELS.gemini }] },
      'bench-llama': { targets: [{ provider: 'meta', model: UNIFIED_MODELS.llama }] },
    },
    clients: [{ id: 'bench', tenant: 'bench', credentials: { apiKey: BENCH_CLIENT_KEY } }],
    flags: { ...TRAFFIC_ON_FLAGS, 'ai.ratelimit.enforce': FLAG_ON, 'ai.budget.enforce': FLAG_ON },
    rateLimits: { rules: [{ name: 'per-user', key: ['tenant', 'user'], requests: { limit: 1_000_000_000, windowSeconds: 60 } }] },
    budgets: { limits: { tenant: { scope: 'tenant', target: 'bench', limitUsd: 1_000_000, window: 'day' } } },
  }
}

recordGcOnSignal() // npm run bench:gc (SLUICE_BENCH_GC)
main(process.argv[2], process.argv[3], process.argv[4], process.argv[5]).then(
  (port) => process.stdout.write(`${JSON.stringify(typeof port === 'number' ? { port } : port)}\n`),
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`)
    process.exit(1)
  },
)
