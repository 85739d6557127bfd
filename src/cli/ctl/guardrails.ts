// Guardrails (docs/guardrails.md): `guardrails` shows the mode, each detector's action, fail mode
// and sides, and the counters since start.
import type { CtlCommand } from './command.js'
import { num } from './experiments.js'
import { cell, field, list, table } from './format.js'

export function guardrailsText(body: unknown): string {
  const mode = field(body, 'mode')
  const detectors = field(body, 'detectors')
  const rows = ['pii', 'credentials', 'injection', 'denyList'].map((name) => {
    const d = field(detectors, name)
    const on = field(d, 'on')
    return [name, cell(field(d, 'enabled')), cell(field(d, 'action')), cell(field(d, 'failMode')), Array.isArray(on) ? on.join(',') : '-']
  })
  const counters = field(body, 'counters')
  const checks = list(counters, 'checks').map((c) => [cell(field(c, 'detector')), cell(field(c, 'mode')), cell(field(c, 'outcome')), num(field(c, 'count'))])
  const would = list(counters, 'wouldBlock').map((c) => `${cell(field(c, 'detector'))} (${cell(field(c, 'side'))}) ${num(field(c, 'count'))}`)
  return [
    `Mode: ${cell(field(mode, 'value'))} (${cell(field(mode, 'reason'))}; targeting may differ per request)\n`,
    table(['DETECTOR', 'ENABLED', 'ACTION', 'FAIL MODE', 'ON'], rows),
    checks.length === 0 ? 'No checks yet.\n' : table(['DETECTOR', 'MODE', 'OUTCOME', 'CHECKS'], checks),
    would.length === 0 ? '' : `Would have blocked (log-only): ${would.join(', ')}\n`,
  ].join('')
}

export const guardrailCommands: readonly CtlCommand[] = [
  {
    name: 'guardrails',
    synopsis: '',
    summary: 'Guardrails: the mode, each detector\'s action and sides, checks and would-have-blocked counts',
    role: 'viewer',
    positionals: [],
    async run({ client, print }) {
      print(await client.request('GET', '/v1/guardrails'), guardrailsText)
    },
  },
]
