// `sluice ctl <command>` (docs/cli.md): the operator's CLI over the admin API (docs/admin-api.md).
// Reads SLUICE_ADMIN_URL and SLUICE_ADMIN_TOKEN (or --url, --token). Exit codes: 0 ok, 1 the API
// refused, 2 usage error (nothing was sent), 3 the admin API could not be reached.
import { parseArgs } from 'node:util'
import { AdminApiError, AdminUnreachableError, createAdminClient, DEFAULT_ADMIN_URL, type Role } from './ctl/client.js'
import { banditCommands } from './ctl/bandits.js'
import { circuitCommands } from './ctl/circuits.js'
import { UsageError, type CommandOption, type CtlCommand } from './ctl/command.js'
import { experimentCommands } from './ctl/experiments.js'
import { flagCommands } from './ctl/flags.js'
import { sinceTime, statusCommands } from './ctl/status.js'
import { limitCommands } from './ctl/limits.js'
import { rolloutCommands } from './ctl/rollouts.js'
import { shadowCommands } from './ctl/shadows.js'
import { guardrailCommands } from './ctl/guardrails.js'
import { KILL_SCOPES, switchCommands } from './ctl/switches.js'
import { configCommands } from './ctl/config.js'

const COMMANDS: readonly CtlCommand[] = [...statusCommands.slice(0, 1), ...switchCommands, ...flagCommands, ...limitCommands, ...circuitCommands, ...experimentCommands, ...rolloutCommands, ...shadowCommands, ...guardrailCommands, ...banditCommands, ...configCommands, ...statusCommands.slice(1)]

/** Every subcommand's name (`kill`, `flags set`), for tests and completion. */
export const CTL_COMMAND_NAMES: readonly string[] = COMMANDS.map((c) => c.name)

const synopsis = (c: CtlCommand): string => (c.synopsis === '' ? c.name : `${c.name} ${c.synopsis}`)
const width = Math.max(...COMMANDS.map((c) => synopsis(c).length))

export const CTL_USAGE = `Usage: sluice ctl <command> [options]

Operate a running Sluice through its admin API.

Commands:
${COMMANDS.map((c) => `  ${synopsis(c).padEnd(width)}  ${c.summary} [${c.role}]`).join('\n')}

Options:
  --url URL      Admin API base URL (env SLUICE_ADMIN_URL, default ${DEFAULT_ADMIN_URL})
  --token TOKEN  Bearer token from admin.tokens (env SLUICE_ADMIN_TOKEN)
  --reason TEXT  Why: required by every change, recorded in the audit log
  --since TIME   audit: an ISO time, or a span back from now (30m, 2h, 7d)
  --limit N      audit: at most N entries (the API's default is 100)
  --winner NAME  experiments conclude: the variant to promote
  --json         Print the API's JSON answer instead of tables
  -h, --help     Show this text; after a command (ctl kill --help), that command's usage

Kill scopes: ${KILL_SCOPES.join(', ')}. A client target is a client id, or tenant:<name> for a
whole tenant. Activation sequences by default: dark, shadow, canary, active.
A circuit target is <provider>/<model> or <provider>/* (as ctl circuits lists them).
[role] is the least token role a command needs (viewer < operator < admin).
Exit codes: 0 ok, 1 the API refused (code: message), 2 usage error, 3 admin API unreachable.
`

const OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  reason: { type: 'string' },
  since: { type: 'string' },
  limit: { type: 'string' },
  winner: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

export interface CtlIo {
  readonly env: NodeJS.ProcessEnv
  out(text: string): void
  err(text: string): void
}

const processIo: CtlIo = {
  env: process.env,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}

export async function ctl(argv: string[], io: CtlIo = processIo): Promise<number> {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv, io.env)
  } catch (err) {
    if (!(err instanceof UsageError) && !isParseArgsError(err)) throw err
    io.err(`sluice ctl: ${err.message}\n\n${CTL_USAGE}`)
    return 2
  }
  if (parsed.help !== undefined) {
    io.out(parsed.help)
    return 0
  }
  const { command, input, url, token, json } = parsed
  const client = createAdminClient({ url, token })
  try {
    await command.run({
      ...input,
      client,
      print: (body, human) => io.out(json ? `${JSON.stringify(body, null, 2)}\n` : human(body)),
      warn: (text) => io.err(text),
    })
    return 0
  } catch (err) {
    if (err instanceof AdminApiError) {
      io.err(apiErrorText(err, command, token))
      return 1
    }
    if (err instanceof AdminUnreachableError) {
      io.err(unreachableText(err))
      return 3
    }
    throw err
  }
}

