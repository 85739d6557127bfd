// deploy/kubernetes/ validated without a cluster (none runs here nor in CI): every object against
// the Kubernetes API's definitions (kubernetes.ts), then the Deployment, ConfigMap and Secret
// checked against each other and against the Sluice config the ConfigMap holds: ports, probes,
// secrets, mounts, the grace period.
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { schemaProblem, typeProblems, type K8sObject } from './kubernetes.js'
import { loadConfig, loaded, readYaml, readYamlDocuments, REPO, requiredRefs } from './support.js'

const K8S_DIR = 'deploy/kubernetes'
const kustomization = readYaml<{ apiVersion: string; kind: string; resources: string[] }>(`${K8S_DIR}/kustomization.yaml`)
const objects = kustomization.resources.flatMap((file) => readYamlDocuments(`${K8S_DIR}/${file}`) as K8sObject[])
const byKind = (kind: string): K8sObject[] => objects.filter((o) => o.kind === kind)

interface Container {
  name: string
  image: string
  restartPolicy?: string
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[]
  envFrom?: { secretRef?: { name: string } }[]
  ports?: { name: string; containerPort: number }[]
  startupProbe?: { httpGet: { path: string; port: string } }
  livenessProbe?: { httpGet: { path: string; port: string } }
  readinessProbe?: { httpGet: { path: string; port: string } }
  lifecycle?: { preStop?: { exec?: { command: string[] } } }
  volumeMounts?: { name: string; mountPath: string }[]
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> }
}
interface PodSpec {
  terminationGracePeriodSeconds: number
  initContainers: Container[]
  containers: Container[]
  volumes: { name: string; configMap?: { name: string }; emptyDir?: unknown }[]
}

