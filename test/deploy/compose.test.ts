// docker/compose.yaml validated without Docker (no engine runs here nor in CI): against the
// Compose Specification's JSON Schema, with Ajv, then checked against the files it mounts and the
// Sluice config it runs. The schema is vendored as test/deploy/compose-spec.json:
// schema/compose-spec.json of compose-spec/compose-go at tag v2.13.0 (commit
// 0670a1c375c19defea19147bd82eb126a7c33b29), the file Docker Compose validates with; Apache-2.0.
// No maintained npm package ships it.
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import { EMULATOR_TYPES } from '../../src/emulators/index.js'
import { loadConfig, loaded, read, readYaml, readYamlDocuments, REPO, requiredRefs } from './support.js'

// strictTypes off: the official schema leaves `type: object` implicit under a oneOf, which is valid JSON Schema.
const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true, strictTypes: false })
const validateCompose = ajv.compile(JSON.parse(read('test/deploy/compose-spec.json')) as object)

interface ComposeService {
  image?: string
  build?: { context: string; dockerfile?: string }
  command?: string[]
  environment?: Record<string, string>
  volumes?: string[]
  ports?: string[]
  depends_on?: Record<string, { condition: string }>
  stop_grace_period?: string
  healthcheck?: { test: string[] }
}
const composeText = read('docker/compose.yaml')
const compose = readYaml<{ services: Record<string, ComposeService>; volumes: Record<string, unknown> }>('docker/compose.yaml')
const services = compose.services
const composeDir = join(REPO, 'docker')

/** `${VAR:-default}` → default, `${VAR:?message}` → a stand-in value, as compose interpolates with VAR unset. */
const interpolate = (value: string): string => value.replace(/\$\{(\w+)(?::?-([^}]*)|:\?[^}]*)?\}/g, (_, _name: string, dflt?: string) => dflt ?? 'set-by-env-file-0123456789')

