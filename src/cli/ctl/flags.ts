// Feature flags and activation sequences (docs/flags.md): flags list|get|set|reset, activate.
import { segment, type CtlCommand } from './command.js'
import { attribution, cell, field, list, table } from './format.js'

function flagsTable(body: unknown): string {
  const flags = list(body, 'flags')
  const rows = flags.map((f) => [
    cell(field(f, 'key')),
    cell(field(f, 'type')),
    cell(field(f, 'state')),
    cell(field(f, 'defaultVariant')),
    cell(field(f, 'origin')),
    attribution(field(f, 'override')),
  ])
  const header = `${flags.length} flags, revision ${cell(field(body, 'revision'))}\n`
  return header + table(['KEY', 'TYPE', 'STATE', 'DEFAULT', 'ORIGIN', 'OVERRIDE'], rows)
}

function flagDetail(body: unknown): string {
  const definition = field(body, 'definition')
  const lines = [
    `${cell(field(body, 'key'))} (${cell(field(body, 'type'))}, origin ${cell(field(body, 'origin'))})`,
    `state:    ${cell(field(definition, 'state'))}`,
    `default:  ${cell(field(definition, 'defaultVariant'))}`,
    `override: ${attribution(field(body, 'override'))}`,
    'definition:',
    JSON.stringify(definition ?? null, null, 2).replace(/^/gm, '  '),
  ]
  return lines.join('\n') + '\n'
}

export const flagCommands: readonly CtlCommand[] = [
  {
    name: 'flags list',
    synopsis: '',
    summary: 'Every flag: state, default variant, origin, override',
    role: 'viewer',
    positionals: [],
    async run({ client, print }) {
      print(await client.request('GET', '/v1/flags'), flagsTable)
    },
  },
  {
    name: 'flags get',
    synopsis: '<key>',
    summary: 'One flag: effective definition and override',
    role: 'viewer',
    positionals: ['key'],
    async run({ client, args, print }) {
      print(await client.request('GET', `/v1/flags/${segment(args[0] ?? '')}`), flagDetail)
    },
  },
  {
    name: 'flags set',
    synopsis: '<key> <variant> --reason R',
    summary: 'Override the flag to serve <variant> to everyone',
    role: 'operator',
    positionals: ['key', 'variant'],
    mutation: true,
    async run({ client, args, reason, print }) {
      const [key = '', variant = ''] = args
      // Empty targeting and ENABLED: the default variant is what every evaluation returns.
      const body = await client.request('PATCH', `/v1/flags/${segment(key)}`, { defaultVariant: variant, targeting: {}, state: 'ENABLED', reason })
      print(body, () => `${key} now serves ${variant} to everyone (override; reason: ${reason}).\nUndo with: sluice ctl flags reset ${key} --reason "..."\n`)
    },
  },
  {
    name: 'flags reset',
    synopsis: '<key> --reason R',
    summary: 'Drop the override; the configured definition applies',
    role: 'operator',
    positionals: ['key'],
    mutation: true,
    async run({ client, args, reason, print }) {
      const key = args[0] ?? ''
      const body = await client.request('DELETE', `/v1/flags/${segment(key)}/override`, { reason })
      print(body, () => `${key}: override removed, the configured definition applies (reason: ${reason}).\n`)
    },
  },
  {
    name: 'activate',
    synopsis: '<sequence> --reason R',
    summary: 'Apply a named bundle of flag values atomically',
    role: 'operator',
    positionals: ['sequence'],
    mutation: true,
    async run({ client, args, reason, print }) {
      const body = await client.request('POST', `/v1/activation/${segment(args[0] ?? '')}`, { reason })
      print(body, (b) => {
        const applied = field(b, 'applied')
        const pairs = applied !== null && typeof applied === 'object' ? Object.entries(applied) : []
        const rows = pairs.map(([flag, variant]) => [flag, cell(variant)])
        const rollouts = field(b, 'rollouts')
        const moved = rollouts !== null && typeof rollouts === 'object' ? Object.entries(rollouts).map(([id, action]) => `Rollout ${id}: ${cell(action)}\n`) : []
        return `Applied activation sequence ${cell(field(b, 'sequence') ?? args[0])} (reason: ${reason}):\n` + table(['FLAG', 'VARIANT'], rows) + moved.join('')
      })
    },
  },
]
