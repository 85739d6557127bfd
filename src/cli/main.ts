#!/usr/bin/env node
// `sluice <command>`: serve, validate, emulate, demo, ctl (docs/cli.md).
import { packageVersion } from '../control/version.js'
import { COMMAND_USAGE, USAGE } from './usage.js'

type Command = (args: string[]) => Promise<number>

// Each command is loaded only when run: `ctl` need not load fastify and the AWS SDK.
const commands: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve.js')).serve,
  validate: async () => (await import('./validate.js')).validate,
  emulate: async () => (await import('./emulate.js')).emulate,
  demo: async () => (await import('./demo.js')).demo,
  ctl: async () => (await import('./ctl.js')).ctl,
}

async function main(argv: string[]): Promise<number> {
  // `sluice help <command>` is `sluice <command> --help`.
  const [name, ...rest] = argv[0] === 'help' && argv[1] !== undefined ? [argv[1], '--help'] : argv
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`${packageVersion()}\n`)
    return 0
  }
  // ctl answers --help per subcommand itself; the others before they parse a single option.
  const usage = name === undefined ? undefined : COMMAND_USAGE[name]
  if (usage !== undefined && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(usage)
    return 0
  }
  const load = name === undefined ? undefined : commands[name]
  if (load === undefined) {
    const help = name === undefined || name === 'help' || name === '--help' || name === '-h'
    if (help) process.stdout.write(USAGE)
    else process.stderr.write(`sluice: unknown command ${name}\n\n${USAGE}`)
    return help ? 0 : 2
  }
  return (await load())(rest)
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code
  },
  (err: unknown) => {
    process.stderr.write(`sluice: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = 1
  },
)
