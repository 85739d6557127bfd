import { dirname, resolve } from 'node:path'
import { loadConfigFile, formatProblem } from '../config/load.js'
import { checkCandidate } from '../runtime/runtime.js'
import { configArgs } from './args.js'
import { egressWarning } from './egress.js'

export async function validate(args: string[]): Promise<number> {
  const { config, env } = configArgs(args)
  if (config === undefined) {
    process.stderr.write('sluice validate: --config FILE (or SLUICE_CONFIG) is required\n')
    return 2
  }
  const result = loadConfigFile(config, { env, environ: process.env })
  if (!result.ok) {
    for (const problem of result.problems) process.stdout.write(`${formatProblem(problem)}\n`)
    return 1
  }
  // What a reload checks before it swaps: gate names, and the flags (inline and every flag file) compiled together.
  const flags = checkCandidate(result.config, dirname(resolve(config)))
  if (!flags.ok) {
    for (const problem of flags.problems) process.stdout.write(`${problem}\n`)
    return 1
  }
  for (const warning of [...result.warnings, ...flags.warnings]) process.stdout.write(`warning: ${warning}\n`)
  const providers = Object.keys(result.config.providers).length
  const summary = `${providers} providers, ${result.config.clients.length} clients, ${flags.flagSet.keys.length} flags`
  // Valid but dark is still exit 0; the summary line must not read as "ready for traffic".
  const dark = egressWarning(flags.flagSet, result.config, false)
  if (dark !== undefined) process.stderr.write(`${dark}\n`)
  process.stdout.write(`${config}: ok (${summary})${dark === undefined ? '' : ', but EGRESS IS OFF: every AI request would get 503 SLUICE_ERR_EGRESS_DISABLED (see stderr)'}\n`)
  return 0
}
