// Canary rollouts (docs/rollouts.md): `rollouts` lists each one's status, step and canary share;
// `rollouts show` adds each health metric's verdict against stable and what the judge would do
// now; the actions start, pause, resume, promote, rollback, stop and complete take a reason.
import { segment, type CtlCommand } from './command.js'
import { num } from './experiments.js'
import { cell, field, list, table } from './format.js'

function stepText(r: unknown): string {
  const step = field(r, 'step')
  return step === null || step === undefined ? '-' : `${cell(field(step, 'number'))}/${cell(field(step, 'of'))}`
}

export function rolloutsText(body: unknown): string {
  const rollouts = list(body, 'rollouts')
  if (rollouts.length === 0) return 'No rollouts configured.\n'
  const rows = rollouts.map((r) => [cell(field(r, 'id')), cell(field(r, 'model')), cell(field(r, 'status')), stepText(r), num(field(r, 'canaryPercent')), cell(field(r, 'stable')), cell(field(r, 'canary'))])
  return table(['ID', 'MODEL', 'STATUS', 'STEP', 'CANARY %', 'STABLE', 'CANARY'], rows)
}

export function rolloutText(body: unknown): string {
  const r = field(body, 'rollout')
  const lines = [
    `Rollout ${cell(field(r, 'id'))} on ${cell(field(r, 'model'))}: ${cell(field(r, 'status'))}, step ${stepText(r)}, canary ${num(field(r, 'canaryPercent'))} % (run ${cell(field(r, 'run'))})\n`,
    `  stable ${cell(field(r, 'stable'))}, canary ${cell(field(r, 'canary'))}; reason: ${cell(field(r, 'reason'))}\n`,
  ]
  const arms = field(r, 'arms')
  lines.push(
    table(
      ['ARM', 'REQUESTS', 'ERRORS', 'ERROR RATE', 'LATENCY MS (GEO MEAN)', 'COST USD (MEAN)'],
      (['stable', 'canary'] as const).map((name) => {
        const a = field(arms, name)
        return [name, num(field(a, 'requests')), num(field(a, 'errors')), num(field(a, 'errorRate')), num(field(a, 'latencyMsGeometricMean')), num(field(a, 'costUsdMean'))]
      }),
    ),
  )
  const judgement = field(r, 'judgement')
  if (judgement !== null && judgement !== undefined) {
    lines.push(table(['METRIC', 'VERDICT', 'WHY'], list(judgement, 'metrics').map((m) => [cell(field(m, 'metric')), cell(field(m, 'verdict')), cell(field(m, 'reason'))])))
    lines.push(`Judge now: ${cell(field(judgement, 'decision'))} — ${list(judgement, 'reasons').map(cell).join('; ')}\n`)
  }
  return lines.join('')
}

const ACTIONS = {
  start: 'Start a new run from step 1 (from pending, stopped, rolled back or complete)',
  pause: 'Hold the current step (a worse canary is still rolled back)',
  resume: 'Resume a paused rollout (time paused counts toward the step)',
  promote: 'Skip the current step\'s checks: to the next step, or complete',
  rollback: 'Canary to 0 % on every replica',
  stop: 'Take the canary out without calling it a failure',
  complete: 'Canary to 100 % at once',
} as const

const action = (name: keyof typeof ACTIONS): CtlCommand => ({
  name: `rollouts ${name}`,
  synopsis: '<id> --reason R',
  summary: ACTIONS[name],
  role: 'operator',
  positionals: ['id'],
  mutation: true,
  async run({ client, args, reason, print }) {
    const id = args[0] ?? ''
    const body = name === 'start' ? await client.request('POST', '/v1/rollouts', { id, reason }) : await client.request('POST', `/v1/rollouts/${segment(id)}/${name}`, { reason })
    print(body, (b) => {
      const r = field(b, 'rollout')
      return `Rollout ${id} is now ${cell(field(r, 'status'))}, canary ${num(field(r, 'canaryPercent'))} % (reason: ${reason}).\n`
    })
  },
})

export const rolloutCommands: readonly CtlCommand[] = [
  {
    name: 'rollouts',
    synopsis: '',
    summary: 'Every rollout: status, step, canary share, targets',
    role: 'viewer',
    positionals: [],
    async run({ client, print }) {
      print(await client.request('GET', '/v1/rollouts'), rolloutsText)
    },
  },
  {
    name: 'rollouts show',
    synopsis: '<id>',
    summary: 'One rollout: arms, each health metric\'s verdict, what the judge would do now',
    role: 'viewer',
    positionals: ['id'],
    async run({ client, args, print }) {
      print(await client.request('GET', `/v1/rollouts/${segment(args[0] ?? '')}`), rolloutText)
    },
  },
  ...(Object.keys(ACTIONS) as (keyof typeof ACTIONS)[]).map(action),
]
