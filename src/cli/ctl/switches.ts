// Kill switches and emergency shutdown (docs/admin-api.md): kill, revive, kill-switches, emergency.
import type { AdminClient } from './client.js'
import { segment, type CtlCommand } from './command.js'
import { attribution, cell, field, list, table, time } from './format.js'
import { unmatchedKillTarget } from './kill-targets.js'

export const KILL_SCOPES = ['provider', 'model', 'route', 'client'] as const

function checkScope(args: readonly string[]): string | undefined {
  const scope = args[0] ?? ''
  if (scope === 'global') return 'scope global is the emergency shutdown: use `sluice ctl emergency on --reason R`'
  if (!(KILL_SCOPES as readonly string[]).includes(scope)) return `scope must be one of ${KILL_SCOPES.join(', ')} (got ${scope})`
  if ((args[1] ?? '').trim() === '') return 'target must not be empty'
  return undefined
}

/** The running config, or undefined if it cannot be read (the switch is on either way). */
async function configured(client: AdminClient): Promise<unknown> {
  try {
    return await client.request('GET', '/v1/config')
  } catch {
    return undefined
  }
}

const switchPath = (args: readonly string[]): string => `/v1/kill-switches/${segment(args[0] ?? '')}/${segment(args[1] ?? '')}`

export function killSwitchTable(switches: readonly unknown[]): string {
  if (switches.length === 0) return 'No kill switches are on.\n'
  const rows = switches.map((s) => [
    cell(field(s, 'scope')),
    cell(field(s, 'target')),
    cell(field(s, 'actor')),
    time(field(s, 'setAt')),
    cell(field(s, 'reason')),
  ])
  return table(['SCOPE', 'TARGET', 'ACTOR', 'SET AT', 'REASON'], rows)
}

export const switchCommands: readonly CtlCommand[] = [
  {
    name: 'kill',
    synopsis: '<scope> <target> --reason R',
    summary: 'Block traffic to a provider, model, route or client',
    role: 'operator',
    positionals: ['scope', 'target'],
    mutation: true,
    check: checkScope,
    async run({ client, args, reason, print, warn }) {
      // Performed first, checked after: in an incident the switch must not wait on a config read,
      // and a name not configured yet (a provider added later, a model id clients send) is legitimate.
      const body = await client.request('PUT', switchPath(args), { reason })
      print(body, () => `Kill switch on: ${args[0]} ${args[1]} (reason: ${reason}). Matching requests now get 503.\n`)
      const unmatched = await configured(client).then((config) => (config === undefined ? undefined : unmatchedKillTarget(args[0] ?? '', args[1] ?? '', config)))
      if (unmatched !== undefined) warn(unmatched)
    },
  },
  {
    name: 'revive',
    synopsis: '<scope> <target> --reason R',
    summary: 'Remove a kill switch',
    role: 'operator',
    positionals: ['scope', 'target'],
    mutation: true,
    check: checkScope,
    async run({ client, args, reason, print }) {
      const body = await client.request('DELETE', switchPath(args), { reason })
      print(body, () => `Kill switch off: ${args[0]} ${args[1]} (reason: ${reason}).\n`)
    },
  },
  {
    name: 'kill-switches',
    synopsis: '',
    summary: 'List the kill switches that are on',
    role: 'viewer',
    positionals: [],
    async run({ client, print }) {
      const body = await client.request('GET', '/v1/kill-switches')
      print(body, (b) => killSwitchTable(list(b, 'killSwitches')))
    },
  },
  {
    name: 'emergency',
    synopsis: 'on|off --reason R',
    summary: 'Emergency shutdown: stop (on) or resume (off) all traffic',
    role: 'admin',
    positionals: ['on|off'],
    mutation: true,
    check: (args) => (args[0] === 'on' || args[0] === 'off' ? undefined : `emergency takes on or off (got ${args[0] ?? ''})`),
    async run({ client, args, reason, print }) {
      const on = args[0] === 'on'
      const body = await client.request(on ? 'POST' : 'DELETE', '/v1/emergency-shutdown', { reason })
      print(body, () =>
        on
          ? `Emergency shutdown is ON: Sluice forwards no AI traffic (reason: ${reason}).\nUndo with: sluice ctl emergency off --reason "..."\n`
          : `Emergency shutdown is off: traffic flows again, subject to the other gates (reason: ${reason}).\n`,
      )
    },
  },
]

/** The global switch, if on, as one line for `status`. */
export function emergencyLine(switches: readonly unknown[]): string | undefined {
  const global = switches.find((s) => field(s, 'scope') === 'global')
  return global === undefined ? undefined : `EMERGENCY SHUTDOWN ON (${attribution(global)})`
}
