import { parseArgs } from 'node:util'
import { stopSignal } from './signals.js'
import { EMULATOR_CREDENTIALS, EMULATOR_TYPES, startEmulators } from '../emulators/index.js'

export async function emulate(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { port: { type: 'string', short: 'p', default: '4001' }, host: { type: 'string', default: '127.0.0.1' } } })
  const stopped = stopSignal()
  const emulators = await startEmulators({ port: Number(values.port), host: values.host, auth: EMULATOR_CREDENTIALS })
  for (const type of EMULATOR_TYPES) process.stdout.write(`${type.padEnd(8)} ${emulators[type].url}\n`)
  process.stdout.write(
    `\nCredentials they require:\n${JSON.stringify(EMULATOR_CREDENTIALS, null, 2)}\n` +
      'Script them with POST <url>/__emulator/script, e.g. {"status":429} or {"breakAfterChunks":2}.\n',
  )
  await stopped
  await emulators.close()
  return 0
}
