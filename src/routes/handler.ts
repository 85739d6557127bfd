// The data plane's entry point: one handler for HTTP/1.1 and h2c requests that sends each path to
// its route — OFREP flag evaluation, the unified endpoint's model list, experiment events, and every AI request
// (native mounts and POST /v1/chat/completions) to the gate pipeline (pipeline/run.ts).
import type { ServerResponse } from 'node:http'
import type { Http2ServerResponse } from 'node:http2'
import { randomUUID } from 'node:crypto'
import { sluiceError } from '../core/errors.js'
import { handleOfrep } from '../ofrep/handler.js'
import { guessDialect } from '../pipeline/dialect.js'
import { runPipeline, type DataPlaneDeps } from '../pipeline/run.js'
import { type DataPlaneRequest } from '../core/channel.js'
import { findMount } from '../pipeline/snapshot.js'
import { ResponseChannel, sendError } from '../upstream/channel.js'
import { EVENTS_PATH, handleEvents } from './events.js'
import { handleModels, MODELS_PATH } from './models.js'

export function createRequestHandler(deps: DataPlaneDeps): (req: DataPlaneRequest, res: ServerResponse | Http2ServerResponse) => void {
  const now = deps.now ?? ((): number => performance.now())
  return (req, res) => {
    const arrivedAt = now()
    const snapshot = deps.snapshot()
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const fullPath = q === -1 ? url : url.slice(0, q)
    const channel = new ResponseChannel(res)
    // RFC 9112 §3.2: an HTTP/1.1 request without Host is refused — here in the client's dialect.
    if (req.httpVersionMajor === 1 && req.httpVersionMinor === 1 && req.headers.host === undefined) {
      const error = sluiceError('SLUICE_ERR_HEADER_INVALID', randomUUID(), 'HTTP/1.1 requires a Host header.')
      return sendError(channel, guessDialect(fullPath, req.headers), error, 'deny', true)
    }
    // OFREP is flag evaluation for applications, not AI traffic: no mount, gates or decision record.
    if (fullPath.startsWith('/ofrep/')) return handleOfrep(deps, snapshot, req, channel, fullPath)
    if (fullPath === EVENTS_PATH) return handleEvents(deps, snapshot, req, channel)
    if (fullPath === MODELS_PATH || fullPath.startsWith(`${MODELS_PATH}/`)) return handleModels(snapshot, req, channel, fullPath)
    runPipeline(deps, snapshot, findMount(snapshot, fullPath), req, channel, fullPath, q === -1 ? '' : url.slice(q + 1), arrivedAt)
  }
}
