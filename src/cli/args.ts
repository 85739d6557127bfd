import { parseArgs } from 'node:util'

/** Options shared by serve, validate and demo. */
export interface CommonArgs {
  readonly config: string | undefined
  readonly env: string | undefined
  /** Data plane port override. */
  readonly port: number | undefined
  /** Admin port override. */
  readonly adminPort: number | undefined
}

export function configArgs(args: string[]): CommonArgs {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', short: 'c' },
      env: { type: 'string', short: 'e' },
      port: { type: 'string', short: 'p' },
      'admin-port': { type: 'string' },
    },
    allowPositionals: false,
  })
  return {
    // An empty variable is unset, as a compose file's `SLUICE_ENV: ${SLUICE_ENV:-}` leaves it.
    config: values.config ?? nonEmpty(process.env.SLUICE_CONFIG),
    env: values.env ?? nonEmpty(process.env.SLUICE_ENV),
    port: portArg('--port', values.port),
    adminPort: portArg('--admin-port', values['admin-port']),
  }
}

const nonEmpty = (value: string | undefined): string | undefined => (value === '' ? undefined : value)

export function portArg(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const port = Number(value)
  if (!(Number.isInteger(port) && port >= 0 && port < 65536)) throw new Error(`${name} must be a port number (got ${value})`)
  return port
}
