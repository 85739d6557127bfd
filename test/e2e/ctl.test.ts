// `sluice ctl` against a real Sluice with admin tokens, checking each change on the data plane
// itself. The commands run in this process through ctl()'s injected env and output (runCtl):
// a child process per command was ~40 % of the suite's time. One smoke test
// still spawns the compiled binary, so `sluice ctl` → main.js → ctl() with the real stdout,
// stderr, environment and exit code stays proven (npm test builds first).
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCtl, spawnCtl, type CtlResult } from '../support/cli.js'
import { CLIENT, startStack, type Stack } from '../support/stack.js'

const OPS = 'ops-token-0123456789'
const VIEWER = 'viewer-token-0123456789'
const BEDROCK_MODEL = 'anthropic.claude-3-haiku-20240307-v1:0'

let stack: Stack

beforeAll(async () => {
  stack = await startStack({
    configure(config) {
      config.admin = {
        host: '127.0.0.1',
        port: 0,
        tokens: [
          { name: 'ops', token: OPS, role: 'admin' },
          { name: 'viewer', token: VIEWER, role: 'viewer' },
        ],
      }
      config.rateLimits = { rules: [{ name: 'per-user', key: ['user'], requests: { limit: 1000, windowSeconds: 60 } }] }
      config.budgets = { limits: { shop: { scope: 'tenant', target: 'shop', limitUsd: 25, window: 'day' } } }
    },
  })
})
afterAll(async () => {
  await stack.close()
})

/** The environment an operator's shell would hold: SLUICE_ADMIN_URL / SLUICE_ADMIN_TOKEN point at the stack; undefined unsets. */
function environment(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const environ: Record<string, string | undefined> = { ...process.env, SLUICE_ADMIN_URL: stack.sluice.adminUrl, SLUICE_ADMIN_TOKEN: OPS, ...env }
  for (const [key, value] of Object.entries(environ)) if (value === undefined) delete environ[key]
  return environ
}

/** Runs `sluice ctl ...args` in this process, in the environment above. */
function ctl(args: string[], env: Record<string, string | undefined> = {}): Promise<CtlResult> {
  return runCtl(args, environment(env))
}

async function ctlJson<T>(args: string[]): Promise<T> {
  const result = await ctl([...args, '--json'])
  expect(result.stderr).toBe('')
  expect(result.status).toBe(0)
  return JSON.parse(result.stdout) as T
}

