// `sluice ctl experiments …` and `bandits` against the admin app on port 0, over a real snapshot
// (test/support/snapshot.ts) whose outcome recorder is fed a fixed pattern of settled requests.
import { Value } from '@sinclair/typebox/value'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { snapshotOf } from '../../../test/support/snapshot.js'
import { buildAdmin } from '../../control/admin.js'
import type { AdminContext } from '../../control/context.js'
import type { Snapshot } from '../../pipeline/snapshot.js'
import { createStore, type StateStore } from '../../state/index.js'
import { EXPERIMENTS_NAMESPACE, parseStored, withStoredExperiments, type StoredExperiment } from '../../steering/experiments/lifecycle.js'
import { ExperimentSchema, type ExperimentConfig } from '../../steering/experiments/schema.js'
import { ctl } from '../ctl.js'
import { banditsText } from './bandits.js'

const OPERATOR = 'operator-token-0123456789'
const VIEWER = 'viewer-token-0123456789ab'
const FLASH = 'gemini-2.5-flash'

const config = {
  providers: {
    google: { type: 'gemini', mount: '/google', endpoint: 'http://127.0.0.1:9', apiKey: 'k', auth: 'none' },
    openai: { type: 'openai', mount: '/openai', endpoint: 'http://127.0.0.1:9', apiKey: 'k', auth: 'none' },
  },
  models: { chat: { targets: [{ provider: 'openai', model: 'gpt-4o' }, { provider: 'google', model: FLASH }] } },
  unified: { auth: 'none' },
  admin: {
    tokens: [
      { name: 'oncall', token: OPERATOR, role: 'operator' },
      { name: 'analyst', token: VIEWER, role: 'viewer' },
    ],
  },
  experiments: {
    'chat-model': Value.Default(ExperimentSchema, {
      status: 'draft',
      model: 'chat',
      description: 'gpt-4o against flash',
      variants: [
        { name: 'a', control: true, target: { provider: 'openai', model: 'gpt-4o' } },
        { name: 'b', target: { provider: 'google', model: FLASH } },
      ],
    }) as ExperimentConfig,
  },
}

let app: FastifyInstance
let store: StateStore
let snapshot: Snapshot
let stored = new Map<string, StoredExperiment>()
let url: string

beforeAll(async () => {
  store = await createStore({ store: 'memory', path: '' })
  snapshot = snapshotOf(config)
  const ctx = {
    snapshot: () => snapshot,
    store,
    experiments: { stored: () => stored, tryStored: () => ({ ok: true }) },
    async refreshFromStore() {
      const records = await store.listRecords(EXPERIMENTS_NAMESPACE)
      stored = new Map()
      for (const { key, value } of records) {
        const record = parseStored(value)
        if (record !== undefined) stored.set(key, record)
      }
      snapshot = snapshotOf(withStoredExperiments(config, stored))
      return { ok: true }
    },
  }
  app = buildAdmin(ctx as unknown as AdminContext)
  url = await app.listen({ host: '127.0.0.1', port: 0 })
})
afterAll(async () => {
  await app.close()
  await store.close()
})

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return runAs(OPERATOR, ...argv)
}

async function runAs(token: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await ctl(argv, { env: { SLUICE_ADMIN_URL: url, SLUICE_ADMIN_TOKEN: token }, out: (t) => (out += t), err: (t) => (err += t) })
  return { code, out, err }
}

/** 400 users per variant: a succeeds 70 % of the time, b 92 %; b is also faster. */
function feed(): void {
  for (let i = 0; i < 400; i++) {
    const usage = { inputTokens: 10 + (i % 5), outputTokens: 50 + (i % 20), cachedTokens: 0, reasoningTokens: 0 }
    const settled = { ttftMs: 150 + (i % 100), usage, served: undefined, model: undefined, clientAborted: false }
    snapshot.outcomes.credit('chat-model', 'a').settle({ ...settled, user: `a-${i}`, ok: i % 10 < 7, durationMs: 800 + ((i * 37) % 400) })
    snapshot.outcomes.credit('chat-model', 'b').settle({ ...settled, user: `b-${i}`, ok: i % 25 < 23, durationMs: 600 + ((i * 53) % 400) })
  }
}

