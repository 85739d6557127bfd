import { startSluice } from '../main.js'
import { configArgs } from './args.js'

export async function serve(args: string[]): Promise<number> {
  const { config, env, port, adminPort } = configArgs(args)
  if (config === undefined) {
    process.stderr.write('sluice serve: --config FILE (or SLUICE_CONFIG) is required\n')
    return 2
  }
  const sluice = await startSluice({ configPath: config, env, dataPort: port, adminPort })
  process.on('SIGHUP', () => sluice.reload())
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop)
      process.off('SIGINT', stop)
      void sluice.close().then(resolve)
    }
    process.on('SIGTERM', stop)
    process.on('SIGINT', stop)
  })
  return 0
}
