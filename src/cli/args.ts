import { parseArgs } from 'node:util'

/** Options shared by serve, validate and demo. */
export function configArgs(args: string[]): { config: string | undefined; env: string | undefined; port: number | undefined } {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string', short: 'c' }, env: { type: 'string', short: 'e' }, port: { type: 'string', short: 'p' } },
    allowPositionals: false,
  })
  const port = values.port === undefined ? undefined : Number(values.port)
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) throw new Error(`--port must be a port number (got ${values.port})`)
  return { config: values.config ?? process.env.SLUICE_CONFIG, env: values.env ?? process.env.SLUICE_ENV, port }
}
