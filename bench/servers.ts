// One benchmark server per child process, so the load generator, the emulator and each proxy do
// not share an event loop: `node dist/bench/servers.js <emulator|bare|sluice> [upstreamUrl] [redisUrl]`.
// Sluice runs its whole pipeline: client auth, kill switches, control flags, a rate-limit rule
// and a budget (both enforced, both generous: the bench measures the cost of checking), decision
// log and metrics; with a redisUrl its state, limiter and spend are shared through Redis.
// Prints one JSON line `{"port": N}` when listening.
import Fastify from 'fastify'
import proxy from '@fastify/http-proxy'
import { startEmulator } from '../src/emulators/index.js'
import { FLAG_ON, TRAFFIC_ON_FLAGS } from '../src/emulators/sluice-config.js'
import { startSluice } from '../src/main.js'
import { BENCH_CLIENT_KEY, BENCH_UPSTREAM_KEY } from './scenarios.js'

async function main(role: string | undefined, upstream: string | undefined, redisUrl: string | undefined): Promise<number> {
  switch (role) {
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
    case 'sluice': {
      const configText = JSON.stringify({
        server: { host: '127.0.0.1', port: 0 },
        admin: { port: 0 },
        state: redisUrl === undefined ? { store: 'memory' } : { store: 'redis', redis: { url: redisUrl } },
        providers: { openai: { type: 'openai', mount: '/openai', endpoint: upstream, apiKey: BENCH_UPSTREAM_KEY } },
        clients: [{ id: 'bench', tenant: 'bench', credentials: { apiKey: BENCH_CLIENT_KEY } }],
        flags: { ...TRAFFIC_ON_FLAGS, 'ai.ratelimit.enforce': FLAG_ON, 'ai.budget.enforce': FLAG_ON },
        rateLimits: { rules: [{ name: 'per-user', key: ['tenant', 'user'], requests: { limit: 1_000_000_000, windowSeconds: 60 } }] },
        budgets: { limits: { tenant: { scope: 'tenant', target: 'bench', limitUsd: 1_000_000, window: 'day' } } },
      })
      const sluice = await startSluice({ configText })
      return Number(new URL(sluice.dataUrl).port)
    }
    default:
      throw new Error(`unknown role ${String(role)}`)
  }
}

main(process.argv[2], process.argv[3], process.argv[4]).then(
  (port) => process.stdout.write(`${JSON.stringify({ port })}\n`),
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`)
    process.exit(1)
  },
)
