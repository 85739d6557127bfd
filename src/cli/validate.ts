import { loadConfigFile, formatProblem } from '../config/load.js'
import { configArgs } from './args.js'

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
  for (const warning of result.warnings) process.stdout.write(`warning: ${warning}\n`)
  const providers = Object.keys(result.config.providers).length
  process.stdout.write(`${config}: ok (${providers} providers, ${result.config.clients.length} clients)\n`)
  return 0
}