/** One OpenAI chat call through the data plane: status and the error code, if any. */
async function chat(): Promise<{ status: number; code: string | undefined }> {
  const res = await fetch(`${stack.sluice.dataUrl}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CLIENT.credentials.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] }),
  })
  const body = (await res.json()) as { error?: { code?: string } }
  return { status: res.status, code: body.error?.code }
}

/** A port nothing listens on: bind one, then close it. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('sluice ctl against a running Sluice', () => {
  it('budgets and rate-limits show spend and rules', async () => {
    const chat = await fetch(`${stack.sluice.dataUrl}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CLIENT.credentials.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }),
    })
    expect(chat.status).toBe(200)
    const budgets = await ctl(['budgets'])
    expect(budgets.status).toBe(0)
    expect(budgets.stdout).toContain('Budgets: monitor only (not enforced)')
    expect(budgets.stdout).toMatch(/shop\s+tenant shop\s+day d\S+\s+\$0\.\d{4}\s+\$0\.0000\s+\$25\.0000/)
    const limits = await ctl(['rate-limits'])
    expect(limits.stdout).toContain('Rate limits: monitor only (not enforced), local to this replica')
    expect(limits.stdout).toMatch(/per-user\s+user\s+1000\/60s/)
  })

  it('status: version, readiness, store and providers; --json is the API answer', async () => {
    const result = await ctl(['status'])
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/^Sluice \d+\.\d+\.\d+.*, ready\n/)
    expect(result.stdout).toContain('store:   memory ok')
    expect(result.stdout).toContain('Kill switches: none')
    expect(result.stdout).toMatch(/openai\s+openai\s+\/openai/)

    const json = await ctlJson<{ ready: boolean; providers: { name: string }[]; store: { kind: string } }>(['status'])
    expect(json).toMatchObject({ ready: true, store: { kind: 'memory' } })
    expect(json.providers.map((p) => p.name).sort()).toEqual(['bedrock', 'google', 'meta', 'openai'])
  })

  it('kill and revive a model: the data plane denies, then allows', async () => {
    expect(await chat()).toEqual({ status: 200, code: undefined })
    const killed = await ctl(['kill', 'model', 'gpt-4o-mini', '--reason', 'bad outputs'])
    expect(killed.stderr).toBe('')
    expect(killed.status).toBe(0)
    expect(killed.stdout).toContain('Kill switch on: model gpt-4o-mini')
    expect(await chat()).toEqual({ status: 503, code: 'SLUICE_ERR_KILL_MODEL' })

    const listed = await ctl(['kill-switches'])
    expect(listed.stdout).toMatch(/model\s+gpt-4o-mini\s+ops\s+\S+ \S+\s+bad outputs/)
    expect((await ctl(['status'])).stdout).toMatch(/Kill switches:\nSCOPE.*\nmodel\s+gpt-4o-mini/)

    const revived = await ctl(['revive', 'model', 'gpt-4o-mini', '--reason', 'fixed upstream'])
    expect(revived.status).toBe(0)
    expect(await chat()).toEqual({ status: 200, code: undefined })
    expect((await ctl(['kill-switches'])).stdout).toBe('No kill switches are on.\n')
  })

  it('kill targets with ":" and "/" round-trip through the URL path', async () => {
    const arn = `arn:aws:bedrock:us-east-1::foundation-model/${BEDROCK_MODEL}`
    for (const target of [BEDROCK_MODEL, arn]) expect((await ctl(['kill', 'model', target, '--reason', 'encoding'])).status).toBe(0)
    const { killSwitches } = await ctlJson<{ killSwitches: { scope: string; target: string }[] }>(['kill-switches'])
    expect(killSwitches.map((s) => s.target).sort()).toEqual([arn, BEDROCK_MODEL].sort())
    for (const target of [BEDROCK_MODEL, arn]) expect((await ctl(['revive', 'model', target, '--reason', 'encoding'])).status).toBe(0)
    expect(await ctlJson(['kill-switches'])).toEqual({ killSwitches: [] })
  })

  it('emergency on stops all traffic; off resumes it', async () => {
    const on = await ctl(['emergency', 'on', '--reason', 'incident 42'])
    expect(on.status).toBe(0)
    expect(on.stdout).toContain('Emergency shutdown is ON')
    expect(await chat()).toEqual({ status: 503, code: 'SLUICE_ERR_KILL_GLOBAL' })
    expect((await ctl(['status'])).stdout).toMatch(/EMERGENCY SHUTDOWN ON \(ops at .*: incident 42\)/)

    expect((await ctl(['emergency', 'off', '--reason', 'incident 42 resolved'])).status).toBe(0)
    expect(await chat()).toEqual({ status: 200, code: undefined })
  })

  it('flags set, get and reset an override', async () => {
    const set = await ctl(['flags', 'set', 'ai.provider.openai.enabled', 'off', '--reason', 'vendor outage'])
    expect(set.stderr).toBe('')
    expect(set.status).toBe(0)
    expect(await chat()).toEqual({ status: 503, code: 'SLUICE_ERR_PROVIDER_DISABLED' })

    const got = await ctl(['flags', 'get', 'ai.provider.openai.enabled'])
    expect(got.stdout).toContain('default:  off')
    expect(got.stdout).toMatch(/override: ops at .*: vendor outage/)
    const list = await ctl(['flags', 'list'])
    expect(list.stdout).toMatch(/ai\.provider\.openai\.enabled\s+boolean\s+ENABLED\s+off\s+\S+\s+ops at .*: vendor outage/)

    const reset = await ctl(['flags', 'reset', 'ai.provider.openai.enabled', '--reason', 'vendor back'])
    expect(reset.status).toBe(0)
    expect(await chat()).toEqual({ status: 200, code: undefined })
    const after = await ctlJson<{ override: unknown }>(['flags', 'get', 'ai.provider.openai.enabled'])
    expect(after.override).toBeNull()
  })

  it('flags set with an unknown variant prints the API code, message and problems (exit 1)', async () => {
    const result = await ctl(['flags', 'set', 'ai.guardrails.mode', 'paranoid', '--reason', 'try'])
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(/^SLUICE_ERR_ADMIN_INVALID: /)
    expect(result.stderr).toContain('paranoid')
  })

  it('activate dark turns egress off; activate active turns it back on', async () => {
    const dark = await ctl(['activate', 'dark', '--reason', 'pre-launch'])
    expect(dark.status).toBe(0)
    expect(dark.stdout).toMatch(/Applied activation sequence dark.*\nFLAG\s+VARIANT\nai\.egress\.enabled\s+off/)
    expect(await chat()).toEqual({ status: 503, code: 'SLUICE_ERR_EGRESS_DISABLED' })

    const active = await ctlJson<{ sequence: string; applied: Record<string, string>; rollouts: Record<string, string> }>(['activate', 'active', '--reason', 'launch'])
    expect(active).toEqual({ sequence: 'active', applied: { 'ai.egress.enabled': 'on', 'ai.bandit.mode': 'active', 'ai.shadow.enabled': 'off' }, rollouts: {} })
    expect(await chat()).toEqual({ status: 200, code: undefined })

    const unknown = await ctl(['activate', 'nope', '--reason', 'typo'])
    expect(unknown.status).toBe(1)
    expect(unknown.stderr).toMatch(/^SLUICE_ERR_ADMIN_NOT_FOUND: .*dark, shadow, canary, active/)
  })

  it('audit shows the actions above with actor ops, newest first', async () => {
    const { entries } = await ctlJson<{ entries: { actor: string; action: string; target: string; reason: string }[] }>(['audit'])
    const seen = entries.map((e) => `${e.actor} ${e.action} ${e.target} ${e.reason}`)
    expect(seen).toEqual(
      expect.arrayContaining([
        'ops kill-switches.put model/gpt-4o-mini bad outputs',
        'ops kill-switches.delete model/gpt-4o-mini fixed upstream',
        'ops kill-switches.put global/* incident 42',
        'ops overrides.put ai.provider.openai.enabled vendor outage',
        'ops overrides.delete ai.provider.openai.enabled vendor back',
        'ops activation.dark ai.egress.enabled pre-launch',
        'ops activation.active ai.egress.enabled launch',
      ]),
    )
    expect(entries[0]).toMatchObject({ action: 'activation.active' })

    const human = await ctl(['audit', '--limit', '2'])
    expect(human.status).toBe(0)
    const rows = human.stdout.trim().split('\n')
    expect(rows[0]).toMatch(/^AT\s+ACTOR\s+ACTION\s+TARGET\s+REASON$/)
    expect(rows.slice(1)).toHaveLength(2)
    expect(rows[1]).toMatch(/ops\s+activation\.active\s+\S+\s+launch$/)
    expect((await ctl(['audit', '--since', '2999-01-01T00:00:00Z'])).stdout).toBe('No audit entries.\n')
  })
})