describe('sluice ctl experiments', () => {
  it('lists experiments as a table (bare and with list)', async () => {
    const listed = await run('experiments')
    expect(listed).toMatchObject({ code: 0, err: '' })
    const lines = listed.out.split('\n')
    expect(lines[0]).toMatch(/^KEY\s+STATUS\s+MODEL\s+VARIANTS\s+PRIMARY\s+WINNER\s+SOURCE$/)
    expect(lines[1]).toMatch(/^chat-model\s+draft\s+chat\s+a\(1\)\*, b\(1\)\s+success\s+-\s+config$/)
    expect((await run('experiments', 'list')).out).toBe(listed.out)
  })

  it('shows one experiment', async () => {
    const { code, out } = await run('experiments', 'show', 'chat-model')
    expect(code).toBe(0)
    expect(out).toContain('Experiment chat-model: draft (from config)')
    expect(out).toContain('description:   gpt-4o against flash')
    expect(out).toContain('allocation:    100 % of eligible users')
    expect(out).toContain('targeting:     no (every user is eligible)')
    expect(out).toMatch(/^VARIANT\s+WEIGHT\s+CONTROL\s+TARGET$/m)
    expect(out).toMatch(/^a\s+1\s+yes\s+openai\/gpt-4o$/m)
    expect(out).toMatch(/^b\s+1\s+google\/gemini-2\.5-flash$/m)
  })

  it('starts and stops with a reason; a viewer cannot, and a missing reason is refused before sending', async () => {
    const refused = await runAs(VIEWER, 'experiments', 'start', 'chat-model', '--reason', 'go')
    expect(refused.code).toBe(1)
    expect(refused.err).toContain('this action needs role operator or admin')

    const noReason = await run('experiments', 'start', 'chat-model')
    expect(noReason.code).toBe(2)
    expect(noReason.err.split('\n')[0]).toBe('sluice ctl: experiments start needs --reason TEXT: every change is audit-logged with its reason')

    expect(await run('experiments', 'start', 'chat-model', '--reason', 'go')).toEqual({ code: 0, out: 'Experiment chat-model is now running (reason: go).\n', err: '' })
    expect((await run('experiments')).out).toMatch(/chat-model\s+running/)
    expect(await run('experiments', 'stop', 'chat-model', '--reason', 'pause')).toEqual({ code: 0, out: 'Experiment chat-model is now stopped (reason: pause).\n', err: '' })
    const again = await run('experiments', 'stop', 'chat-model', '--reason', 'pause')
    expect(again.code).toBe(1)
    expect(again.err).toContain('Experiment chat-model is stopped; stop needs running.')
  })

  it('prints results: users, SRM, a table per metric, the decision and the sample size', async () => {
    feed()
    const { code, out, err } = await run('experiments', 'results', 'chat-model')
    expect({ code, err }).toEqual({ code: 0, err: '' })
    expect(out).toContain('Experiment chat-model (stopped), control a, confidence 95%')
    expect(out).toContain('Users: a 400, b 400')
    expect(out).toMatch(/^SRM check: ok \(chi² 0, p 1\.0000\)$/m)
    expect(out).toMatch(/^success \(primary, proportion, higher is better\):\nVARIANT\s+N\s+MEAN\s+LIFT\s+95% CI\s+P\s+CHANCE\s+VERDICT$/m)
    expect(out).toMatch(/^a\s+400\s+0\.7\s+-\s+-\s+-\s+-\s+control$/m)
    expect(out).toMatch(/^b\s+400\s+0\.92\s+\+31\.4%\s+\[\+\d+\.\d%, \+\d+\.\d%\]\s+<0\.0001\s+100\.0%\s+better$/m)
    expect(out).toMatch(/^latency_ms \(guardrail, mean, lower is better\):\nVARIANT\s+N\s+MEAN\s+P50\s+P95\s+LIFT/m)
    // No cost was priced: the section is unavailable and says why.
    expect(out).toMatch(/^cost_usd \(secondary, mean, lower is better\):\n(.*\n){3}  - b: /m)
    expect(out).toMatch(/^decisive: winner b — b is better than a on success/m)
    expect(out).toMatch(/^Sample size \(success\): 400 of \d+ per variant \(\d+\.\d%(, enough)?\)$/m)
  })

  it('--json prints the API body as it came', async () => {
    const { code, out } = await run('experiments', 'results', 'chat-model', '--json')
    expect(code).toBe(0)
    const api = await (await fetch(`${url}/v1/experiments/chat-model/results`, { headers: { authorization: `Bearer ${VIEWER}` } })).json()
    expect(JSON.parse(out)).toEqual(api)
  })

  it('concludes with a winner', async () => {
    const concluded = await run('experiments', 'conclude', 'chat-model', '--winner', 'b', '--reason', 'b wins')
    expect(concluded).toEqual({ code: 0, out: 'Experiment chat-model is now concluded, winner b (reason: b wins).\n', err: '' })
    expect((await run('experiments')).out).toMatch(/chat-model\s+concluded\s+chat\s+a\(1\)\*, b\(1\)\s+success\s+b\s+config/)
  })

  it('names an unknown experiment', async () => {
    const { code, err } = await run('experiments', 'results', 'nope')
    expect(code).toBe(1)
    expect(err.split('\n')[0]).toBe('SLUICE_ERR_ADMIN_NOT_FOUND: No such admin resource. No experiment nope; known: chat-model.')
  })

  it.each([
    [['experiments', 'start', 'chat-model', '--winner', 'b', '--reason', 'r'], 'experiments start does not take --winner'],
    [['experiments', 'show'], 'usage: sluice ctl experiments show <key>'],
    [['experiments', 'frobnicate'], 'usage: sluice ctl experiments'],
  ])('refuses %j before sending anything (exit 2)', async (argv, message) => {
    const { code, err } = await run(...argv)
    expect(code).toBe(2)
    expect(err.split('\n')[0]).toContain(message)
  })
})

