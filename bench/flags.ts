// In-process microbenchmark of flag evaluation (issue target: ≥ 2,000,000 evaluations/s per case).
// Run: `npm run build && node dist/bench/flags.js`. Each case evaluates against a rotating pool of
// contexts so neither V8 nor the rule sees one constant input; the median of several timed rounds
// is reported, after a warm-up that lets the JIT settle.
import { compileFlagSet, evaluate, type EvaluationContext, type FlagSet } from '../src/flags/index.js'

const ROUNDS = 7
const PER_ROUND = 1_000_000
const POOL = 1024

const emails = Array.from({ length: 100 }, (_, i) => `user${i}@example.com`)

function buildFlags(): FlagSet {
  const result = compileFlagSet([
    {
      source: 'bench',
      document: {
        flags: {
          static: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' },
          'in-list': {
            state: 'ENABLED',
            variants: { on: true, off: false },
            defaultVariant: 'off',
            targeting: { if: [{ in: [{ var: 'email' }, emails] }, 'on', 'off'] },
          },
          fractional: {
            state: 'ENABLED',
            variants: { a: 'a', b: 'b', c: 'c', d: 'd' },
            defaultVariant: 'a',
            targeting: { fractional: [['a', 10], ['b', 20], ['c', 30], ['d', 40]] },
          },
        },
      },
    },
  ])
  if (!result.ok) throw new Error(result.problems.join('\n'))
  return result.flagSet
}

// Half the pool matches the list (spread over the whole list), half does not.
const contexts: EvaluationContext[] = Array.from({ length: POOL }, (_, i) => ({
  targetingKey: `user-${i * 7919}`,
  email: i % 2 === 0 ? emails[(i * 37) % emails.length]! : `someone${i}@elsewhere.org`,
  plan: 'pro',
}))

interface Case {
  name: string
  run: (flags: FlagSet, context: EvaluationContext) => unknown
}

const cases: Case[] = [
  { name: 'static flag', run: (flags, context) => evaluate(flags, 'static', 'boolean', false, context).value },
  { name: 'in: 100-entry list', run: (flags, context) => evaluate(flags, 'in-list', 'boolean', false, context).value },
  { name: 'fractional 4-way', run: (flags, context) => evaluate(flags, 'fractional', 'string', 'x', context).value },
]

function measure(flags: FlagSet, { run }: Case): number {
  let sink = 0
  const round = (count: number): number => {
    const start = performance.now()
    for (let i = 0; i < count; i++) if (run(flags, contexts[i & (POOL - 1)]!) !== undefined) sink++
    return performance.now() - start
  }
  round(PER_ROUND / 2)
  const rates: number[] = []
  for (let r = 0; r < ROUNDS; r++) rates.push(PER_ROUND / (round(PER_ROUND) / 1000))
  if (sink === 0) throw new Error('no evaluation produced a value')
  rates.sort((a, b) => a - b)
  return rates[Math.floor(rates.length / 2)]!
}

const flags = buildFlags()
console.log(`flag evaluation, median of ${ROUNDS} rounds of ${PER_ROUND.toLocaleString('en')} (node ${process.version})`)
for (const c of cases) {
  const rate = measure(flags, c)
  console.log(`${c.name.padEnd(22)} ${Math.round(rate).toLocaleString('en').padStart(12)} evaluations/s`)
}
