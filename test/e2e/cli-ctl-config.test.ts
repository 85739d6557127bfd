// `sluice ctl config`, `sluice ctl reload` and the warning of `sluice ctl kill` on a name nothing
// configured matches, against a real Sluice serving a config file (so a reload re-reads it).
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { parse } from 'yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EMULATOR_CREDENTIALS, startEmulators, type Emulators } from '../../src/emulators/index.js'
import { createLogger } from '../../src/log.js'
import { startSluice, type Sluice } from '../../src/main.js'
import { runCtl, type CtlResult } from '../support/cli.js'
import { stackConfig } from '../support/stack.js'

const ADMIN = 'admin-token-0123456789'
const OPERATOR = 'operator-token-0123456789'
const VIEWER = 'viewer-token-0123456789'

let emulators: Emulators
let sluice: Sluice
let file: string

function config(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return stackConfig(emulators, {
    admin: {
      host: '127.0.0.1',
      port: 0,
      tokens: [
        { name: 'root', token: ADMIN, role: 'admin' },
        { name: 'ops', token: OPERATOR, role: 'operator' },
        { name: 'analyst', token: VIEWER, role: 'viewer' },
      ],
    },
    models: { 'chat-default': { targets: [{ provider: 'bedrock', model: 'anthropic.claude-3-haiku-20240307-v1:0' }] } },
    ...extra,
  })
}

beforeAll(async () => {
  emulators = await startEmulators({ auth: EMULATOR_CREDENTIALS })
  file = join(mkdtempSync(join(tmpdir(), 'sluice-ctl-config-')), 'sluice.yaml')
  writeFileSync(file, JSON.stringify(config()))
  const quiet = new Writable({ write: (_chunk, _enc, done) => done() })
  sluice = await startSluice({ configPath: file, watch: false, logger: createLogger('info', quiet) })
})
afterAll(async () => {
  await sluice.close()
  await emulators.close()
})

const ctl = (args: string[], token = ADMIN): Promise<CtlResult> => runCtl(args, { SLUICE_ADMIN_URL: sluice.adminUrl, SLUICE_ADMIN_TOKEN: token })

describe('sluice ctl config', () => {
  it('prints the running config as YAML with secrets redacted; --json is the API answer', async () => {
    const human = await ctl(['config'], VIEWER)
    expect(human.stderr).toBe('')
    expect(human.status).toBe(0)
    expect(human.stdout).toMatch(/^# The config serving on http:\/\/127\.0\.0\.1:\d+ \(secrets shown as <redacted>\)\n/)
    const yaml = parse(human.stdout) as { providers: Record<string, { apiKey?: string }> }
    expect(yaml.providers.openai?.apiKey).toBe('<redacted>')
    for (const secret of [EMULATOR_CREDENTIALS.openai.apiKey, ADMIN, OPERATOR, EMULATOR_CREDENTIALS.bedrock.secretAccessKey]) {
      expect(human.stdout).not.toContain(secret)
    }
    const json = await ctl(['config', '--json'], VIEWER)
    expect(JSON.parse(json.stdout)).toEqual(yaml)
  })

  it('without a token: exit 1 naming SLUICE_ADMIN_TOKEN', async () => {
    const result = await ctl(['config'], '')
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('SLUICE_ERR_ADMIN_UNAUTHENTICATED')
    expect(result.stderr).toContain('set SLUICE_ADMIN_TOKEN')
  })
})

describe('sluice ctl reload', () => {
  it('needs --reason (exit 2, nothing sent) and the admin role (exit 1 with a role hint)', async () => {
    const missing = await ctl(['reload'])
    expect(missing.status).toBe(2)
    expect(missing.stderr).toContain('reload needs --reason TEXT')
    const operator = await ctl(['reload', '--reason', 'try'], OPERATOR)
    expect(operator.status).toBe(1)
    expect(operator.stderr).toContain('SLUICE_ERR_ADMIN_FORBIDDEN')
    expect(operator.stderr).toContain('this action needs role admin')
  })

  it('applies a changed file, refuses a broken one with its problems and keeps serving the last good', async () => {
    writeFileSync(file, JSON.stringify(config({ log: { level: 'warn' } })))
    const applied = await ctl(['reload', '--reason', 'quieter logs'])
    expect(applied.stderr).toBe('')
    expect(applied.status).toBe(0)
    expect(applied.stdout).toContain('Config reloaded (reason: quieter logs)')
    expect(JSON.parse((await ctl(['config', '--json'])).stdout)).toMatchObject({ log: { level: 'warn' } })

    writeFileSync(file, JSON.stringify(config({ server: { port: 99999 } })))
    const refused = await ctl(['reload', '--reason', 'typo'])
    expect(refused.status).toBe(1)
    expect(refused.stderr).toMatch(/^SLUICE_ERR_ADMIN_INVALID: .*The config file was refused; the last good config keeps serving\.\n/)
    expect(refused.stderr).toContain('  - server.port: must be at most 65535 (got 99999)')
    expect(JSON.parse((await ctl(['config', '--json'])).stdout)).toMatchObject({ log: { level: 'warn' } })

    const audit = JSON.parse((await ctl(['audit', '--json', '--limit', '2'])).stdout) as { entries: { action: string; reason: string }[] }
    expect(audit.entries.map((e) => [e.action, e.reason])).toEqual([
      ['config.reload', 'typo'],
      ['config.reload', 'quieter logs'],
    ])
  })
})

describe('sluice ctl kill on a name nothing configured matches', () => {
  it.each([
    ['provider', 'bedrok', 'no configured provider is named "bedrok" (did you mean bedrock?)'],
    ['model', 'gpt-4o-mimi', 'no configured or priced model matches "gpt-4o-mimi" (did you mean'],
    ['model', 'chat-default', '"chat-default" is a virtual model of the unified endpoint'],
  ])('kill %s %s: the switch is set, and stderr warns', async (scope, target, warning) => {
    const result = await ctl(['kill', scope, target, '--reason', 'incident'], OPERATOR)
    expect(result.status).toBe(0)
    expect(result.stdout).toContain(`Kill switch on: ${scope} ${target}`)
    expect(result.stderr).toContain(`warning: ${warning}`)
    expect(result.stderr).toContain(`undo with: sluice ctl revive ${scope} ${target}`)
    const listed = JSON.parse((await ctl(['kill-switches', '--json'])).stdout) as { killSwitches: { scope: string; target: string }[] }
    expect(listed.killSwitches).toContainEqual(expect.objectContaining({ scope, target }))
    expect((await ctl(['revive', scope, target, '--reason', 'cleanup'], OPERATOR)).status).toBe(0)
  })

  it.each([
    ['provider', 'bedrock'],
    ['model', 'gpt-4o-mini'], // not in this config, but a priced model id
    ['model', 'anthropic.claude-3-haiku-20240307-v1:0'],
    ['model', 'us.anthropic.claude-3-haiku-20240307-v1:0'], // a cross-region profile of a configured model
  ])('kill %s %s: no warning', async (scope, target) => {
    const result = await ctl(['kill', scope, target, '--reason', 'incident', '--json'], OPERATOR)
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect((await ctl(['revive', scope, target, '--reason', 'cleanup'], OPERATOR)).status).toBe(0)
  })
})
