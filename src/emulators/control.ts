// The control endpoints under `/__emulator/`, through which other processes (benchmarks,
// `sluice demo`) script an emulator and read what it saw. Listed in index.ts; no auth, not recorded.
import type { RequestLog } from './request-log.js'
import { parseBehaviours, parseDefaults, type Script } from './script.js'

export const CONTROL_PREFIX = '/__emulator/'

export interface ControlAnswer {
  readonly status: number
  readonly body: unknown
}

/** @param action `METHOD name`, e.g. `POST script` for `POST /__emulator/script` */
export function control(action: string, body: unknown, script: Script, requests: RequestLog, type: string): ControlAnswer {
  try {
    switch (action) {
      case 'POST script':
        script.enqueue(...parseBehaviours(body))
        return { status: 200, body: { pending: script.pending } }
      case 'POST defaults':
        script.setDefaults(parseDefaults(body))
        return { status: 200, body: { defaults: script.defaults } }
      case 'POST reset-script':
        script.reset()
        return { status: 200, body: { pending: 0, defaults: script.defaults } }
      case 'GET stats':
        return { status: 200, body: { type, ...requests.stats(), pending: script.pending, defaults: script.defaults } }
      case 'GET requests':
        return { status: 200, body: requests.entries }
      case 'POST reset-requests':
        requests.clear()
        return { status: 200, body: { total: 0 } }
      default:
        return { status: 404, body: { error: `no control endpoint ${action}` } }
    }
  } catch (err) {
    return { status: 400, body: { error: (err as Error).message } }
  }
}
