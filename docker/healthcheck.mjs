// The image's HEALTHCHECK: GET /healthz on the admin port, exit 0 if it answers 200, else 1.
// The port and address come from the config Sluice runs with (SLUICE_CONFIG, SLUICE_ENV, the same
// ${ENV} references), loaded by Sluice's own loader. SLUICE_HEALTHCHECK_URL overrides that, for
// `serve --admin-port N`. If the file no longer loads (a broken edit that Sluice refused, so the
// last good config still serves), the problems go to stderr and the image's default port is
// tried: a typo must not turn a running container unhealthy and get it restarted.
import { formatProblem, loadConfigFile } from '../dist/src/config/load.js'

const DEFAULT_URL = 'http://127.0.0.1:9901/healthz'

function healthUrl() {
  if (process.env.SLUICE_HEALTHCHECK_URL) return process.env.SLUICE_HEALTHCHECK_URL
  const path = process.env.SLUICE_CONFIG
  if (!path) return DEFAULT_URL
  const loaded = loadConfigFile(path, { env: process.env.SLUICE_ENV || undefined })
  if (!loaded.ok) {
    const problems = loaded.problems.map(formatProblem).join('; ')
    process.stderr.write(`healthcheck: ${path} does not load (${problems}); trying ${DEFAULT_URL}\n`)
    return DEFAULT_URL
  }
  const { host, port } = loaded.config.admin
  // A wildcard bind answers on loopback; anything else is dialled as configured.
  const address = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host
  return `http://${address}:${port}/healthz`
}

const url = healthUrl()
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) })
  if (!response.ok) process.stderr.write(`healthcheck: ${url} answered ${response.status}\n`)
  process.exitCode = response.ok ? 0 : 1
} catch (error) {
  process.stderr.write(`healthcheck: ${url}: ${error instanceof Error ? (error.cause?.message ?? error.message) : String(error)}\n`)
  process.exitCode = 1
}
