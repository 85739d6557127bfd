// The admin API over real sockets, and its effect on the data plane: roles, kill switches at
// every scope, emergency shutdown, flag overrides, activation sequences, audit, config.
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EMULATOR_CREDENTIALS } from '../../src/emulators/index.js'
import { rejectionOf } from '../support/rejection.js'
import { CLIENT, startStack, type Stack } from '../support/stack.js'

const OPS = 'ops-token-0123456789abcdef'
const OPERATOR = 'operator-token-0123456789'
const VIEWER = 'viewer-token-0123456789ab'
let stack: Stack

beforeAll(async () => {
  stack = await startStack({
    configure(config) {
      config.admin = {
        host: '127.0.0.1',
        port: 0,
        tokens: [
          { name: 'ops', token: OPS, role: 'admin' },
          { name: 'oncall', token: OPERATOR, role: 'operator' },
          { name: 'grafana', token: VIEWER, role: 'viewer' },
        ],
      }
      // Secrets under budgets too: GET /v1/config redacts by the schema's marks, not key names.
      config.budgets = { alerts: { webhooks: [{ url: 'https://hooks.example/T0/hook-path-token', headers: { authorization: 'Bearer hook-bearer', 'x-api-key': 'hook-api-key' } }] } }
    },
  })
})
afterAll(async () => {
  await stack.close()
})

async function admin(method: string, path: string, token: string | undefined, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${stack.sluice.adminUrl}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) }
}

/** One OpenAI chat call through Sluice; the status, error code and decision header. */
async function chat(model = 'gpt-4o-mini', extra: Record<string, string> = {}, stream = false) {
  const res = await fetch(`${stack.sluice.dataUrl}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CLIENT.credentials.apiKey}`, 'content-type': 'application/json', ...extra },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], stream }),
  })
  const body = (await res.json().catch(() => undefined)) as { error?: { code?: string } } | undefined
  return { status: res.status, code: body?.error?.code, decision: res.headers.get('x-sluice-decision') }
}

describe('admin auth', () => {
  it('401 without a token, 403 for a role too low, with the admin error shape', async () => {
    const none = await admin('GET', '/v1/status', undefined)
    expect(none.status).toBe(401)
    expect(none.body).toMatchObject({ statusCode: 401, code: 'SLUICE_ERR_ADMIN_UNAUTHENTICATED', error: 'Unauthorized' })
    expect((await admin('GET', '/v1/status', 'not-a-token-at-all')).status).toBe(401)
    const viewerKill = await admin('PUT', '/v1/kill-switches/model/gpt-4o-mini', VIEWER, { reason: 'x' })
    expect(viewerKill.status).toBe(403)
    expect(viewerKill.body.code).toBe('SLUICE_ERR_ADMIN_FORBIDDEN')
    const operatorEmergency = await admin('POST', '/v1/emergency-shutdown', OPERATOR, { reason: 'x' })
    expect(operatorEmergency.status).toBe(403)
    expect((await admin('GET', '/v1/status', VIEWER)).status).toBe(200)
  })

  it('mutations need a reason', async () => {
    const res = await admin('PUT', '/v1/kill-switches/model/gpt-4o-mini', OPERATOR, {})
    expect(res.status).toBe(400)
    expect(res.body.code).toBe('SLUICE_ERR_ADMIN_INVALID')
  })
})

