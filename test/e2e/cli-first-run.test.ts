// The first run, as a newcomer meets it through the compiled binary: a config that leaves egress
// off is called out by validate and serve (and a data-plane call shows why), --version and --help
// on every command and ctl subcommand.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CTL_COMMAND_NAMES } from '../../src/cli/ctl.js'
import { EMULATOR_CREDENTIALS, startEmulators, type Emulators } from '../../src/emulators/index.js'
import { BIN, exited, runCtl, startCommand } from '../support/cli.js'
import { CLIENT, stackConfig } from '../support/stack.js'

const ADMIN = 'first-run-admin-token-0123'
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

let emulators: Emulators
let dir: string

beforeAll(async () => {
  emulators = await startEmulators({ auth: EMULATOR_CREDENTIALS })
  dir = mkdtempSync(join(tmpdir(), 'sluice-first-run-'))
})
afterAll(async () => {
  await emulators.close()
})

function writeConfig(name: string, config: unknown): string {
  const file = join(dir, name)
  writeFileSync(file, JSON.stringify(config))
  return file
}

/** A valid config as a newcomer writes it: no flags, so egress stays at its built-in off. */
function darkConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { flags: _traffic, ...config } = stackConfig(emulators)
  return { ...config, ...extra }
}

const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' })

describe('egress off is called out', () => {
  it('validate: exit 0, the ok line says egress is off, stderr says how to turn it on', () => {
    const result = run(['validate', '--config', writeConfig('dark.yaml', darkConfig())])
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/: ok \(4 providers, 1 clients, \d+ flags\), but EGRESS IS OFF: every AI request would get 503 SLUICE_ERR_EGRESS_DISABLED/)
    expect(result.stderr).toContain('WARNING: egress is OFF')
    expect(result.stderr).toContain('ai.egress.enabled serves "off" (the built-in default')
    expect(result.stderr).toContain('sluice ctl activate active --reason')
    expect(result.stderr).toContain('sluice ctl flags set ai.egress.enabled on --reason')
    expect(result.stderr).toContain('ai.egress.enabled: { state: ENABLED, variants: { on: true, off: false }, defaultVariant: on }')
  })

  it('validate: a flag file or inline flag that keeps egress off names where; one that targets it is not warned about', () => {
    const off = { 'ai.egress.enabled': { state: 'DISABLED', variants: { on: true, off: false }, defaultVariant: 'on' } }
    const disabled = run(['validate', '--config', writeConfig('disabled.yaml', darkConfig({ flags: off }))])
    expect(disabled.status).toBe(0)
    expect(disabled.stderr).toContain('ai.egress.enabled is DISABLED (defined in config flags)')
    // Only sequences that turn egress on are offered.
    const noSequence = run(['validate', '--config', writeConfig('no-sequence.yaml', darkConfig({ activation: { sequences: { quiet: { 'ai.shadow.enabled': 'off' } } } }))])
    expect(noSequence.stderr).toContain('WARNING: egress is OFF')
    expect(noSequence.stderr).not.toContain('ctl activate')

    const targeted = {
      'ai.egress.enabled': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting: { if: [{ '==': [{ var: 'tenant' }, 'shop'] }, 'on', null] } },
    }
    const some = run(['validate', '--config', writeConfig('targeted.yaml', darkConfig({ flags: targeted }))])
    expect(some.status).toBe(0)
    expect(some.stderr).toBe('')
    expect(some.stdout).not.toContain('EGRESS')
  })

  it('serve: warns on stderr, a call gets 503 SLUICE_ERR_EGRESS_DISABLED, the suggested ctl command turns it on', async () => {
    const config = darkConfig({ admin: { host: '127.0.0.1', port: 0, tokens: [{ name: 'ops', token: ADMIN, role: 'admin' }] } })
    const { child, until } = startCommand(['serve', '--config', writeConfig('serve-dark.yaml', config)])
    let stderr = ''
    const warned = new Promise<void>((resolve) =>
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8')
        if (stderr.includes('Streaming has its own switch')) resolve()
      }),
    )
    const listening = await until((l) => l.msg === 'sluice listening')
    await warned
    expect(stderr).toContain('WARNING: egress is OFF. Every AI request will be refused with 503 SLUICE_ERR_EGRESS_DISABLED.')
    expect(stderr).not.toContain('validate does not read the state store')

    const chat = () =>
      fetch(`http://127.0.0.1:${String(listening.dataPort)}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${CLIENT.credentials.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] }),
      })
    const refused = await chat()
    expect(refused.status).toBe(503)
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('SLUICE_ERR_EGRESS_DISABLED')

    const env = { SLUICE_ADMIN_URL: `http://127.0.0.1:${String(listening.adminPort)}`, SLUICE_ADMIN_TOKEN: ADMIN }
    const activated = await runCtl(['activate', 'active', '--reason', 'launch'], env)
    expect(activated.status).toBe(0)
    expect((await chat()).status).toBe(200)
    child.kill('SIGTERM')
    expect(await exited(child)).toBe(0)
  })

  it('serve with egress on says nothing on stderr', async () => {
    const { child, until } = startCommand(['serve', '--config', writeConfig('serve-on.yaml', stackConfig(emulators))])
    let stderr = ''
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    await until((l) => l.msg === 'sluice listening')
    child.kill('SIGTERM')
    expect(await exited(child)).toBe(0)
    expect(stderr).toBe('')
  })
})