describe('sluice ctl bandits', () => {
  const body = {
    bandits: [
      {
        model: 'chat',
        mode: 'shadow',
        arms: [
          { arm: 'openai/gpt-4o', share: 0.8123, mean: 0.91234, successes: 812.5, failures: 80, attempts: 900, errors: 3, excluded: null },
          { arm: `google/${FLASH}`, share: 0.1877, mean: 0.5, successes: 10, failures: 10, attempts: 20, errors: 0, excluded: 'circuit open' },
        ],
      },
    ],
  }

  it('renders a table per bandit', () => {
    expect(banditsText(body)).toBe(
      [
        'Bandit on model chat (mode shadow):',
        'ARM                      SHARE %  MEAN    SUCCESSES  FAILURES  ATTEMPTS  ERRORS  EXCLUDED',
        'openai/gpt-4o            81.2     0.9123  812.5      80        900       3       -',
        'google/gemini-2.5-flash  18.8     0.5     10         10        20        0       circuit open',
        '',
      ].join('\n'),
    )
    expect(banditsText({ bandits: [] })).toBe('No bandits (no virtual model has one configured).\n')
  })

  it('lists bandits from the admin API when it serves them', async () => {
    const probe = await fetch(`${url}/v1/bandits`, { headers: { authorization: `Bearer ${VIEWER}` } })
    await probe.body?.cancel()
    if (probe.status === 404) return // GET /v1/bandits is not served by this build yet
    const { code, out, err } = await runAs(VIEWER, 'bandits')
    expect({ code, err }).toEqual({ code: 0, err: '' })
    expect(out).toMatch(/^No bandits|^Bandit on model /)
    expect(JSON.parse((await runAs(VIEWER, 'bandits', '--json')).out)).toHaveProperty('bandits')
  })
})