describe('deploy/kubernetes', () => {
  it('the kustomization lists every manifest in the directory', () => {
    expect(kustomization).toMatchObject({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' })
    const files = readdirSync(join(REPO, K8S_DIR)).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    expect([...kustomization.resources].sort()).toEqual(files.sort())
    expect(objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Secret'])
  })

  it("every object is valid against its kind's schema", () => {
    for (const object of objects) expect(schemaProblem(object), `${object.kind} ${object.metadata.name}`).toBeUndefined()
  })

  it('every object type-checks as its kind: no field the Kubernetes API does not have', () => {
    expect(typeProblems(objects)).toEqual([])
  }, 60_000)

  it('both checks can fail: a wrong type, and a misspelt field', () => {
    const deployment = structuredClone(byKind('Deployment')[0]!) as unknown as { spec: { template: { spec: PodSpec } } } & K8sObject
    deployment.spec.template.spec.terminationGracePeriodSeconds = 'seventy' as unknown as number
    expect(schemaProblem(deployment)).toMatch(/terminationGracePeriodSeconds/)
    const misspelt = structuredClone(byKind('Deployment')[0]!) as unknown as { spec: { template: { spec: { initContainers: Record<string, unknown>[] } } } } & K8sObject
    misspelt.spec.template.spec.initContainers[0]!.restartPolicyy = 'Always'
    expect(typeProblems([misspelt]).join('\n')).toMatch(/restartPolicyy/)
  }, 60_000)

  const deployment = byKind('Deployment')[0] as unknown as { spec: { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: PodSpec } } }
  const pod = deployment.spec.template.spec
  const sidecar = pod.initContainers.find((c) => c.name === 'sluice')!
  const configMap = byKind('ConfigMap')[0] as unknown as { metadata: { name: string }; data: Record<string, string> }
  const secret = byKind('Secret')[0] as unknown as { metadata: { name: string }; stringData: Record<string, string> }
  const envValue = (c: Container, name: string): string | undefined => c.env?.find((e) => e.name === name)?.value
  const configPath = envValue(sidecar, 'SLUICE_CONFIG')!
  const configText = configMap.data[configPath.split('/').at(-1)!]!
  const filled = Object.fromEntries(Object.keys(secret.stringData).map((k) => [k, `${k.toLowerCase()}-0123456789abcdef`]))

  it('Sluice is a native sidecar: an init container that restarts Always, probed on its admin port, with resource requests', () => {
    expect(sidecar.restartPolicy).toBe('Always')
    expect(pod.initContainers).toHaveLength(1)
    const config = loaded(loadConfig(configText, filled))
    expect(Object.fromEntries(sidecar.ports!.map((p) => [p.name, p.containerPort]))).toEqual({ data: config.server.port, admin: config.admin.port })
    expect(sidecar.startupProbe!.httpGet).toEqual({ path: '/readyz', port: 'admin' })
    expect(sidecar.readinessProbe!.httpGet).toEqual({ path: '/readyz', port: 'admin' })
    expect(sidecar.livenessProbe!.httpGet).toEqual({ path: '/healthz', port: 'admin' })
    // The kubelet probes the pod's IP: the admin plane must listen beyond loopback; the data plane need not.
    expect(config.admin.host).toBe('0.0.0.0')
    expect(config.server.host).toBe('127.0.0.1')
    expect(deployment.spec.template.metadata.annotations['prometheus.io/port']).toBe(String(config.admin.port))
    for (const c of [...pod.initContainers, ...pod.containers]) {
      expect(c.resources?.requests?.cpu, c.name).toBeDefined()
      expect(c.resources?.requests?.memory, c.name).toBeDefined()
    }
    // The image compose builds.
    expect(sidecar.image).toBe(readYaml<{ services: { sluice: { image: string } } }>('docker/compose.yaml').services.sluice.image)
    expect(deployment.spec.selector.matchLabels).toEqual(expect.objectContaining(deployment.spec.template.metadata.labels))
  })

  it('the ConfigMap holds the config at SLUICE_CONFIG, and it loads with the Secret filled in', () => {
    const mount = sidecar.volumeMounts!.find((m) => m.mountPath === dirname(configPath))
    expect(pod.volumes.find((v) => v.name === mount?.name)?.configMap?.name).toBe(configMap.metadata.name)
    const config = loaded(loadConfig(configText, filled))
    expect(config.state).toMatchObject({ store: 'sqlite' })
    expect(sidecar.volumeMounts).toContainEqual({ name: 'sluice-data', mountPath: config.state.path })
    expect(loaded(loadConfig(configText, { ...filled, REDIS_URL: 'redis://redis:6379' }, 'fleet')).state.store).toBe('redis')
  })

  it('the Secret carries every variable the config requires, and left empty keeps Sluice from starting', () => {
    expect(sidecar.envFrom).toEqual([{ secretRef: { name: secret.metadata.name } }])
    const given = new Set([...Object.keys(secret.stringData), ...(sidecar.env ?? []).map((e) => e.name)])
    for (const name of requiredRefs(configText).filter((n) => n !== 'REDIS_URL')) expect(given.has(name), name).toBe(true)
    for (const value of Object.values(secret.stringData)) expect(value).toBe('')
    const empty = loadConfig(configText, secret.stringData)
    expect(empty.ok).toBe(false)
    expect(JSON.stringify(!empty.ok && empty.problems)).toMatch(/admin\.tokens/)
    const app = pod.containers.find((c) => c.name === 'app')!
    expect(app.env?.find((e) => e.name === 'SLUICE_API_KEY')?.valueFrom?.secretKeyRef).toEqual({ name: secret.metadata.name, key: 'SLUICE_CLIENT_API_KEY' })
    expect(envValue(app, 'SLUICE_URL')).toBe(`http://127.0.0.1:${loaded(loadConfig(configText, filled)).server.port}`)
  })

  it("the grace period covers the application's preStop and drain, then Sluice's drain", () => {
    const config = loaded(loadConfig(configText, filled))
    const app = pod.containers.find((c) => c.name === 'app')!
    const preStop = app.lifecycle?.preStop?.exec?.command
    expect(preStop?.[0]).toBe('sleep')
    const preStopMs = Number(preStop![1]) * 1000
    // The application gets as long to finish its streams as Sluice does.
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(preStopMs + 2 * config.server.shutdownGraceMs)
  })
})
