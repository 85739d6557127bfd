// Read-only overviews: status and the audit log.
import type { CtlCommand } from './command.js'
import { cell, duration, field, list, table, time } from './format.js'
import { emergencyLine, killSwitchTable } from './switches.js'

function statusText(body: unknown): string {
  const ready = field(body, 'ready') === true ? 'ready' : 'NOT READY'
  const environment = field(body, 'environment')
  const env = typeof environment === 'string' && environment !== '' ? `, environment ${environment}` : ''
  const lines = [`Sluice ${cell(field(body, 'version'))}${env}, up ${duration(field(body, 'uptimeSeconds'))}, ${ready}`]
  const switches = list(body, 'killSwitches')
  const emergency = emergencyLine(switches)
  if (emergency !== undefined) lines.push(emergency)

  const reload = field(body, 'lastReload')
  if (reload === null || reload === undefined) lines.push('config:  not reloaded since start')
  else if (field(reload, 'ok') === true) lines.push(`config:  last reload ${time(field(reload, 'at'))} ok`)
  else {
    lines.push(`config:  last reload ${time(field(reload, 'at'))} REFUSED, the previous config stays:`)
    for (const problem of list(reload, 'problems')) lines.push(`  ${cell(problem)}`)
  }
  const flags = field(body, 'flags')
  lines.push(`flags:   ${cell(field(flags, 'count'))} flags, revision ${cell(field(flags, 'revision'))}`)
  const store = field(body, 'store')
  const detail = field(store, 'detail')
  const storeState = field(store, 'ok') === true ? 'ok' : 'UNAVAILABLE'
  lines.push(`store:   ${cell(field(store, 'kind'))} ${storeState}${typeof detail === 'string' && detail !== '' ? ` (${detail})` : ''}`)

  const scoped = switches.filter((s) => field(s, 'scope') !== 'global')
  lines.push('', scoped.length === 0 ? 'Kill switches: none' : 'Kill switches:')
  const out = lines.join('\n') + '\n' + (scoped.length === 0 ? '' : killSwitchTable(scoped))
  const providers = list(body, 'providers').map((p) => [cell(field(p, 'name')), cell(field(p, 'type')), cell(field(p, 'mount'))])
  return `${out}\nProviders:\n${providers.length === 0 ? 'none\n' : table(['NAME', 'TYPE', 'MOUNT'], providers)}`
}

function auditTable(body: unknown): string {
  const entries = list(body, 'entries')
  if (entries.length === 0) return 'No audit entries.\n'
  const rows = entries.map((e) => [
    time(field(e, 'at')),
    cell(field(e, 'actor')),
    cell(field(e, 'action')),
    cell(field(e, 'target')),
    cell(field(e, 'reason')),
  ])
  return table(['AT', 'ACTOR', 'ACTION', 'TARGET', 'REASON'], rows)
}

const RELATIVE = /^(\d+)([smhd])$/
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** `--since`: an ISO time, or a span back from now (`30m`, `2h`, `7d`); undefined when unreadable. */
export function sinceTime(value: string, nowMs: number = Date.now()): string | undefined {
  const relative = RELATIVE.exec(value)
  if (relative !== null) return new Date(nowMs - Number(relative[1]) * (UNIT_MS[relative[2] ?? 's'] ?? 1_000)).toISOString()
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString()
}

export const statusCommands: readonly CtlCommand[] = [
  {
    name: 'status',
    synopsis: '',
    summary: 'Readiness, reload, flags, store, kill switches, providers',
    role: 'viewer',
    positionals: [],
    async run({ client, print }) {
      print(await client.request('GET', '/v1/status'), statusText)
    },
  },
  {
    name: 'audit',
    synopsis: '[--since TIME] [--limit N]',
    summary: 'Recent changes, newest first: who, what, why',
    role: 'viewer',
    positionals: [],
    options: ['since', 'limit'],
    async run({ client, since, limit, print }) {
      const query = new URLSearchParams()
      if (since !== undefined) query.set('since', since)
      if (limit !== undefined) query.set('limit', String(limit))
      const search = query.toString()
      print(await client.request('GET', search === '' ? '/v1/audit' : `/v1/audit?${search}`), auditTable)
    },
  },
]
