// Bandits over virtual models' targets (docs/bandits.md): `bandits` lists each bandit's mode and,
// per arm, its share of requests, posterior mean, evidence and any exclusion.
import type { CtlCommand } from './command.js'
import { cell, field, list, table } from './format.js'
import { num } from './experiments.js'

const share = (x: unknown): string => (typeof x === 'number' && Number.isFinite(x) ? (x * 100).toFixed(1) : '-')

export function banditsText(body: unknown): string {
  const bandits = list(body, 'bandits')
  if (bandits.length === 0) return 'No bandits (no virtual model has one configured).\n'
  return bandits
    .map((b) => {
      const rows = list(b, 'arms').map((a) => [
        cell(field(a, 'arm')),
        share(field(a, 'share')),
        num(field(a, 'mean')),
        num(field(a, 'successes')),
        num(field(a, 'failures')),
        num(field(a, 'attempts')),
        num(field(a, 'errors')),
        cell(field(a, 'excluded')),
      ])
      return `Bandit on model ${cell(field(b, 'model'))} (mode ${cell(field(b, 'mode'))}):\n` + table(['ARM', 'SHARE %', 'MEAN', 'SUCCESSES', 'FAILURES', 'ATTEMPTS', 'ERRORS', 'EXCLUDED'], rows)
    })
    .join('\n')
}

export const banditCommands: readonly CtlCommand[] = [
  {
    name: 'bandits',
    synopsis: '',
    summary: 'Each bandit: mode, and per arm its share, mean and evidence',
    role: 'viewer',
    positionals: [],
    async run({ client, print }) {
      print(await client.request('GET', '/v1/bandits'), banditsText)
    },
  },
]