/** Everything checked before a request goes out; throws UsageError (or parseArgs' TypeError). */
function parse(argv: string[], env: NodeJS.ProcessEnv) {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true })
  if (values.help === true || positionals[0] === 'help') return { help: helpText(positionals[0] === 'help' ? positionals.slice(1) : positionals) }
  if (positionals.length === 0) throw new UsageError('missing command')
  const two = `${positionals[0]} ${positionals[1] ?? ''}`
  const command = COMMANDS.find((c) => c.name === two) ?? COMMANDS.find((c) => c.name === positionals[0])
  if (command === undefined) {
    const group = COMMANDS.filter((c) => c.name.startsWith(`${positionals[0]} `)).map((c) => c.name.split(' ')[1])
    throw new UsageError(group.length > 0 ? `${positionals[0]} needs one of: ${group.join(', ')}` : `unknown command ${positionals.join(' ')}`)
  }
  const args = positionals.slice(command.name.split(' ').length)
  if (args.length !== command.positionals.length) {
    throw new UsageError(`usage: sluice ctl ${synopsis(command)}`)
  }
  const problem = command.check?.(args)
  if (problem !== undefined) throw new UsageError(problem)
  for (const option of ['reason', 'since', 'limit', 'winner'] as const) {
    const allowed = option === 'reason' ? command.mutation === true : (command.options ?? []).includes(option)
    if (values[option] !== undefined && !allowed) throw new UsageError(`${command.name} does not take --${option}`)
  }
  const reason = values.reason?.trim() ?? ''
  if (command.mutation === true && reason === '') {
    throw new UsageError(`${command.name} needs --reason TEXT: every change is audit-logged with its reason`)
  }
  const since = values.since === undefined ? undefined : sinceTime(values.since)
  if (values.since !== undefined && since === undefined) throw new UsageError(`--since must be an ISO time or a span like 30m, 2h, 7d (got ${values.since})`)
  const limit = values.limit === undefined ? undefined : Number(values.limit)
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new UsageError(`--limit must be a positive integer (got ${values.limit})`)

  const url = values.url ?? env.SLUICE_ADMIN_URL ?? DEFAULT_ADMIN_URL
  if (!isHttpUrl(url)) throw new UsageError(`the admin URL must be http:// or https:// (got ${url})`)
  const token = values.token ?? env.SLUICE_ADMIN_TOKEN
  return { command, input: { args, reason, since, limit, winner: values.winner }, url, token, json: values.json === true }
}

/** `sluice ctl <command> --help`: that command's usage; a group's commands; else the whole list. */
function helpText(words: readonly string[]): string {
  if (words.length === 0) return CTL_USAGE
  const command = COMMANDS.find((c) => c.name === `${words[0]} ${words[1] ?? ''}`) ?? COMMANDS.find((c) => c.name === words[0])
  if (command === undefined) {
    const group = COMMANDS.filter((c) => c.name.startsWith(`${words[0]} `))
    if (group.length === 0) return CTL_USAGE
    const pad = Math.max(...group.map((c) => synopsis(c).length))
    return `Usage: sluice ctl ${words[0]} <command> [options]\n\nCommands:\n${group.map((c) => `  ${synopsis(c).padEnd(pad)}  ${c.summary} [${c.role}]`).join('\n')}\n\n\`sluice ctl --help\` for the options.\n`
  }
  const options = [
    ...(command.mutation === true ? ['  --reason TEXT  Why: required, recorded in the audit log'] : []),
    ...(command.options ?? []).map((o) => `  --${o}${OPTION_HELP[o]}`),
    '  --url URL      Admin API base URL (env SLUICE_ADMIN_URL)',
    '  --token TOKEN  Bearer token from admin.tokens (env SLUICE_ADMIN_TOKEN)',
    "  --json         Print the API's JSON answer",
    '  -h, --help     Show this text',
  ]
  const role = command.role === 'admin' ? 'admin' : `${command.role} or higher`
  return `Usage: sluice ctl ${synopsis(command)}\n\n${command.summary}. Needs a token with role ${role}.\n\nOptions:\n${options.join('\n')}\n`
}

const OPTION_HELP: Record<CommandOption, string> = {
  reason: ' TEXT  Why: recorded in the audit log',
  since: ' TIME   An ISO time, or a span back from now (30m, 2h, 7d)',
  limit: ' N      At most N entries',
  winner: ' NAME  The variant to promote',
}

/** parseArgs throws TypeErrors coded ERR_PARSE_ARGS_* (unknown option, missing value). */
const isParseArgsError = (err: unknown): err is Error =>
  err instanceof TypeError && String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value)
    return protocol === 'http:' || protocol === 'https:'
  } catch {
    return false
  }
}

function apiErrorText(err: AdminApiError, command: CtlCommand, token: string | undefined): string {
  const lines = [`${err.code}: ${err.message}`, ...err.problems.map((p) => `  - ${p}`)]
  const role = roleHint(command.role)
  if (err.status === 401) {
    lines.push(
      token === undefined || token === ''
        ? `hint: no admin token given; set SLUICE_ADMIN_TOKEN or pass --token (${role})`
        : `hint: check SLUICE_ADMIN_TOKEN (or --token): it must match a token in admin.tokens (${role})`,
    )
  } else if (err.status === 403) {
    lines.push(`hint: check SLUICE_ADMIN_TOKEN: ${role}, and this token's role is lower`)
  } else if (err.code === 'HTTP_404') {
    lines.push('hint: this does not look like the Sluice admin API (the data plane port?); check SLUICE_ADMIN_URL (or --url)')
  }
  return lines.join('\n') + '\n'
}

const roleHint = (role: Role): string => (role === 'viewer' ? 'this action needs role viewer or higher' : `this action needs role ${role}${role === 'admin' ? '' : ' or admin'}`)

function unreachableText(err: AdminUnreachableError): string {
  const lines = [
    `sluice ctl: ${err.message}`,
    `hint: set SLUICE_ADMIN_URL (or --url) to the admin port of a running Sluice (admin.host/admin.port in its config; default ${DEFAULT_ADMIN_URL})`,
  ]
  if (err.maybeApplied) lines.push('note: the request may have reached Sluice; check with `sluice ctl status` or `sluice ctl audit` before retrying')
  return lines.join('\n') + '\n'
}
