// The web dashboard (docs/dashboard.md) on the admin port: GET / is its page and /dashboard/* its
// bundled assets, built into dist/dashboard by `npm run build` and read once here, so nothing is
// fetched from a network at run time. The files are public (they hold no data); every call the
// page makes carries the operator's token as a Bearer header, so a strict Content-Security-Policy
// (scripts and styles from this origin only, API calls to this origin only) is all the page needs.
// GET /v1/whoami tells the page the token's name and role, so it shows actions only to those allowed.
import { readdirSync, readFileSync } from 'node:fs'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { requireRole } from '../auth.js'
import type { AdminContext } from '../context.js'
import { adminError } from '../reply.js'

export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
}

interface Asset {
  readonly body: Buffer
  readonly type: string
}

/** dist/dashboard, found by walking up from this module (src/ or dist/src/) to Sluice's package root. */
function loadAssets(): Map<string, Asset> {
  for (let dir = new URL('.', import.meta.url); dir.pathname !== '/'; dir = new URL('..', dir)) {
    let name: string | undefined
    try {
      name = (JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string }).name
    } catch {
      continue // no package.json here; keep walking up
    }
    if (name !== 'sluice') continue
    const root = new URL('dist/dashboard/', dir)
    const assets = new Map<string, Asset>()
    try {
      for (const file of readdirSync(root)) {
        const type = TYPES[file.slice(file.lastIndexOf('.'))]
        if (type !== undefined) assets.set(file, { body: readFileSync(new URL(file, root)), type })
      }
    } catch {
      // not built: the routes say so
    }
    return assets
  }
  return new Map()
}

function send(reply: FastifyReply, asset: Asset): FastifyReply {
  return reply
    .header('content-type', asset.type)
    .header('content-security-policy', DASHBOARD_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache')
    .send(asset.body)
}

export function dashboardRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const assets = loadAssets()
  const notBuilt = 'The dashboard is not built: run `npm run build` (it writes dist/dashboard).'

  app.get('/', async (_request, reply) => {
    const page = assets.get('index.html')
    return page === undefined ? adminError(reply, 'SLUICE_ERR_ADMIN_NOT_FOUND', notBuilt) : send(reply, page)
  })

  app.get<{ Params: { file: string } }>('/dashboard/:file', async (request, reply) => {
    const asset = assets.get(request.params.file)
    if (asset === undefined) return adminError(reply, 'SLUICE_ERR_ADMIN_NOT_FOUND', assets.size === 0 ? notBuilt : `No dashboard file ${request.params.file}.`)
    return send(reply, asset)
  })

  app.get('/v1/whoami', { preHandler: requireRole(ctx.snapshot, 'viewer') }, async (request) => ({ name: request.actor!.name, role: request.actor!.role }))
}
