// The shape of one `sluice ctl` subcommand. ctl.ts parses the arguments, checks them against this
// declaration (positionals, options, reason) before any request, and runs it.
import type { AdminClient, Role } from './client.js'

/** Options beyond the global ones (--url, --token, --json, --help) that a subcommand may accept. */
export type CommandOption = 'reason' | 'since' | 'limit' | 'winner'

export interface CommandInput {
  readonly client: AdminClient
  /** Positionals after the subcommand's name, count already checked. */
  readonly args: readonly string[]
  /** Trimmed and non-empty when the command declares `mutation`. */
  readonly reason: string
  readonly since: string | undefined
  readonly limit: number | undefined
  /** `--winner V`, for a command declaring the `winner` option. */
  readonly winner: string | undefined
  /** Writes the raw JSON under `--json`, else the human rendering. */
  print(body: unknown, human: (body: unknown) => string): void
  /** A note for the operator on stderr, under `--json` too (stdout stays the API's answer). */
  warn(text: string): void
}

export interface CtlCommand {
  /** One or two words: `status`, `flags set`. */
  readonly name: string
  /** The positionals and options after the name, as shown in the usage text. */
  readonly synopsis: string
  readonly summary: string
  /** Least admin role the API asks for; named in the hint on 401/403. */
  readonly role: Role
  /** Positional names, in order; the count must match exactly. */
  readonly positionals: readonly string[]
  /** Requires a non-empty `--reason` (every mutation is audit-logged with one). */
  readonly mutation?: boolean
  readonly options?: readonly CommandOption[]
  /** Extra checks on the positionals; a returned string is a usage error. */
  check?(args: readonly string[]): string | undefined
  run(input: CommandInput): Promise<void>
}

/** Bad command line: ctl prints the message and the usage text, and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** A path segment for a user-supplied name: model ids carry `:` and `/` (`anthropic.claude-3-haiku-20240307-v1:0`). */
export const segment = (value: string): string => encodeURIComponent(value)
