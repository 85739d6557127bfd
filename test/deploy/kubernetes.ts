// Kubernetes manifests checked two ways against the API's own OpenAPI definitions, as shipped by
// kubernetes-models (generated from the Kubernetes OpenAPI spec):
//   - each object's .validate(): the JSON Schema of its kind (types, enums, required fields);
//   - the TypeScript compiler over the same objects typed as the models' interfaces, whose excess
//     property check rejects a field the API does not have (a misspelt `restartPolicy`, a probe
//     key in the wrong place), which the schemas, open to unknown fields, let through; kubectl
//     with server-side field validation refuses those too.
import { join } from 'node:path'
import ts from 'typescript'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { Pod } from 'kubernetes-models/v1/Pod'
import { Secret } from 'kubernetes-models/v1/Secret'
import { Service } from 'kubernetes-models/v1/Service'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { REPO } from './support.js'

interface Kind {
  /** The model's module and interface, for the type check. */
  readonly module: string
  readonly type: string
  validate(object: Record<string, unknown>): void
}

const KINDS: Record<string, Kind> = {
  'v1/ConfigMap': { module: 'kubernetes-models/v1/ConfigMap', type: 'IConfigMap', validate: (o) => new ConfigMap(o as never).validate() },
  'v1/Secret': { module: 'kubernetes-models/v1/Secret', type: 'ISecret', validate: (o) => new Secret(o as never).validate() },
  'v1/Pod': { module: 'kubernetes-models/v1/Pod', type: 'IPod', validate: (o) => new Pod(o as never).validate() },
  'v1/Service': { module: 'kubernetes-models/v1/Service', type: 'IService', validate: (o) => new Service(o as never).validate() },
  'apps/v1/Deployment': { module: 'kubernetes-models/apps/v1/Deployment', type: 'IDeployment', validate: (o) => new Deployment(o as never).validate() },
}

export interface K8sObject {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }
  readonly [key: string]: unknown
}

const kindOf = (object: K8sObject): Kind => {
  const kind = KINDS[`${object.apiVersion}/${object.kind}`]
  if (kind === undefined) throw new Error(`no model for ${object.apiVersion} ${object.kind} (${object.metadata?.name}); add it to test/deploy/kubernetes.ts`)
  return kind
}

/** The schema's verdict: the validator's message, or undefined when valid. */
export function schemaProblem(object: K8sObject): string | undefined {
  try {
    kindOf(object).validate(object)
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}

/** The compiler's verdict on every object typed as its model's interface: one line per error. */
export function typeProblems(objects: readonly K8sObject[]): string[] {
  const file = join(REPO, 'test/deploy/__manifests__.ts')
  const kinds = objects.map(kindOf)
  const imports = [...new Set(kinds.map((k) => `import type { ${k.type} } from '${k.module}'`))]
  const body = objects.map((o, i) => `export const object${i}: ${kinds[i]!.type} = ${JSON.stringify(o, null, 2)}`)
  const source = [...imports, ...body].join('\n')
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  }
  const host = ts.createCompilerHost(options)
  const getSourceFile = host.getSourceFile.bind(host)
  host.getSourceFile = (name, version, ...rest) => (name === file ? ts.createSourceFile(name, source, version) : getSourceFile(name, version, ...rest))
  const fileExists = host.fileExists.bind(host)
  host.fileExists = (name) => name === file || fileExists(name)
  const program = ts.createProgram([file], options, host)
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const at = d.file === undefined || d.start === undefined ? '' : `line ${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: `
    return `${at}${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`
  })
}
