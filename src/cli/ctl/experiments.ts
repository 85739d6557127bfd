// A/B/n experiments (docs/experiments.md): experiments [list], show, results, and the
// lifecycle changes start, stop, conclude. The results text follows results-types.ts: users and
// the SRM check, a table per metric, the decision, and the primary metric's sample-size progress.
import { segment, type CtlCommand } from './command.js'
import { cell, field, list, table } from './format.js'

/** A number in at most four significant digits, as plain as it reads: `0.7`, `1234`, `0.0001235`. */
export function num(value: unknown): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '-'
  if (Number.isInteger(value) || Math.abs(value) >= 1000) return String(Math.round(value))
  return String(Number(value.toPrecision(4)))
}

/** A relative change as a signed percentage: `+12.3%`. */
const signed = (x: unknown): string => (typeof x === 'number' && Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%` : '-')
const percent = (x: unknown): string => (typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '-')
const pValue = (x: unknown): string => (typeof x !== 'number' || !Number.isFinite(x) ? '-' : x < 0.0001 ? '<0.0001' : x.toFixed(4))
/** A section that is `{ ok: true, ... }`, else undefined (the statistics library's Unavailable). */
const ok = (section: unknown): unknown => (field(section, 'ok') === true ? section : undefined)

function interval(section: unknown): string {
  const bounds = field(ok(section), 'interval')
  return Array.isArray(bounds) && bounds.length === 2 ? `[${signed(bounds[0])}, ${signed(bounds[1])}]` : '-'
}

/** `a(1)*, b(1)`: name(weight), the control starred. */
const variantList = (e: unknown): string =>
  list(e, 'variants')
    .map((v) => `${cell(field(v, 'name'))}(${cell(field(v, 'weight'))})${field(v, 'control') === true ? '*' : ''}`)
    .join(', ')

export function experimentsText(body: unknown): string {
  const experiments = list(body, 'experiments')
  if (experiments.length === 0) return 'No experiments (experiments: in the config, or POST /v1/experiments).\n'
  const rows = experiments.map((e) => [
    cell(field(e, 'key')),
    cell(field(e, 'status')),
    cell(field(e, 'model')),
    variantList(e),
    cell(field(e, 'primaryMetric')),
    cell(field(e, 'winner')),
    cell(field(e, 'source')),
  ])
  return table(['KEY', 'STATUS', 'MODEL', 'VARIANTS', 'PRIMARY', 'WINNER', 'SOURCE'], rows) + '(* the control variant)\n'
}

export function experimentText(body: unknown): string {
  const e = field(body, 'experiment')
  const definition = field(e, 'definition')
  const guardrails = list(definition, 'guardrailMetrics').filter((m) => m !== field(e, 'primaryMetric')).map(cell).join(', ') || '-'
  const lines = [
    `Experiment ${cell(field(e, 'key'))}: ${cell(field(e, 'status'))} (from ${cell(field(e, 'source'))})`,
    ...(field(e, 'description') ? [`description:   ${cell(field(e, 'description'))}`] : []),
    `model:         ${cell(field(e, 'model'))}`,
    `allocation:    ${cell(field(e, 'allocationPercent'))} % of eligible users`,
    `targeting:     ${field(definition, 'targeting') === undefined ? 'no (every user is eligible)' : 'yes'}`,
    `primary:       ${cell(field(e, 'primaryMetric'))}; guardrails: ${guardrails}`,
    `winner:        ${cell(field(e, 'winner'))}; auto-conclude: ${field(e, 'autoConclude') === true ? 'yes' : 'no'}`,
  ]
  const rows = list(e, 'variants').map((v) => [cell(field(v, 'name')), cell(field(v, 'weight')), field(v, 'control') === true ? 'yes' : '', cell(field(v, 'target'))])
  return lines.join('\n') + '\n' + table(['VARIANT', 'WEIGHT', 'CONTROL', 'TARGET'], rows)
}

function srmLine(srm: unknown): string {
  if (field(srm, 'ok') !== true) return `SRM check: - (${cell(field(srm, 'message'))})`
  const stats = `chi² ${num(field(srm, 'chiSquare'))}, p ${pValue(field(srm, 'pValue'))}`
  return field(srm, 'mismatch') === true
    ? `SRM check: MISMATCH (${stats}): users are not split as the weights say; assignment or counting is broken, do not trust these results`
    : `SRM check: ok (${stats})`
}

function metricText(metric: unknown, control: unknown, confidence: string): string {
  const role = field(metric, 'primary') === true ? 'primary' : field(metric, 'guardrail') === true ? 'guardrail' : 'secondary'
  const direction = field(metric, 'lowerIsBetter') === true ? 'lower is better' : 'higher is better'
  const variants = list(metric, 'variants')
  const quantiles = variants.some((v) => field(v, 'p50') !== undefined)
  const comparisons = list(metric, 'comparisons')
  const notes = new Set<string>()
  const rows = variants.map((v) => {
    const name = field(v, 'variant')
    const c = comparisons.find((x) => field(x, 'variant') === name)
    const relative = field(c, 'relative')
    if (c !== undefined && !ok(relative)) notes.add(`${cell(name)}: ${cell(field(relative, 'message'))}`)
    return [
      cell(name),
      num(field(v, 'n')),
      num(field(v, 'mean')),
      ...(quantiles ? [num(field(v, 'p50')), num(field(v, 'p95'))] : []),
      signed(field(ok(relative), 'estimate')),
      interval(field(field(c, 'sequential'), 'relative')),
      pValue(field(ok(relative), 'pValue')),
      percent(field(c, 'chanceToBeatControl')),
      name === control ? 'control' : cell(field(c, 'verdict')),
    ]
  })
  const headers = ['VARIANT', 'N', 'MEAN', ...(quantiles ? ['P50', 'P95'] : []), 'LIFT', `${confidence} CI`, 'P', 'CHANCE', 'VERDICT']
  const head = `\n${cell(field(metric, 'name'))} (${role}, ${cell(field(metric, 'kind'))}, ${direction}):\n`
  return head + table(headers, rows) + [...notes].map((n) => `  - ${n}\n`).join('')
}

function sampleSizeLine(results: unknown): string {
  const primary = list(results, 'metrics').find((m) => field(m, 'primary') === true)
  const size = field(primary, 'sampleSize')
  const name = cell(field(results, 'primaryMetric'))
  if (field(size, 'ok') !== true) return `Sample size (${name}): - (${cell(field(size, 'message'))})`
  const progress = field(size, 'progress')
  const done = typeof progress === 'number' && progress >= 1 ? ', enough' : ''
  return `Sample size (${name}): ${num(field(size, 'smallestVariantN'))} of ${num(field(size, 'requiredPerVariant'))} per variant (${percent(progress)}${done})`
}

export function resultsText(body: unknown): string {
  const control = field(body, 'control')
  const c = field(body, 'confidence')
  const confidence = typeof c === 'number' ? `${Number((c * 100).toFixed(2))}%` : '-'
  const users = field(body, 'users')
  const userList = users !== null && typeof users === 'object' ? Object.entries(users).map(([v, n]) => `${v} ${num(n)}`) : []
  const decision = field(body, 'decision')
  const decided =
    field(decision, 'decisive') === true
      ? `decisive: winner ${cell(field(decision, 'winner'))} — ${cell(field(decision, 'reason'))}`
      : `not decisive — ${cell(field(decision, 'reason'))}`
  return [
    `Experiment ${cell(field(body, 'experiment'))} (${cell(field(body, 'status'))}), control ${cell(control)}, confidence ${confidence}\n`,
    `Users: ${userList.join(', ') || '-'}\n`,
    `${srmLine(field(body, 'srm'))}\n`,
    ...list(body, 'metrics').map((m) => metricText(m, control, confidence)),
    `\n${decided}\n`,
    `${sampleSizeLine(body)}\n`,
  ].join('')
}

const transition = (action: 'start' | 'stop' | 'conclude', summary: string): CtlCommand => ({
  name: `experiments ${action}`,
  synopsis: '<key> --reason R',
  summary,
  role: 'operator',
  positionals: ['key'],
  mutation: true,
  options: action === 'conclude' ? ['winner'] : [],
  async run({ client, args, reason, winner, print }) {
    const key = args[0] ?? ''
    const body = await client.request('POST', `/v1/experiments/${segment(key)}/${action}`, { reason, ...(winner === undefined ? {} : { winner }) })
    print(body, (b) => {
      const e = field(b, 'experiment')
      const won = field(e, 'winner')
      const promoted = action === 'conclude' && typeof won === 'string' ? `, winner ${won}` : ''
      return `Experiment ${key} is now ${cell(field(e, 'status'))}${promoted} (reason: ${reason}).\n`
    })
  },
})

export const experimentCommands: readonly CtlCommand[] = [
  {
    name: 'experiments',
    synopsis: '',
    summary: 'Every experiment: status, model, variants, primary metric, winner',
    role: 'viewer',
    positionals: [],
    async run({ client, print }) {
      print(await client.request('GET', '/v1/experiments'), experimentsText)
    },
  },
  {
    name: 'experiments list',
    synopsis: '',
    summary: 'Same as experiments',
    role: 'viewer',
    positionals: [],
    async run({ client, print }) {
      print(await client.request('GET', '/v1/experiments'), experimentsText)
    },
  },
  {
    name: 'experiments show',
    synopsis: '<key>',
    summary: 'One experiment: allocation, targeting, variants and their targets',
    role: 'viewer',
    positionals: ['key'],
    async run({ client, args, print }) {
      print(await client.request('GET', `/v1/experiments/${segment(args[0] ?? '')}`), experimentText)
    },
  },
  {
    name: 'experiments results',
    synopsis: '<key>',
    summary: 'Users, SRM, per-metric lift and intervals, decision, sample size',
    role: 'viewer',
    positionals: ['key'],
    async run({ client, args, print }) {
      print(await client.request('GET', `/v1/experiments/${segment(args[0] ?? '')}/results`), resultsText)
    },
  },
  transition('start', 'Start (or restart) assigning users: draft|stopped → running'),
  transition('stop', 'Stop assigning users; results are kept: running → stopped'),
  transition('conclude', 'Conclude (final); --winner V promotes that variant\'s target'),
]