describe('kill switches', () => {
  it.each([
    ['provider', 'openai', {}, 'SLUICE_ERR_KILL_PROVIDER'],
    ['model', 'gpt-4o-mini', {}, 'SLUICE_ERR_KILL_MODEL'],
    ['route', 'openai', {}, 'SLUICE_ERR_KILL_ROUTE'],
    ['client', CLIENT.id, {}, 'SLUICE_ERR_KILL_CLIENT'],
    ['client', `tenant:${CLIENT.tenant}`, {}, 'SLUICE_ERR_KILL_CLIENT'],
  ])('%s %s: denies at once, in dialect, nothing upstream; revive restores', async (scope, target, _extra, code) => {
    const upstreamBefore = stack.emulators.openai.requests.count
    const set = await admin('PUT', `/v1/kill-switches/${scope}/${encodeURIComponent(target)}`, OPERATOR, { reason: 'incident 42' })
    expect(set.status).toBe(200)
    expect(set.body.killSwitch).toMatchObject({ scope, target, reason: 'incident 42', actor: 'oncall' })
    expect(await chat()).toEqual({ status: 503, code, decision: 'deny' })
    expect(stack.emulators.openai.requests.count).toBe(upstreamBefore)
    // Other models are untouched by a model switch.
    if (scope === 'model') expect((await chat('gpt-4.1')).status).toBe(200)
    expect((await admin('DELETE', `/v1/kill-switches/${scope}/${encodeURIComponent(target)}`, OPERATOR, { reason: 'resolved' })).status).toBe(200)
    expect((await chat()).status).toBe(200)
  })

  it('blocks a Bedrock model id with ":" in its own dialect', async () => {
    const modelId = 'anthropic.claude-3-haiku-20240307-v1:0'
    await admin('PUT', `/v1/kill-switches/model/${encodeURIComponent(modelId)}`, OPERATOR, { reason: 'bad outputs' })
    const client = new BedrockRuntimeClient({
      region: 'us-east-1',
      endpoint: `${stack.sluice.dataUrl}/bedrock`,
      credentials: { accessKeyId: CLIENT.credentials.accessKeyId, secretAccessKey: CLIENT.credentials.secretAccessKey },
      maxAttempts: 1,
    })
    const err = await rejectionOf<Error & { name: string; $metadata: { httpStatusCode?: number } }>(
      client.send(new ConverseCommand({ modelId, messages: [{ role: 'user', content: [{ text: 'hi' }] }] })),
    )
    client.destroy()
    // A deliberate switch is not a transient fault: the form the AWS SDK does not retry.
    expect(err.name).toBe('AccessDeniedException')
    expect(err.$metadata.httpStatusCode).toBe(403)
    expect(err.message).toContain('SLUICE_ERR_KILL_MODEL')
    expect(err.message).toContain('bad outputs')
    await admin('DELETE', `/v1/kill-switches/model/${encodeURIComponent(modelId)}`, OPERATOR, { reason: 'fixed' })
  })

  it('emergency shutdown (admin only) stops everything until lifted; 404 when lifting twice', async () => {
    expect((await admin('POST', '/v1/emergency-shutdown', OPS, { reason: 'runaway spend' })).status).toBe(200)
    expect(await chat()).toMatchObject({ status: 503, code: 'SLUICE_ERR_KILL_GLOBAL' })
    const metrics = await (await fetch(`${stack.sluice.adminUrl}/metrics`)).text()
    expect(metrics).toContain('sluice_kill_switches_active{scope="global"} 1')
    expect(metrics).toMatch(/sluice_denials_total\{gate="killSwitches",code="SLUICE_ERR_KILL_GLOBAL"\} \d+/)
    expect((await admin('DELETE', '/v1/emergency-shutdown', OPS, { reason: 'contained' })).status).toBe(200)
    expect((await admin('DELETE', '/v1/emergency-shutdown', OPS, { reason: 'again' })).status).toBe(404)
    expect((await chat()).status).toBe(200)
  })

  it('rejects unknown scopes and points global at emergency shutdown', async () => {
    const res = await admin('PUT', '/v1/kill-switches/global/x', OPS, { reason: 'x' })
    expect(res.status).toBe(400)
    expect(res.body.message).toContain('/v1/emergency-shutdown')
  })
})

describe('flags', () => {
  it('an override wins at once; removing it restores the file value', async () => {
    const off = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' }
    const put = await admin('PUT', '/v1/flags/ai.egress.enabled', OPERATOR, { definition: off, reason: 'maintenance' })
    expect(put.status).toBe(200)
    expect(await chat()).toMatchObject({ status: 503, code: 'SLUICE_ERR_EGRESS_DISABLED', decision: 'deny' })
    const listed = await admin('GET', '/v1/flags', VIEWER)
    expect(listed.body.flags.find((f: { key: string }) => f.key === 'ai.egress.enabled')).toMatchObject({
      origin: 'overrides',
      defaultVariant: 'off',
      override: { actor: 'oncall', reason: 'maintenance' },
    })
    expect((await admin('DELETE', '/v1/flags/ai.egress.enabled/override', OPERATOR, { reason: 'done' })).status).toBe(200)
    expect((await chat()).status).toBe(200)
  })

  it('PATCH with targeting: streaming only for one tenant attribute', async () => {
    const patch = await admin('PATCH', '/v1/flags/ai.streaming.enabled', OPERATOR, {
      targeting: { if: [{ '==': [{ var: 'plan' }, 'pro'] }, 'on', 'off'] },
      defaultVariant: 'off',
      reason: 'pro plan only',
    })
    expect(patch.status).toBe(200)
    expect(await chat('gpt-4o-mini', {}, true)).toMatchObject({ status: 403, code: 'SLUICE_ERR_STREAMING_DISABLED' })
    expect((await chat('gpt-4o-mini', { 'x-sluice-attr-plan': 'pro' }, true)).status).toBe(200)
    await admin('DELETE', '/v1/flags/ai.streaming.enabled/override', OPERATOR, { reason: 'done' })
  })

  it('refuses an override that does not compile, with every problem', async () => {
    const res = await admin('PUT', '/v1/flags/ai.egress.enabled', OPERATOR, {
      definition: { state: 'ENABLED', variants: { on: true, off: 'no' }, defaultVariant: 'maybe' },
      reason: 'broken',
    })
    expect(res.status).toBe(400)
    expect(res.body.problems.length).toBeGreaterThan(0)
    expect((await chat()).status).toBe(200)
  })

  it('a kill-switch flag with targeting blocks only the matching requests', async () => {
    const definition = {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: { if: [{ '==': [{ var: 'tenant' }, CLIENT.tenant] }, 'on', 'off'] },
    }
    expect((await admin('PUT', '/v1/flags/ai.killswitch.model.gpt-4.1', OPERATOR, { definition, reason: 'shop only' })).status).toBe(200)
    expect(await chat('gpt-4.1')).toMatchObject({ status: 503, code: 'SLUICE_ERR_KILL_MODEL' })
    expect((await chat('gpt-4o-mini')).status).toBe(200)
    await admin('DELETE', '/v1/flags/ai.killswitch.model.gpt-4.1/override', OPERATOR, { reason: 'done' })
    expect((await chat('gpt-4.1')).status).toBe(200)
  })
})

