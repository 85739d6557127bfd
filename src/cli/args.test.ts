import { afterEach, describe, expect, it, vi } from 'vitest'
import { configArgs } from './args.js'

describe('configArgs', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  it('reads SLUICE_CONFIG and SLUICE_ENV when no option is given; options win', () => {
    vi.stubEnv('SLUICE_CONFIG', '/etc/sluice/sluice.yaml')
    vi.stubEnv('SLUICE_ENV', 'staging')
    expect(configArgs([])).toMatchObject({ config: '/etc/sluice/sluice.yaml', env: 'staging' })
    expect(configArgs(['-c', 'local.yaml', '--env', 'prod'])).toMatchObject({ config: 'local.yaml', env: 'prod' })
  })

  it('takes an empty SLUICE_ENV or SLUICE_CONFIG as unset, not as an environment or file named ""', () => {
    vi.stubEnv('SLUICE_CONFIG', '')
    vi.stubEnv('SLUICE_ENV', '')
    expect(configArgs([])).toMatchObject({ config: undefined, env: undefined })
  })
})
