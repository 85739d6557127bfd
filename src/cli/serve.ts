import { startSluice, type Sluice } from '../main.js'
import { configArgs } from './args.js'
import { egressWarning } from './egress.js'
import { stopSignal } from './signals.js'

export async function serve(args: string[]): Promise<number> {
  const { config, env, port, adminPort } = configArgs(args)
  if (config === undefined) {
    process.stderr.write('sluice serve: --config FILE (or SLUICE_CONFIG) is required\n')
    return 2
  }
  // Handlers go in before startup: the "listening" log line can reach a supervisor before the
  // code after `await startSluice` runs, and an unhandled SIGHUP would kill the process.
  let sluice: Sluice | undefined
  process.on('SIGHUP', () => sluice?.reload())
  const stopped = stopSignal()
  sluice = await startSluice({ configPath: config, env, dataPort: port, adminPort })
  // After start, so the store's overrides (an earlier `ctl activate`) count: they are in the snapshot.
  const snapshot = sluice.snapshot()
  const dark = egressWarning(snapshot.flags, snapshot.config, true)
  if (dark !== undefined) process.stderr.write(`${dark}\n`)
  await stopped
  await sluice.close()
  return 0
}
