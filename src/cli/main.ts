#!/usr/bin/env node
// `sluice <command>` (SPEC §15): serve, validate, emulate, demo, ctl.

const USAGE = `Usage: sluice <command> [options]

Commands:
  serve     Run the proxy            --config FILE (or SLUICE_CONFIG)  --env NAME (or SLUICE_ENV)  [--port N] [--admin-port N]
  validate  Check a config file      --config FILE  --env NAME; prints "path: problem (got value)", exits 1 on problems
  emulate   Run the provider emulators alone   --port N (first of four consecutive ports, default 4001)
  demo      Emulators + Sluice on an embedded config, with ready-to-paste calls   [--port N (default 8080)] [--admin-port N (default 9901)]
  ctl       Operate a running Sluice via its admin API: status, kill/revive, emergency, flags, activate, budgets, rate-limits, circuits, audit
            (SLUICE_ADMIN_URL, SLUICE_ADMIN_TOKEN; \`sluice ctl --help\` for details)
`

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
  const [name, ...rest] = argv
  const load = name === undefined ? undefined : commands[name]
  if (load === undefined) {
    const help = name === undefined || name === 'help' || name === '--help' || name === '-h'
    ;(help ? process.stdout : process.stderr).write(USAGE)
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
