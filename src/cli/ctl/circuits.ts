// Circuit breakers per upstream target (docs/resilience.md): circuits, circuits reset.
import { segment, type CtlCommand } from './command.js'
import { cell, duration, field, list, table, time } from './format.js'

const seconds = (ms: unknown): string => (typeof ms === 'number' ? duration(ms / 1000) : cell(ms))

/** The settings every circuit shares, as one sentence. */
function settingsLine(settings: unknown): string {
  const failOn = list(settings, 'failOn').map(cell).join(', ')
  return (
    `a circuit opens when more than ${cell(field(settings, 'errorThresholdPercent'))} % of at least ` +
    `${cell(field(settings, 'volumeThreshold'))} attempts in ${seconds(field(settings, 'windowMs'))} fail (${failOn}), ` +
    `and lets one probe through after ${seconds(field(settings, 'resetTimeoutMs'))}`
  )
}

export function circuitsText(body: unknown): string {
  if (field(body, 'enabled') !== true) return 'Circuit breakers are off (resilience.circuitBreaker.enabled: false).\n'
  const circuits = list(body, 'circuits')
  if (circuits.length === 0) return 'Circuit breakers are on; no upstream target has a circuit yet.\n'
  const rows = circuits.map((c) => {
    const window = field(c, 'window')
    const state = field(c, 'state')
    const retry = field(c, 'retryAfterSeconds')
    return [
      cell(field(c, 'id')),
      cell(state),
      cell(field(window, 'attempts')),
      cell(field(window, 'failures')),
      cell(field(window, 'rejects')),
      time(field(c, 'openedAt')),
      state === 'closed' || retry === 0 ? '-' : duration(retry),
    ]
  })
  const head = `Circuit breakers: on; ${settingsLine(field(circuits[0], 'settings'))}.\n`
  return head + table(['TARGET', 'STATE', 'ATTEMPTS', 'FAILURES', 'REJECTS', 'OPENED AT', 'PROBE IN'], rows)
}

export const circuitCommands: readonly CtlCommand[] = [
  {
    name: 'circuits',
    synopsis: '',
    summary: 'Circuit breakers per upstream target: state, counts, next probe',
    role: 'viewer',
    positionals: [],
    async run({ client, print }) {
      print(await client.request('GET', '/v1/circuits'), circuitsText)
    },
  },
  {
    name: 'circuits reset',
    synopsis: '<target> --reason R',
    summary: 'Close a circuit and clear its counts (this instance only)',
    role: 'operator',
    positionals: ['target'],
    mutation: true,
    check: (args) => ((args[0] ?? '').includes('/') ? undefined : `target is a circuit id, <provider>/<model> or <provider>/* (got ${args[0] ?? ''})`),
    async run({ client, args, reason, print }) {
      const target = args[0] ?? ''
      const body = await client.request('POST', `/v1/circuits/${segment(target)}/reset`, { reason })
      print(body, (b) => `Circuit ${target} reset: closed, counts cleared (was ${cell(field(b, 'before'))}; reason: ${reason}).\n`)
    },
  },
]
