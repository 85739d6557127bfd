// Shadow traffic (docs/shadow.md): `shadows` lists each shadow with its pairs, errors and skips;
// `shadows show` adds, per metric, the shadow − primary difference with its 95 % interval and each
// side's mean.
import { segment, type CtlCommand } from './command.js'
import { num } from './experiments.js'
import { cell, field, list, table } from './format.js'

const METRICS = ['latencyMs', 'ttftMs', 'inputTokens', 'outputTokens', 'costUsd'] as const

const skippedText = (s: unknown): string => {
  const skipped = field(s, 'skipped')
  return ['over_capacity', 'over_budget', 'untranslatable'].map((r) => `${r} ${num(field(skipped, r))}`).join(', ')
}

export function shadowsText(body: unknown): string {
  const shadows = list(body, 'shadows')
  if (shadows.length === 0) return 'No shadows configured.\n'
  const rows = shadows.map((s) => [
    cell(field(s, 'id')),
    field(s, 'mount') === null ? cell(field(s, 'model')) : `${cell(field(s, 'mount'))}:${cell(field(s, 'model'))}`,
    cell(field(s, 'target')),
    num(field(s, 'percent')),
    num(field(s, 'pairs')),
    num(field(s, 'primaryErrors')),
    num(field(s, 'shadowErrors')),
    num(field(s, 'inFlight')),
  ])
  return table(['ID', 'MODEL', 'TARGET', 'PERCENT', 'PAIRS', 'PRIMARY ERRORS', 'SHADOW ERRORS', 'IN FLIGHT'], rows)
}

export function shadowText(body: unknown): string {
  const s = field(body, 'shadow')
  const head = `Shadow ${cell(field(s, 'id'))} of ${cell(field(s, 'model'))} → ${cell(field(s, 'target'))}: ${num(field(s, 'pairs'))} pairs, errors ${num(field(s, 'primaryErrors'))} primary / ${num(field(s, 'shadowErrors'))} shadow; skipped: ${skippedText(s)}\n`
  const differences = field(s, 'differences')
  const rows = METRICS.map((metric) => {
    const d = field(differences, metric)
    return [metric, num(field(d, 'n')), num(field(d, 'primaryMean')), num(field(d, 'shadowMean')), num(field(d, 'mean')), num(field(d, 'ci95'))]
  })
  return head + table(['METRIC', 'PAIRS', 'PRIMARY MEAN', 'SHADOW MEAN', 'DIFFERENCE', '± 95 %'], rows)
}

export const shadowCommands: readonly CtlCommand[] = [
  {
    name: 'shadows',
    synopsis: '',
    summary: 'Every shadow: target, share, pairs and errors on both sides',
    role: 'viewer',
    positionals: [],
    async run({ client, print }) {
      print(await client.request('GET', '/v1/shadows'), shadowsText)
    },
  },
  {
    name: 'shadows show',
    synopsis: '<id>',
    summary: 'One shadow: per metric, shadow − primary with its 95 % interval',
    role: 'viewer',
    positionals: ['id'],
    async run({ client, args, print }) {
      print(await client.request('GET', `/v1/shadows/${segment(args[0] ?? '')}`), shadowText)
    },
  },
]
