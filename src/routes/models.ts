// `GET /v1/models` and `GET /v1/models/{id}` of the unified endpoint (docs/unified.md): the virtual models
// from `models:`, in OpenAI's list format (https://platform.openai.com/docs/api-reference/models),
// behind the unified endpoint's client auth. Not AI traffic: no gates and no decision record.
import { randomUUID } from 'node:crypto'
import { authenticate } from '../auth/client-auth.js'
import type { Snapshot } from '../pipeline/snapshot.js'
import { sluiceError, type ErrorCode } from '../core/errors.js'
import type { VirtualModel } from '../core/target.js'
import { DEFAULT_REGION } from '../providers/bedrock-auth.js'
import { adapters } from '../providers/index.js'
import type { ClientChannel } from '../core/channel.js'
import { sendError } from '../upstream/channel.js'
import type { DataPlaneRequest } from '../core/channel.js'

export const MODELS_PATH = '/v1/models'

/** When this process started: OpenAI's `created` for models that have no date of their own. */
const STARTED = Math.floor(Date.now() / 1000)


function describe(model: VirtualModel): Record<string, unknown> {
  return { id: model.name, object: 'model', created: STARTED, owned_by: 'sluice' }
}

/** Serves a path equal to `/v1/models` or under it. */
export function handleModels(snapshot: Snapshot, req: DataPlaneRequest, channel: ClientChannel, path: string): void {
  const requestId = randomUUID()
  const fail = (code: ErrorCode, detail?: string): void => sendError(channel, adapters.openai, sluiceError(code, requestId, detail), 'deny')
  if (req.method !== 'GET') return fail('SLUICE_ERR_METHOD_NOT_ALLOWED', `${req.method ?? '?'} ${path}`)
  const request = { method: 'GET', path, query: '', headers: req.headers, body: Buffer.alloc(0) }
  // Bearer keys only: synchronous (a SigV4 header is not what the OpenAI SDK sends, and is refused).
  const auth = authenticate(snapshot, snapshot.config.unified.auth, adapters.openai, request, path, DEFAULT_REGION)
  if (auth instanceof Promise) return fail('SLUICE_ERR_AUTH_INVALID', 'Use a Bearer key.')
  if (!auth.ok) return fail(auth.code, auth.detail === '' ? undefined : auth.detail)
  let body: unknown
  if (path === MODELS_PATH) body = { object: 'list', data: [...snapshot.routing.models.values()].map(describe) }
  else {
    const id = safeDecode(path.slice(MODELS_PATH.length + 1))
    const model = id === undefined ? undefined : snapshot.routing.models.get(id)
    if (model === undefined) return fail('SLUICE_ERR_VIRTUAL_MODEL_NOT_FOUND', `Model: ${id ?? path}.`)
    body = describe(model)
  }
  const text = JSON.stringify(body)
  channel.replay(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), 'x-sluice-request-id': requestId }, text)
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text)
  } catch {
    return undefined
  }
}