describe('docker/compose.yaml', () => {
  it('is valid against the Compose Specification schema', () => {
    expect(validateCompose(compose), JSON.stringify(validateCompose.errors, null, 2)).toBe(true)
  })

  it('the schema check can fail: an unknown key, a wrong type', () => {
    const broken = structuredClone(compose) as unknown as { services: Record<string, Record<string, unknown>> }
    broken.services.sluice!.stop_grace = '40s'
    expect(validateCompose(broken)).toBe(false)
    const wrongType = structuredClone(compose) as unknown as { services: Record<string, Record<string, unknown>> }
    wrongType.services.redis!.volumes = 'redis-data:/data'
    expect(validateCompose(wrongType)).toBe(false)
  })

  it('runs the application, Sluice, the emulators, Redis, Prometheus and Grafana', () => {
    expect(Object.keys(services).sort()).toEqual(['app', 'emulators', 'grafana', 'prometheus', 'redis', 'sluice'])
    expect(services.app!.depends_on).toEqual({ sluice: { condition: 'service_healthy' } })
    expect(services.sluice!.depends_on).toMatchObject({ redis: { condition: 'service_healthy' }, emulators: { condition: 'service_healthy' } })
  })

  it('every file and build context it names exists in the repository', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build !== undefined) {
        const context = resolve(composeDir, service.build.context)
        expect(existsSync(context), `${name}: build context ${context}`).toBe(true)
        expect(existsSync(join(context, service.build.dockerfile ?? 'Dockerfile')), `${name}: Dockerfile`).toBe(true)
      }
      for (const volume of service.volumes ?? []) {
        const [source = ''] = volume.split(':')
        if (source.startsWith('.')) expect(existsSync(resolve(composeDir, source)), `${name}: ${source}`).toBe(true)
        else expect(Object.keys(compose.volumes), `${name}: named volume ${source}`).toContain(source)
      }
    }
  })

  const sluice = services.sluice!
  const configMount = sluice.volumes!.map((v) => v.split(':')).find(([, target]) => target === sluice.environment!.SLUICE_CONFIG)
  const configText = read(join('docker', configMount?.[0] ?? 'missing'))
  const environ = Object.fromEntries(Object.entries(sluice.environment!).map(([k, v]) => [k, interpolate(v)]))
  /** The config as the container loads it: its environment, its SLUICE_ENV overlay. */
  const composeConfig = () => loaded(loadConfig(configText, environ, environ.SLUICE_ENV))

  it("Sluice runs docker/sluice-compose.yaml, mounted at its SLUICE_CONFIG, and is given every secret it needs", () => {
    expect(configMount?.[0]).toBe('./sluice-compose.yaml')
    expect(Object.keys(sluice.environment!)).toEqual(expect.arrayContaining(requiredRefs(configText)))
    expect(environ.SLUICE_ENV).toBe('emulators')
    const config = composeConfig()
    expect(config.state.store).toBe('redis')
    expect(Number.parseInt(sluice.stop_grace_period!, 10) * 1000).toBeGreaterThan(config.server.shutdownGraceMs)
    // The admin port published on the host's loopback only.
    expect(sluice.ports).toEqual([`127.0.0.1:${config.admin.port}:${config.admin.port}`])
  })

  it('its Sluice calls the emulators service on the ports `sluice emulate --port` gives them; SLUICE_ENV=real drops them', () => {
    const config = composeConfig()
    const emulate = services.emulators!.command!
    expect(emulate.slice(0, 3)).toEqual(['emulate', '--host', '0.0.0.0'])
    const first = Number(emulate[emulate.indexOf('--port') + 1])
    const openaiPort = first + EMULATOR_TYPES.indexOf('openai')
    for (const provider of Object.values(config.providers)) expect(provider.endpoint).toBe(`http://emulators:${openaiPort}`)
    expect(services.emulators!.healthcheck!.test.join(' ')).toContain(`:${openaiPort}/`)
    const real = loadConfig(configText, { ...environ, OPENAI_API_KEY: 'sk-real' }, 'real')
    for (const provider of Object.values(loaded(real).providers)) expect(provider.endpoint).toBeUndefined()
    // Real providers need the real key: the emulators' default is not used.
    expect(loadConfig(configText, { ...environ, OPENAI_API_KEY: '' }, 'real').ok).toBe(false)
  })

  it('the application reaches Sluice at its data port, with the key Sluice knows it by', () => {
    const config = composeConfig()
    expect(services.app!.environment!.SLUICE_URL).toBe(`http://sluice:${config.server.port}`)
    expect(services.app!.environment!.SLUICE_API_KEY).toBe(sluice.environment!.SLUICE_CLIENT_API_KEY)
    expect(JSON.parse(read('docker/example-app/package.json')).dependencies).toHaveProperty('openai')
    expect(JSON.parse(read('docker/example-app/package-lock.json')).packages['node_modules/openai']).toBeDefined()
  })

  it('Prometheus scrapes Sluice and loads the alert rules; Grafana is provisioned with it and the dashboard', () => {
    const config = composeConfig()
    const prometheusYml = readYaml<{ rule_files: string[]; scrape_configs: { job_name: string; metrics_path: string; static_configs: { targets: string[] }[] }[] }>('docker/prometheus/prometheus.yml')
    const job = prometheusYml.scrape_configs.find((j) => j.job_name === 'sluice')
    expect(job?.metrics_path).toBe('/metrics')
    expect(job?.static_configs.flatMap((s) => s.targets)).toEqual([`sluice:${config.admin.port}`])
    const mounts = (name: string) => Object.fromEntries(services[name]!.volumes!.map((v) => v.split(':')).map(([source, target]) => [target!, source!]))
    const rulesTarget = Object.entries(mounts('prometheus')).find(([, source]) => source === '../deploy/prometheus/sluice-alerts.yaml')?.[0]
    expect(rulesTarget).toBeDefined()
    expect(prometheusYml.rule_files.some((glob) => new RegExp(`^${glob.replace(/\./g, '\\.').replace(/\*/g, '[^/]*')}$`).test(rulesTarget!))).toBe(true)
    expect(services.prometheus!.command).toContain(`--config.file=${Object.entries(mounts('prometheus')).find(([, s]) => s === './prometheus/prometheus.yml')?.[0]}`)

    const grafana = mounts('grafana')
    expect(grafana['/etc/grafana/provisioning']).toBe('./grafana/provisioning')
    const datasources = readYaml<{ datasources: { type: string; url: string }[] }>('docker/grafana/provisioning/datasources/prometheus.yaml')
    expect(datasources.datasources).toEqual([expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' })])
    const providers = readYaml<{ providers: { type: string; options: { path: string } }[] }>('docker/grafana/provisioning/dashboards/sluice.yaml')
    const dashboardsAt = providers.providers[0]!.options.path
    expect(grafana[dashboardsAt]).toBe('../deploy/grafana')
    expect(existsSync(join(REPO, 'deploy/grafana/sluice-dashboard.json'))).toBe(true)
    expect(services.grafana!.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(`${dashboardsAt}/sluice-dashboard.json`)
  })

  it('publishes nothing beyond the host loopback', () => {
    for (const [name, service] of Object.entries(services)) for (const port of service.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:/)
    expect(composeText).not.toMatch(/network_mode:\s*host/)
  })
})

describe('docker/example.env', () => {
  it("lists every variable without a default of the image's config, the compose config and the Kubernetes ConfigMap", () => {
    const example = read('docker/example.env')
    const configMap = readYamlDocuments('deploy/kubernetes/configmap.yaml')[0] as { data: Record<string, string> }
    const texts = [read('docker/sluice.yaml'), read('docker/sluice-compose.yaml'), ...Object.values(configMap.data)]
    const names = new Set(texts.flatMap(requiredRefs).filter((n) => n !== 'REDIS_URL'))
    expect(names.size).toBeGreaterThan(5)
    for (const name of names) expect(example, name).toMatch(new RegExp(`^${name}=`, 'm'))
  })
})