describe('sluice ctl failures', () => {
  it('a viewer token may read but not change: exit 1 with a role hint', async () => {
    expect((await ctl(['status'], { SLUICE_ADMIN_TOKEN: VIEWER })).status).toBe(0)
    const result = await ctl(['kill', 'provider', 'openai', '--reason', 'x'], { SLUICE_ADMIN_TOKEN: VIEWER })
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(/^SLUICE_ERR_ADMIN_FORBIDDEN: /)
    expect(result.stderr).toContain('hint: check SLUICE_ADMIN_TOKEN: this action needs role operator')
    const emergency = await ctl(['emergency', 'on', '--reason', 'x', '--token', VIEWER], { SLUICE_ADMIN_TOKEN: undefined })
    expect(emergency.status).toBe(1)
    expect(emergency.stderr).toContain('needs role admin')
    expect(await chat()).toEqual({ status: 200, code: undefined })
  })

  it('a wrong or missing token: exit 1 naming SLUICE_ADMIN_TOKEN', async () => {
    const wrong = await ctl(['status'], { SLUICE_ADMIN_TOKEN: 'not-a-real-token-000' })
    expect(wrong.status).toBe(1)
    expect(wrong.stderr).toMatch(/^SLUICE_ERR_ADMIN_UNAUTHENTICATED: /)
    expect(wrong.stderr).toContain('hint: check SLUICE_ADMIN_TOKEN')
    const missing = await ctl(['flags', 'list'], { SLUICE_ADMIN_TOKEN: undefined })
    expect(missing.status).toBe(1)
    expect(missing.stderr).toContain('no admin token given; set SLUICE_ADMIN_TOKEN or pass --token')
  })

  it('an unreachable admin URL: exit 3 naming the URL and SLUICE_ADMIN_URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`
    const result = await ctl(['status', '--url', url])
    expect(result.status).toBe(3)
    expect(result.stderr).toContain(`cannot reach the Sluice admin API at ${url}: connection refused`)
    expect(result.stderr).toContain('SLUICE_ADMIN_URL')
    expect(result.stdout).toBe('')
  })

  it.each([
    [['kill', 'model', 'gpt-4o-mini'], 'kill needs --reason'],
    [['flags', 'set', 'ai.egress.enabled', 'off', '--reason', '  '], 'flags set needs --reason'],
    [['emergency', 'maybe', '--reason', 'x'], 'emergency takes on or off'],
    [['kill', 'galaxy', 'x', '--reason', 'x'], 'scope must be one of provider, model, route, client'],
    [['flags'], 'flags needs one of: list, get, set, reset'],
    [['status', '--reason', 'x'], 'status does not take --reason'],
    [['audit', '--limit', 'lots'], '--limit must be a positive integer'],
    [['frobnicate'], 'unknown command frobnicate'],
    [[], 'missing command'],
  ])('usage error before any request: ctl %j → exit 2 (%s)', async (args, message) => {
    // Pointed at a closed port: a request would exit 3, so exit 2 proves none was sent.
    const result = await ctl(args, { SLUICE_ADMIN_URL: `http://127.0.0.1:${await closedPort()}` })
    expect(result.status).toBe(2)
    expect(result.stderr).toContain(message)
    expect(result.stderr).toContain('Usage: sluice ctl <command>')
  })

  it('--help prints the usage on stdout and exits 0', async () => {
    const result = await ctl(['--help'])
    expect(result.status).toBe(0)
    expect(result.stdout).toContain('flags set <key> <variant> --reason R')
  })
})

describe('the sluice binary', () => {
  // The one spawned run: main.js dispatches `ctl`, which reads process.env and writes to the real
  // stdout / stderr; a refusal's exit code reaches the shell. Two children at once, one startup's wait.
  it('sluice ctl status: stdout and exit 0 with the env token, stderr and exit 1 with a wrong one', async () => {
    const [ok, refused] = await Promise.all([
      spawnCtl(['status'], environment({})),
      spawnCtl(['status'], environment({ SLUICE_ADMIN_TOKEN: 'not-a-real-token-000' })),
    ])
    expect(ok.stderr).toBe('')
    expect(ok.status).toBe(0)
    expect(ok.stdout).toMatch(/^Sluice \d+\.\d+\.\d+.*, ready\n/)
    expect(refused.status).toBe(1)
    expect(refused.stdout).toBe('')
    expect(refused.stderr).toMatch(/^SLUICE_ERR_ADMIN_UNAUTHENTICATED: /)
  })
})