describe('activation sequences', () => {
  it('applies a bundle atomically, audited as one action per flag', async () => {
    const dark = await admin('POST', '/v1/activation/dark', OPERATOR, { reason: 'ship dark' })
    expect(dark.status).toBe(200)
    expect(dark.body.applied).toEqual({ 'ai.egress.enabled': 'off', 'ai.shadow.enabled': 'off' })
    expect((await chat()).code).toBe('SLUICE_ERR_EGRESS_DISABLED')
    const active = await admin('POST', '/v1/activation/active', OPERATOR, { reason: 'go live' })
    expect(active.status).toBe(200)
    expect((await chat()).status).toBe(200)
    const flags = await admin('GET', '/v1/flags/ai.bandit.mode', VIEWER)
    expect(flags.body.defaultVariant).toBe('active')
    expect((await admin('POST', '/v1/activation/nope', OPERATOR, { reason: 'x' })).status).toBe(404)
  })
})

describe('audit, status and config', () => {
  it('every mutation is in the audit log with actor, before, after and reason', async () => {
    const res = await admin('GET', '/v1/audit?limit=500', VIEWER)
    expect(res.status).toBe(200)
    const entries = res.body.entries as Array<{ actor: string; action: string; target: string; before: unknown; after: any; reason: string }>
    const emergency = entries.find((e) => e.reason === 'runaway spend')!
    expect(emergency).toMatchObject({ actor: 'ops', before: null })
    expect(emergency.after).toMatchObject({ scope: 'global', target: '*' })
    const activation = entries.filter((e) => e.action === 'activation.active')
    expect(activation.map((e) => e.target).sort()).toEqual(expect.arrayContaining([expect.stringContaining('ai.egress.enabled')]))
    expect(activation.every((e) => e.actor === 'oncall' && e.reason === 'go live')).toBe(true)
    expect(entries.find((e) => e.reason === 'contained')).toMatchObject({ before: { scope: 'global' }, after: null })
  })

  it('status reports flags, switches, store and providers', async () => {
    const res = await admin('GET', '/v1/status', VIEWER)
    expect(res.body).toMatchObject({ ready: true, store: { kind: 'memory', ok: true }, flags: { count: expect.any(Number) } })
    expect(res.body.providers.map((p: { name: string }) => p.name).sort()).toEqual(['bedrock', 'google', 'meta', 'openai'])
  })

  it('config is served with secrets redacted', async () => {
    const res = await fetch(`${stack.sluice.adminUrl}/v1/config`, { headers: { authorization: `Bearer ${VIEWER}` } })
    const text = await res.text()
    expect(res.status).toBe(200)
    const secrets = [OPS, VIEWER, CLIENT.credentials.apiKey, CLIENT.credentials.secretAccessKey, EMULATOR_CREDENTIALS.openai.apiKey, EMULATOR_CREDENTIALS.bedrock.secretAccessKey]
    for (const secret of [...secrets, 'hook-path-token', 'hook-bearer', 'hook-api-key']) {
      expect(text).not.toContain(secret)
    }
    const config = JSON.parse(text)
    expect(config.providers.openai.mount).toBe('/openai')
    expect(config.budgets.alerts.webhooks[0].headers).toEqual({ authorization: '<redacted>', 'x-api-key': '<redacted>' })
    // Named like a secret, but not one.
    expect(config.budgets.estimate.bytesPerToken).toBe(4)
  })

  it('reload is admin-only and audited', async () => {
    expect((await admin('POST', '/v1/config/reload', OPERATOR, { reason: 'x' })).status).toBe(403)
    expect((await admin('POST', '/v1/config/reload', OPS, { reason: 'pick up edits' })).body).toEqual({ ok: true })
    const audit = await admin('GET', '/v1/audit?limit=1', VIEWER)
    expect(audit.body.entries[0]).toMatchObject({ action: 'config.reload', actor: 'ops', reason: 'pick up edits' })
  })

  it('unknown admin routes answer 404 in the admin shape', async () => {
    expect((await admin('GET', '/v1/nothing', VIEWER)).body).toMatchObject({ statusCode: 404, code: 'SLUICE_ERR_ADMIN_NOT_FOUND' })
  })
})
