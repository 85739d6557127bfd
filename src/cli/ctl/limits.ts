// Read-only views of rate limits and budgets.
import type { CtlCommand } from './command.js'
import { cell, field, list, table, time } from './format.js'

const syncTime = (ms: unknown): string => (typeof ms === 'number' ? time(new Date(ms).toISOString()) : 'never')
const usd = (value: unknown): string => (typeof value === 'number' ? `$${value.toFixed(4)}` : cell(value))

function enforcement(body: unknown): string {
  return field(field(body, 'enforce'), 'value') === true ? 'enforced' : 'monitor only (not enforced)'
}

function budgetsText(body: unknown): string {
  const rows = list(body, 'budgets').map((b) => [
    cell(field(b, 'budget')),
    `${cell(field(b, 'scope'))} ${cell(field(b, 'value'))}`,
    `${cell(field(b, 'window'))} ${cell(field(b, 'windowKey'))}`,
    usd(field(b, 'spentUsd')),
    usd(field(b, 'reservedUsd')),
    usd(field(b, 'limitUsd')),
    list(b, 'crossed').map((p) => `${cell(p)} %`).join(', '),
  ])
  const sync = field(body, 'sync')
  const syncLine =
    sync === null || sync === undefined
      ? ''
      : `spend store: ${field(sync, 'ok') === true ? 'ok' : `UNREACHABLE (${cell(field(sync, 'error'))})`}, last sync ${syncTime(field(sync, 'lastSyncAtMs'))}\n`
  const head = `Budgets: ${enforcement(body)}\n${syncLine}`
  return rows.length === 0 ? `${head}No spend recorded in any configured budget yet.\n` : head + table(['BUDGET', 'SCOPE', 'WINDOW', 'SPENT', 'RESERVED', 'LIMIT', 'CROSSED'], rows)
}

function rateLimitsText(body: unknown): string {
  const rows = list(body, 'rules').map((r) => {
    const requests = field(r, 'requests')
    const tokens = field(r, 'tokens')
    return [
      cell(field(r, 'name')),
      list(r, 'key').map(cell).join(',') || '(shared)',
      requests === undefined ? '' : `${cell(field(requests, 'limit'))}/${cell(field(requests, 'windowSeconds'))}s`,
      tokens === undefined ? '' : `${cell(field(tokens, 'limit'))}/${cell(field(tokens, 'windowSeconds'))}s`,
      cell(field(r, 'concurrent') ?? ''),
    ]
  })
  const head = `Rate limits: ${enforcement(body)}, ${field(body, 'shared') === true ? 'shared through Redis' : 'local to this replica'}\n`
  return rows.length === 0 ? `${head}No rules configured.\n` : head + table(['RULE', 'KEY', 'REQUESTS', 'TOKENS', 'CONCURRENT'], rows)
}

export const limitCommands: readonly CtlCommand[] = [
  {
    name: 'budgets',
    synopsis: '',
    summary: 'Spend against each budget: spent, reserved, limit, thresholds crossed',
    role: 'viewer',
    positionals: [],
    async run({ client, print }) {
      print(await client.request('GET', '/v1/budgets'), budgetsText)
    },
  },
  {
    name: 'rate-limits',
    synopsis: '',
    summary: 'Rate-limit rules and whether they are enforced',
    role: 'viewer',
    positionals: [],
    async run({ client, print }) {
      print(await client.request('GET', '/v1/rate-limits'), rateLimitsText)
    },
  },
]
