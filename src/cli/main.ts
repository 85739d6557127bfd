#!/usr/bin/env node
// `sluice <command>` (SPEC §15): serve, validate, emulate, demo.
import { serve } from './serve.js'
import { validate } from './validate.js'
import { emulate } from './emulate.js'
import { demo } from './demo.js'

const USAGE = `Usage: sluice <command> [options]

Commands:
  serve     Run the proxy            --config FILE (or SLUICE_CONFIG)  --env NAME (or SLUICE_ENV)  [--port N] [--admin-port N]
  validate  Check a config file      --config FILE  --env NAME; prints "path: problem (got value)", exits 1 on problems
  emulate   Run the provider emulators alone   --port N (first of four consecutive ports, default 4001)
  demo      Emulators + Sluice on an embedded config, with ready-to-paste calls   [--port N (default 8080)] [--admin-port N (default 9901)]
`

const commands: Record<string, (args: string[]) => Promise<number>> = { serve, validate, emulate, demo }

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  const command = name === undefined ? undefined : commands[name]
  if (command === undefined) {
    const help = name === undefined || name === 'help' || name === '--help' || name === '-h'
    ;(help ? process.stdout : process.stderr).write(USAGE)
    return help ? 0 : 2
  }
  return command(rest)
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