describe('--version and --help', () => {
  it('--version and -V print the package version and exit 0', () => {
    for (const flag of ['--version', '-V']) {
      const result = run([flag])
      expect(result.status).toBe(0)
      expect(result.stdout).toBe(`${pkg.version}\n`)
    }
  })

  it.each(['serve', 'validate', 'emulate', 'demo'])('%s --help and -h print its usage on stdout and exit 0', (command) => {
    for (const flag of ['--help', '-h']) {
      // A bad option beside --help must not win: help is answered before parsing.
      const result = run([command, flag, '--no-such-option'])
      expect(result.stderr).toBe('')
      expect(result.status).toBe(0)
      expect(result.stdout).toMatch(new RegExp(`^Usage: sluice ${command}`))
    }
  })

  it('sluice --help, help and help <command> print usage on stdout; an unknown command exits 2', () => {
    expect(run(['--help']).stdout).toContain('Usage: sluice <command>')
    expect(run(['help', 'demo']).stdout).toMatch(/^Usage: sluice demo/)
    const unknown = run(['serv'])
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toMatch(/^sluice: unknown command serv\n/)
  })

  it('ctl --help through the binary prints the ctl usage', async () => {
    const child = spawn(process.execPath, [BIN, 'ctl', 'kill', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    expect(await exited(child)).toBe(0)
    expect(stdout).toMatch(/^Usage: sluice ctl kill <scope> <target> --reason R\n/)
  })

  it.each(CTL_COMMAND_NAMES)('ctl %s --help prints its usage on stdout and exits 0 without a request', async (name) => {
    // A closed URL and no token: a request would exit 3, so exit 0 proves help was answered locally.
    for (const flag of ['--help', '-h']) {
      const result = await runCtl([...name.split(' '), flag], { SLUICE_ADMIN_URL: 'http://127.0.0.1:1' })
      expect(result.stderr).toBe('')
      expect(result.status).toBe(0)
      expect(result.stdout).toMatch(new RegExp(`^Usage: sluice ctl ${name.replace(/[-]/g, '\\-')}`))
    }
  })

  it('ctl <group> --help lists the group; ctl help <command> is <command> --help', async () => {
    const group = await runCtl(['flags', '--help'], {})
    expect(group.status).toBe(0)
    expect(group.stdout).toContain('flags set <key> <variant> --reason R')
    const help = await runCtl(['help', 'reload'], {})
    expect(help.stdout).toMatch(/^Usage: sluice ctl reload --reason R\n/)
    expect(help.stdout).toContain('role admin')
  })
})
